using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Payments;

/// <summary>
/// The payment kiosk (/kiosko/pagos/{kiosk}) by touch, refusing money while offline and retrying a payment with its own
/// Idempotency-Key; and the citizen pages as an installable web app (manifest, service worker, the last order offline).
/// Real headless Chromium on the real host.
/// </summary>
[Collection(nameof(MultipagosBrowser))]
public partial class MultipagosPagesBrowserTests(MultipagosBrowser f) : IAsyncLifetime
{
    private Web.BrowserPages _browser = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync() => _browser = await f.BrowserPagesAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        Assert.Empty(_errors);
    }

    private static Task StateAsync(IPage page, string state) =>
        page.WaitForFunctionAsync("s => document.documentElement.dataset.ovState === s", state, new() { Timeout = 30_000 });

    /// <summary>A new kiosk key issued by a supervisor through the API, shown once.</summary>
    private async Task<string> KioskKeyAsync(string kiosk)
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var issued = await supervisor.PostAsync($"/api/payments/kiosks/{kiosk}/keys", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        using var doc = JsonDocument.Parse(await issued.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>The kiosk's page with its key entered by staff, showing the order of a fresh parcel: (page, clave, reference).</summary>
    private async Task<(IPage Page, string Clave, string Reference)> KioskWithOrderAsync(string kiosk, int width = 800, int height = 1280)
    {
        var key = await KioskKeyAsync(kiosk);
        var page = await _browser.NewPageAsync(_errors, width, height, touch: true);
        Assert.Equal(200, (await page.GotoAsync(new Uri(f.BaseUri, $"/kiosko/pagos/{kiosk}").ToString()))!.Status);
        await StateAsync(page, "setup");
        await page.FillAsync("#setup-key", key);
        await page.TapAsync("#setup-save");
        await StateAsync(page, "ready");
        Assert.DoesNotContain(key, page.Url);
        Assert.Equal(key, await page.EvaluateAsync<string>("k => localStorage.getItem(k)", $"ov-paykiosk-key:{kiosk}"));

        var clave = (await f.FreshBlockAsync()).Claves[0];
        await page.FillAsync("#lookup", clave);
        await page.TapAsync("#lookup-submit");
        await StateAsync(page, "order");
        var reference = await f.ScalarAsync<string>("SELECT reference FROM payments.orders WHERE clave = @c AND state = 'open'", ("c", clave));
        Assert.Equal(reference, (await page.TextContentAsync("#order-reference"))!.Replace(" ", ""));
        return (page, clave, reference);
    }

    private Task<long> PaymentsAsync(string reference) =>
        f.ScalarAsync<long>("SELECT count(*) FROM payments.payments WHERE reference = @r", ("r", reference));

    [GeneratedRegex(@"^RO-\d{4}-\d{8}$")]
    private static partial Regex Folio();

    [Fact]
    public async Task A_citizen_pays_cash_at_the_kiosk_by_touch_and_gets_the_printed_receipt()
    {
        var (page, clave, reference) = await KioskWithOrderAsync("KIO-01");
        var amount = await f.ScalarAsync<decimal>("SELECT amount FROM payments.orders WHERE reference = @r", ("r", reference));
        Assert.Contains(amount.ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture), await page.TextContentAsync("#order-amount"));

        await page.TapAsync("#pay-cash");
        await StateAsync(page, "receipt");
        Assert.Matches(Folio(), (await page.TextContentAsync("#receipt-folio"))!.Trim());
        var src = await page.GetAttributeAsync("#receipt-frame", "src");
        Assert.Contains("/print?code=", src);
        var print = await f.Http.GetStringAsync(src);
        Assert.Contains(clave, print);

        Assert.Equal(1L, await f.ScalarAsync<long>(
            "SELECT count(*) FROM payments.payments WHERE reference = @r AND status = 'applied' AND channel = 'kiosk' AND method = 'cash'", ("r", reference)));
        Assert.Equal("paid", await f.ScalarAsync<string>("SELECT state FROM payments.orders WHERE reference = @r", ("r", reference)));

        // the key stays on the device: after a reload the kiosk is ready for the next citizen, not asking staff again
        await page.ClickAsync("#receipt-done");
        await page.ReloadAsync();
        await StateAsync(page, "ready");
        Assert.True(await page.IsHiddenAsync("#setup"));
    }

    [Fact]
    public async Task Offline_the_kiosk_refuses_money_and_a_payment_cut_mid_way_is_retried_with_the_same_key_and_charged_once()
    {
        var (page, _, reference) = await KioskWithOrderAsync("KIO-02");
        await page.Context.SetOfflineAsync(true);
        await page.WaitForSelectorAsync("#kiosk-offline", new() { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        Assert.Contains("Sin conexión: no se puede recibir pago", await page.TextContentAsync("#kiosk-offline"));
        Assert.True(await page.IsDisabledAsync("#pay-cash"));
        Assert.True(await page.IsDisabledAsync("#pay-card"));
        await page.EvaluateAsync("() => { document.getElementById('pay-cash').click(); document.getElementById('pay-card').click(); }");
        await page.WaitForTimeoutAsync(500);
        Assert.Equal(0L, await PaymentsAsync(reference));
        Assert.Equal("open", await f.ScalarAsync<string>("SELECT state FROM payments.orders WHERE reference = @r", ("r", reference)));

        // back online; the first answer is lost on its way back (the server did record the payment)
        var keys = new List<string>();
        var first = true;
        await page.RouteAsync("**/api/payments/kiosk/pay", async route =>
        {
            keys.Add(route.Request.Headers["idempotency-key"]);
            if (first)
            {
                first = false;
                await route.FetchAsync();
                await route.AbortAsync("connectionreset");
                return;
            }
            await route.ContinueAsync();
        });
        await page.Context.SetOfflineAsync(false);
        await page.WaitForFunctionAsync("() => !document.getElementById('pay-card').disabled", null, new() { Timeout = 15_000 });
        await page.ClickAsync("#pay-card");
        await StateAsync(page, "receipt"); // the kiosk probes the server, then sends the same attempt again
        Assert.Equal(2, keys.Count);
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal(1L, await PaymentsAsync(reference));
        Assert.Matches(Folio(), (await page.TextContentAsync("#receipt-folio"))!.Trim());
        Assert.Null(await page.EvaluateAsync<string?>("k => localStorage.getItem(k)", "ov-paykiosk-pending:KIO-02"));
    }

    [Fact]
    public async Task The_citizen_pages_install_as_an_app_and_show_the_last_order_offline_on_a_phone()
    {
        var manifest = await f.Http.GetAsync("/pagos/manifest.webmanifest");
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal("application/manifest+json", manifest.Content.Headers.ContentType?.MediaType);
        using (var doc = JsonDocument.Parse(await manifest.Content.ReadAsStringAsync()))
        {
            var m = doc.RootElement;
            Assert.False(string.IsNullOrWhiteSpace(m.GetProperty("name").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(m.GetProperty("short_name").GetString()));
            Assert.Equal("/pagos/", m.GetProperty("start_url").GetString());
            Assert.Equal("standalone", m.GetProperty("display").GetString());
            var sizes = new List<string>();
            foreach (var icon in m.GetProperty("icons").EnumerateArray())
            {
                var png = await f.Http.GetAsync(icon.GetProperty("src").GetString());
                Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
                var bytes = await png.Content.ReadAsByteArrayAsync();
                Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
                var width = (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19];
                Assert.Equal($"{width}x{width}", icon.GetProperty("sizes").GetString());
                sizes.Add(icon.GetProperty("sizes").GetString()!);
            }
            Assert.Contains("192x192", sizes);
            Assert.Contains("512x512", sizes);
        }
        var worker = await f.Http.GetAsync("/pagos/sw.js");
        Assert.Equal(HttpStatusCode.OK, worker.StatusCode);
        Assert.Contains("javascript", worker.Content.Headers.ContentType?.MediaType);
        Assert.Contains("rel=\"manifest\" href=\"/pagos/manifest.webmanifest\"", await f.Http.GetStringAsync("/pagos/"));

        var page = await _browser.NewPageAsync(_errors, 360, 740);
        Assert.Equal(200, (await page.GotoAsync(new Uri(f.BaseUri, "/pagos/").ToString()))!.Status);
        await StateAsync(page, "ready");
        var scope = await page.EvaluateAsync<string>("async () => (await navigator.serviceWorker.ready).scope");
        Assert.Equal(new Uri(f.BaseUri, "/pagos/").ToString(), scope);
        await page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null", null, new() { Timeout = 15_000 });

        var clave = (await f.FreshBlockAsync()).Claves[0];
        await page.FillAsync("#pagos-clave", clave);
        await page.ClickAsync("#pagos-form button");
        await StateAsync(page, "ready");
        await page.ClickAsync("#pagos-order");
        await page.WaitForSelectorAsync("#pagos-order-view", new() { State = WaitForSelectorState.Visible });
        await StateAsync(page, "ready");
        var reference = await f.ScalarAsync<string>("SELECT reference FROM payments.orders WHERE clave = @c AND state = 'open'", ("c", clave));
        Assert.Equal(reference, (await page.TextContentAsync("#pagos-reference"))!.Replace(" ", ""));

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await StateAsync(page, "ready");
        Assert.True(await page.IsVisibleAsync("#pagos-order-view"));
        Assert.Equal(reference, (await page.TextContentAsync("#pagos-reference"))!.Replace(" ", ""));
        Assert.True(await page.IsVisibleAsync("#pagos-offline"));
        await page.Context.SetOfflineAsync(false);
    }
}
