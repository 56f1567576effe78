using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Payments;

/// <summary>The staff's Multipagos page (/pagos/personal/) in a real headless Chromium: a supervisor finds a payment, cancels its receipt, sees the kiosk board.</summary>
[Collection(nameof(MultipagosBrowser))]
public class PaymentStaffBrowserTests(MultipagosBrowser f) : IAsyncLifetime
{
    private Web.BrowserPages _browser = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync() => _browser = await f.BrowserPagesAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        Assert.Empty(_errors);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static Task StateAsync(IPage page, string state) =>
        page.WaitForFunctionAsync("s => document.documentElement.dataset.ovState === s", state, new() { Timeout = 30_000 });

    /// <summary>A fresh parcel's order paid in cash at KIO-03, with its receipt: (reference, folio).</summary>
    private async Task<(string Reference, string Folio)> PaidWithReceiptAsync()
    {
        var clave = (await f.FreshBlockAsync()).Claves[0];
        using var order = JsonDocument.Parse(await (await f.NewClient().PostAsync("/api/payments/orders", Json(new { clave }))).Content.ReadAsStringAsync());
        var (reference, amount) = (order.RootElement.GetProperty("reference").GetString()!, order.RootElement.GetProperty("amount").GetDecimal());
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        using var issued = JsonDocument.Parse(await (await supervisor.PostAsync("/api/payments/kiosks/KIO-03/keys", null)).Content.ReadAsStringAsync());
        var kiosk = f.BareClient();
        kiosk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.RootElement.GetProperty("key").GetString());
        using var pay = new HttpRequestMessage(HttpMethod.Post, "/api/payments/kiosk/pay") { Content = Json(new { reference, amount, method = "cash" }) };
        pay.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, (await kiosk.SendAsync(pay)).StatusCode);
        using var receipt = JsonDocument.Parse(await (await f.NewClient().PostAsync("/api/payments/receipts", Json(new { reference }))).Content.ReadAsStringAsync());
        return (reference, receipt.RootElement.GetProperty("folio").GetString()!);
    }

    [Fact]
    public async Task A_supervisor_finds_a_payment_cancels_its_receipt_with_a_reason_and_sees_the_kiosk_board()
    {
        var (reference, folio) = await PaidWithReceiptAsync();
        var (email, _, _) = await f.StaffAsync("supervisor");
        var page = await _browser.NewPageAsync(_errors, 1280, 900);
        Assert.Equal(200, (await page.GotoAsync(new Uri(f.BaseUri, "/pagos/personal/").ToString()))!.Status);
        await page.WaitForSelectorAsync("#login-form", new() { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PlatformFixture.StaffPassword);
        await page.ClickAsync("#login-submit");
        await page.WaitForSelectorAsync("#workspace", new() { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        await StateAsync(page, "ready");

        // found by its reference as printed (with spaces)
        var display = string.Join(' ', Enumerable.Range(0, 5).Select(i => reference.Substring(i * 4, 4)));
        await page.FillAsync("#search-q", display);
        await page.ClickAsync("#search-submit");
        var row = page.Locator($"#search-rows tr[data-reference='{reference}']");
        await row.WaitForAsync(new() { Timeout = 30_000 });
        Assert.Equal(1, await page.Locator("#search-rows tr").CountAsync());
        Assert.Contains(folio, await row.TextContentAsync());

        // cancelled with a reason: the row says so, the database keeps the receipt with who and why
        await row.Locator("button.cancel-receipt").ClickAsync();
        await page.FillAsync("#cancel-reason", "Cheque devuelto por el banco");
        await page.ClickAsync("#cancel-submit");
        await row.Locator(".cancelled").WaitForAsync(new() { Timeout = 30_000 });
        Assert.Contains("Cheque devuelto por el banco", await row.TextContentAsync());
        Assert.Equal(0, await row.Locator("button.cancel-receipt").CountAsync());
        Assert.Equal("Cheque devuelto por el banco", await f.ScalarAsync<string>("SELECT cancel_reason FROM payments.receipts WHERE folio = @f", ("f", folio)));

        // the kiosk board: a marker per kiosk, coloured by status, and KIO-03's payment counted today
        await page.ClickAsync("#tab-board");
        await page.WaitForSelectorAsync("#board-map path.kiosk-marker", new() { Timeout = 30_000 });
        var kiosks = await f.ScalarAsync<long>("SELECT count(*) FROM payments.kiosks");
        Assert.Equal(kiosks, await page.Locator("#board-map path.kiosk-marker").CountAsync());
        Assert.Equal(kiosks, await page.Locator("#board-rows tr").CountAsync());
        var today = await f.ScalarAsync<int>("SELECT transactions_today FROM payments.kiosk_layer WHERE code = 'KIO-03'");
        Assert.True(today >= 1);
        var kio3 = page.Locator("#board-rows tr", new() { HasText = "KIO-03" });
        Assert.Contains(today.ToString(System.Globalization.CultureInfo.InvariantCulture), (await kio3.Locator("td.num").TextContentAsync())!);

        // the daily cash report shows KIO-03
        await page.ClickAsync("#tab-report");
        await page.Locator("#report-rows tr", new() { HasText = "KIO-03" }).WaitForAsync(new() { Timeout = 30_000 });
        Assert.Contains("daily.csv?day=", await page.GetAttributeAsync("#report-csv", "href"));
    }

    [Fact]
    public async Task A_citizen_sees_the_orders_qr_prints_it_and_finds_the_nearest_operating_kiosks_from_the_parcel()
    {
        var clave = (await f.FreshBlockAsync()).Claves[0];
        var page = await _browser.NewPageAsync(_errors, 360, 740);
        Assert.Equal(200, (await page.GotoAsync(new Uri(f.BaseUri, "/pagos/").ToString()))!.Status);
        await StateAsync(page, "ready");
        await page.FillAsync("#pagos-clave", clave);
        await page.ClickAsync("#pagos-form button");
        await StateAsync(page, "ready");
        await page.ClickAsync("#pagos-order");
        await page.WaitForSelectorAsync("#pagos-order-view", new() { State = WaitForSelectorState.Visible });
        var reference = await f.ScalarAsync<string>("SELECT reference FROM payments.orders WHERE clave = @c AND state = 'open'", ("c", clave));
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('pagos-qr'); return i.complete && i.naturalWidth > 0; }", null, new() { Timeout = 30_000 });
        Assert.Equal($"/api/payments/orders/{reference}/qr.png", await page.GetAttributeAsync("#pagos-qr", "src"));

        // printed: the order and its QR, not the forms
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        Assert.True(await page.IsVisibleAsync("#pagos-qr"));
        Assert.True(await page.IsVisibleAsync("#pagos-reference"));
        Assert.True(await page.IsHiddenAsync("#pagos-form"));
        Assert.True(await page.IsHiddenAsync("#pagos-where"));
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        // where to pay: the operating kiosks, nearest first, on a map; banks named without inventing branches
        await page.ClickAsync("#pagos-near-parcel");
        await page.WaitForSelectorAsync("#pagos-where-list li", new() { Timeout = 30_000 });
        var operating = await f.ScalarAsync<long>("SELECT count(*) FROM payments.kiosks WHERE status = 'operating'");
        Assert.Equal(operating, await page.Locator("#pagos-where-list li").CountAsync());
        var km = (await page.Locator("#pagos-where-list li strong").AllTextContentsAsync())
            .Select(t => double.Parse(System.Text.RegularExpressions.Regex.Match(t, @"a ([\d.,]+) km").Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(km.Order().ToList(), km);
        await page.WaitForSelectorAsync("#pagos-where-map path.where-kiosk", new() { Timeout = 30_000 });
        Assert.Contains("Bancos: en cualquier sucursal con su línea de captura", await page.TextContentAsync("#pagos-where"));
    }
}
