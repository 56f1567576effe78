using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using OpenVeracruz.Platform.Payments;

namespace OpenVeracruz.Tests.Payments;

/// <summary>The citizen's predial page (/pagos/) in a real headless Chromium, at a phone's width.</summary>
[Collection(nameof(Multipagos))]
public class PaymentPageBrowserTests(Multipagos f) : IAsyncLifetime
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

    [Fact]
    public async Task A_citizen_sees_the_debt_gets_the_order_pays_online_and_gets_the_receipt()
    {
        var clave = (await f.FreshBlockAsync()).Claves[0];
        var (_, debt, _) = await f.GetJsonAsync($"/api/payments/predial/{clave}");
        var page = await _browser.NewPageAsync(_errors, 360, 740);
        Assert.Equal(200, (await page.GotoAsync(new Uri(f.BaseUri, "/pagos/").ToString()))!.Status);
        await StateAsync(page, "ready");

        await page.FillAsync("#pagos-clave", "999-9999-999");
        await page.ClickAsync("#pagos-form button");
        await StateAsync(page, "error");
        Assert.Contains("999-9999-999", await page.TextContentAsync("#pagos-message"));

        await page.FillAsync("#pagos-clave", clave);
        await page.ClickAsync("#pagos-form button");
        await StateAsync(page, "ready");
        Assert.Equal(debt.GetProperty("years").GetArrayLength(), await page.Locator("#pagos-lines tbody tr").CountAsync());
        var owner = await f.ScalarAsync<string>("SELECT o.full_name FROM private.owners o JOIN cadastre.parcels p ON p.id = o.parcel_id WHERE p.clave = @c", ("c", clave));
        Assert.DoesNotContain(owner, await page.ContentAsync());

        await page.ClickAsync("#pagos-order");
        await StateAsync(page, "ready");
        var reference = await f.ScalarAsync<string>("SELECT reference FROM payments.orders WHERE clave = @c AND state = 'open'", ("c", clave));
        Assert.Equal(reference, (await page.TextContentAsync("#pagos-reference"))!.Replace(" ", ""));

        await page.ClickAsync("#pagos-online button");
        await StateAsync(page, "paid");
        // the gateway's webhook, as its delivery job sends it
        var payload = await f.ScalarAsync<string>("SELECT e.payload FROM payments.gateway_events e JOIN payments.gateway_intents i ON i.id = e.intent_id WHERE i.reference = @r", ("r", reference));
        using var webhook = GatewayWebhookJob.SignedRequest(new Uri(f.BaseUri, "/api/payments/online/webhook").ToString(), payload,
            "whsec_openveracruz_simulated_gateway_development_only", DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, (await f.BareClient().SendAsync(webhook)).StatusCode);

        await page.ClickAsync("#pagos-receipt");
        await StateAsync(page, "receipt");
        var href = await page.GetAttributeAsync("#pagos-pdf", "href");
        var pdf = await f.Http.GetAsync(href);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);

        // the printable receipt carries the verification QR and its address; opened on the phone, it shows the folio and
        // amount that the database holds, and nothing of the parcel or its owner
        var folio = await f.ScalarAsync<string>("SELECT r.folio FROM payments.receipts r JOIN payments.payments p ON p.id = r.payment_id JOIN payments.orders o ON o.id = p.order_id WHERE o.reference = @r", ("r", reference));
        await page.ClickAsync("#pagos-print");
        await page.WaitForSelectorAsync("figure svg[role=img]", new() { Timeout = 15_000 });
        var verify = (await page.TextContentAsync("figcaption"))!.Split(": ", 2)[1].Trim();
        Assert.Contains($"/receipts/{folio}/verify?code=", verify);
        Assert.Equal(200, (await page.GotoAsync(verify))!.Status);
        var shown = await page.ContentAsync();
        Assert.Contains(folio, shown);
        Assert.DoesNotContain(clave, shown);
        Assert.DoesNotContain(owner, shown);
    }
}
