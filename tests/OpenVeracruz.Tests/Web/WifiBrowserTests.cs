using System.Text.Json;
using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Web;

/// <summary>The public WiFi map on a 360 px phone, and a technician taking and resolving a ticket on the maintenance board, in Chromium.</summary>
[Collection(nameof(WifiBrowser))]
public class WifiBrowserTests(WifiBrowser f) : IAsyncLifetime
{
    private BrowserPages _browser = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync() => _browser = await f.BrowserPagesAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        Assert.Empty(_errors);
    }

    private static Task WaitReadyAsync(IPage page) =>
        page.WaitForFunctionAsync("() => document.documentElement.dataset.ovState === 'ready'", null, new() { Timeout = 30_000 });

    [Fact]
    public async Task The_wifi_map_shows_coverage_and_finds_the_nearest_space_on_a_phone()
    {
        var page = await _browser.NewPageAsync(_errors, 360, 740);
        await page.Context.GrantPermissionsAsync(["geolocation"]);
        await page.Context.SetGeolocationAsync(new() { Longitude = -96.1372f, Latitude = 19.1915f }); // beside Parque Zamora
        await page.GotoAsync(new Uri(f.BaseUri, "/wifi/").ToString());
        await WaitReadyAsync(page);

        // the share covered is the API's, written the Mexican way
        var (_, coverage, _) = await f.GetJsonAsync("/api/wifi/coverage");
        var percent = coverage.GetProperty("percentCovered").GetDouble();
        Assert.Equal(percent.ToString("#,##0.##", new System.Globalization.CultureInfo("es-MX")) + " %", await page.TextContentAsync("#wifi-share"));
        var sites = coverage.GetProperty("sites").GetArrayLength();
        Assert.Equal(sites, await page.Locator("path.wifi-coverage-circle").CountAsync());
        Assert.Equal(sites, await page.Locator("path.wifi-site").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "no horizontal scroll at 360 px");

        await page.ClickAsync("#wifi-locate");
        await page.WaitForSelectorAsync("#wifi-nearest li.wifi-result");
        Assert.Equal("WIFI-02", await page.GetAttributeAsync("#wifi-nearest li.wifi-result:first-child", "data-code"));
        Assert.Contains("Parque Zamora", await page.TextContentAsync("#wifi-message"));

        // from a clave catastral: the first result is the API's nearest
        var (clave, _, _) = await f.SomeParcelAsync();
        var (_, nearest, _) = await f.GetJsonAsync($"/api/wifi/nearest?clave={clave}");
        await page.FillAsync("#wifi-clave", clave);
        await page.ClickAsync("#wifi-clave-form button[type=submit]");
        var expected = nearest.GetProperty("sites")[0].GetProperty("code").GetString()!;
        await page.WaitForFunctionAsync("c => document.querySelector('#wifi-nearest li.wifi-result')?.dataset.code === c", expected);
        // a clave that does not exist: the Spanish problem
        await page.FillAsync("#wifi-clave", "999-9999-999");
        await page.ClickAsync("#wifi-clave-form button[type=submit]");
        await page.WaitForFunctionAsync("() => document.querySelector('#wifi-message').classList.contains('error')");
        Assert.Contains("No hay un predio", await page.TextContentAsync("#wifi-message"));
    }

    [Fact]
    public async Task A_technician_takes_and_resolves_a_ticket_on_the_board()
    {
        var (_, _, clerk) = await f.StaffAsync("viewer");
        var created = await clerk.PostAsync("/api/maintenance/tickets", PlatformFixture.Json(new { title = "El conmutador no da tono en Tesorería", urgency = 5, impact = 4 }));
        using var doc = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var id = doc.RootElement.GetProperty("id").GetInt64();
        var (email, _, _) = await f.StaffAsync("editor");

        var page = await _browser.NewPageAsync(_errors, 360, 740);
        page.Dialog += async (_, d) => await d.AcceptAsync("Se reinició la tarjeta de troncales");
        await page.GotoAsync(new Uri(f.BaseUri, "/mantenimiento/").ToString());
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PlatformFixture.StaffPassword);
        await page.ClickAsync("#login-submit");
        await WaitReadyAsync(page);

        var inQueue = $"#mt-queue li[data-id='{id}']";
        await page.ClickAsync($"{inQueue} button[data-action=take]");
        var mine = $"#mt-mine li[data-id='{id}']";
        await page.WaitForSelectorAsync($"{mine}[data-state=assigned]");
        await page.ClickAsync($"{mine} button[data-action=start]");
        await page.WaitForSelectorAsync($"{mine}[data-state=in_progress]");
        await page.ClickAsync($"{mine} button[data-action=resolve]");
        await page.WaitForSelectorAsync($"{mine}[data-state=resolved]");
        Assert.Equal(0, await page.Locator(inQueue).CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "no horizontal scroll at 360 px");

        Assert.Equal("resolved", await f.ScalarAsync<string>("SELECT state FROM maintenance.tickets WHERE id = @id", ("id", id)));
        Assert.Equal("Se reinició la tarjeta de troncales", await f.ScalarAsync<string>(
            "SELECT text FROM maintenance.ticket_events WHERE ticket_id = @id AND to_state = 'resolved'", ("id", id)));
    }
}
