using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Web;

/// <summary>Debian's headless Chromium driven by Playwright, shared by the browser tests.</summary>
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

    /// <summary>A new page in Spanish (Mexico); uncaught script errors are collected in <paramref name="errors"/>.</summary>
    public async Task<IPage> NewPageAsync(List<string> errors, int width = 1280, int height = 800)
    {
        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height }, Locale = "es-MX" });
        page.PageError += (_, e) => errors.Add(e);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _pw.Dispose();
    }
}
