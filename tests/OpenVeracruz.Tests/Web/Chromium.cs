using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Web;

/// <summary>Debian's headless Chromium driven by Playwright: one browser process per test collection (PlatformFixture.BrowserPagesAsync).</summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _pw;
    private readonly IBrowser _browser;

    private Chromium(IPlaywright pw, IBrowser browser) => (_pw, _browser) = (pw, browser);

    public static async Task<Chromium> LaunchAsync()
    {
        var pw = await Playwright.CreateAsync();
        var browser = await pw.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("OV_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Chromium(pw, browser);
    }

    /// <summary>The pages of one test.</summary>
    public BrowserPages NewPages() => new(_browser);

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _pw.Dispose();
    }
}

/// <summary>
/// The pages one test opens in the shared browser, each in a context of its own (its own cookies and storage, as a fresh
/// browser would have); disposing closes them, so nothing of a test (a page still polling, a signed-in session) outlives it.
/// </summary>
public sealed class BrowserPages(IBrowser browser) : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>A new page in Spanish (Mexico), with a touch screen when asked; uncaught script errors are collected in <paramref name="errors"/>.</summary>
    public async Task<IPage> NewPageAsync(List<string> errors, int width = 1280, int height = 800, bool touch = false)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, Locale = "es-MX", HasTouch = touch });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.PageError += (_, e) => errors.Add(e);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
    }
}
