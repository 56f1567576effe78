using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Payments;

namespace OpenVeracruz.Tests.Payments;

/// <summary>Receipts (one per payment, printable, PDF, QR verification, cancellation), the daily reconciliation, the open data and the indicators.</summary>
[Collection(nameof(Multipagos))]
public class ReceiptAndReconciliationTests(Multipagos f)
{
    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>A parcel's order paid at a kiosk: (clave, reference, amount).</summary>
    private async Task<(string Clave, string Reference, decimal Amount)> PaidAsync(string kiosk = "KIO-05", string method = "card")
    {
        var clave = (await f.FreshBlockAsync()).Claves[0];
        using var order = JsonDocument.Parse(await (await f.NewClient().PostAsync("/api/payments/orders", Json(new { clave }))).Content.ReadAsStringAsync());
        var (reference, amount) = (order.RootElement.GetProperty("reference").GetString()!, order.RootElement.GetProperty("amount").GetDecimal());
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        using var issued = JsonDocument.Parse(await (await supervisor.PostAsync($"/api/payments/kiosks/{kiosk}/keys", null)).Content.ReadAsStringAsync());
        var client = f.BareClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.RootElement.GetProperty("key").GetString());
        using var pay = new HttpRequestMessage(HttpMethod.Post, "/api/payments/kiosk/pay") { Content = Json(new { reference, amount, method }) };
        pay.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(pay)).StatusCode);
        return (clave, reference, amount);
    }

    [Fact]
    public async Task Thirty_two_parallel_receipt_requests_make_one_receipt_that_verifies_and_is_cancelled_never_deleted()
    {
        var (clave, reference, amount) = await PaidAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            var r = await f.NewClient().PostAsync("/api/payments/receipts", Json(new { reference }));
            return (r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
        }));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, a.Item2.GetRawText()));
        Assert.Single(answers.Select(a => a.Item2.GetProperty("folio").GetString()).Distinct());
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM payments.receipts r JOIN payments.payments p ON p.id = r.payment_id WHERE p.reference = @r", ("r", reference)));
        var receipt = answers[0].Item2;
        var (folio, code) = (receipt.GetProperty("folio").GetString()!, receipt.GetProperty("code").GetString()!);
        Assert.Matches("^RO-\\d{4}-\\d{8}$", folio);

        // the QR's verification shows only folio, amount, date and concept
        var (status, verify, _) = await f.GetJsonAsync($"/api/payments/receipts/{folio}/verify?code={code}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["folio", "amount", "date", "concept", "status"], verify.EnumerateObject().Select(p => p.Name));
        Assert.Equal(amount, verify.GetProperty("amount").GetDecimal());
        Assert.DoesNotContain(clave, verify.GetRawText());
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/api/payments/receipts/{folio}/verify?code=000000000000"), HttpStatusCode.NotFound);

        // printable HTML with the QR, and a PDF generated here; no owner data in any of them
        var owner = await f.ColumnAsync<string>($"SELECT unnest(ARRAY[o.full_name, o.curp, o.phone, o.email]) FROM private.owners o JOIN cadastre.parcels p ON p.id = o.parcel_id WHERE p.clave = '{clave}'");
        var html = await f.Http.GetStringAsync($"/api/payments/receipts/{folio}/print?code={code}");
        Assert.Contains("<svg", html);
        Assert.Contains(folio, html);
        var pdf = await f.Http.GetAsync($"/api/payments/receipts/{folio}/pdf?code={code}");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        var pdfText = Encoding.Latin1.GetString(bytes);
        Assert.StartsWith("%PDF-1.4", pdfText);
        Assert.EndsWith("%%EOF\n", pdfText);
        Assert.Contains(folio, pdfText);
        // the xref offsets point at their objects
        var xref = int.Parse(pdfText[(pdfText.LastIndexOf("startxref\n", StringComparison.Ordinal) + 10)..].Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith("xref", pdfText[xref..]);
        foreach (var body in new[] { html, pdfText, verify.GetRawText(), receipt.GetRawText() })
            foreach (var s in owner) Assert.DoesNotContain(s, body);

        // cancelled by a supervisor with a reason: the verification says so, the row stays
        var (_, _, viewer) = await f.StaffAsync("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/payments/receipts/{folio}/cancel", Json(new { reason = "x" }))).StatusCode);
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        await ProblemAssert.IsProblemAsync(await supervisor.PostAsync($"/api/payments/receipts/{folio}/cancel", Json(new { reason = " " })), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.PostAsync($"/api/payments/receipts/{folio}/cancel", Json(new { reason = "Pago en cheque devuelto" }))).StatusCode);
        await ProblemAssert.IsProblemAsync(await supervisor.PostAsync($"/api/payments/receipts/{folio}/cancel", Json(new { reason = "otra vez" })), HttpStatusCode.Conflict);
        var (_, after, _) = await f.GetJsonAsync($"/api/payments/receipts/{folio}/verify?code={code}");
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.Equal("Pago en cheque devuelto", await f.ScalarAsync<string>("SELECT cancel_reason FROM payments.receipts WHERE folio = @f", ("f", folio)));
        // an unpaid reference has no receipt
        var unpaid = (await f.FreshBlockAsync()).Claves[0];
        using var order = JsonDocument.Parse(await (await f.NewClient().PostAsync("/api/payments/orders", Json(new { clave = unpaid }))).Content.ReadAsStringAsync());
        await ProblemAssert.IsProblemAsync(await f.NewClient().PostAsync("/api/payments/receipts", Json(new { reference = order.RootElement.GetProperty("reference").GetString() })), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_reconciliation_adds_up_per_channel_lists_a_lost_webhook_and_supervisors_resolve_with_a_reason()
    {
        await PaidAsync("KIO-02", "cash");
        // an online payment whose webhook never arrived: the gateway settled it, we have no payment
        var clave = (await f.FreshBlockAsync()).Claves[0];
        using var order = JsonDocument.Parse(await (await f.NewClient().PostAsync("/api/payments/orders", Json(new { clave }))).Content.ReadAsStringAsync());
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/payments/online/intents") { Content = Json(new { reference = order.RootElement.GetProperty("reference").GetString() }) };
        create.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var intent = JsonDocument.Parse(await (await f.NewClient().SendAsync(create)).Content.ReadAsStringAsync());
        var intentId = intent.RootElement.GetProperty("intentId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await f.NewClient().PostAsync($"/api/payments/gateway/intents/{intentId}/confirm", Json(new { card = "4242424242424242" }))).StatusCode);

        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var today = PredialDebts.Today();
        async Task<JsonElement> RunAsync()
        {
            var r = await supervisor.PostAsync("/api/payments/reconciliation/run", Json(new { day = today.ToString("yyyy-MM-dd") }));
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.OK, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        var report = await RunAsync();
        var channels = report.GetProperty("channels").EnumerateArray().ToList();
        Assert.Equal(["kiosk", "online", "bank"], channels.Select(c => c.GetProperty("channel").GetString()));
        foreach (var c in channels)
        {
            Assert.Equal(c.GetProperty("receivedCount").GetInt32(), c.GetProperty("appliedCount").GetInt32() + c.GetProperty("refundCount").GetInt32());
            Assert.Equal(c.GetProperty("receivedTotal").GetDecimal(), c.GetProperty("appliedTotal").GetDecimal() + c.GetProperty("refundTotal").GetDecimal());
        }
        var total = report.GetProperty("total");
        Assert.Equal(channels.Sum(c => c.GetProperty("receivedTotal").GetDecimal()), total.GetProperty("receivedTotal").GetDecimal());
        // and they are what the database holds for the day
        var (count, sum) = (await f.ScalarAsync<long>("SELECT count(*) FROM payments.payments WHERE (received_at AT TIME ZONE 'America/Mexico_City')::date = @d", ("d", today)),
            await f.ScalarAsync<decimal>("SELECT coalesce(sum(amount), 0) FROM payments.payments WHERE (received_at AT TIME ZONE 'America/Mexico_City')::date = @d", ("d", today)));
        Assert.Equal((count, sum), ((long)total.GetProperty("receivedCount").GetInt32(), total.GetProperty("receivedTotal").GetDecimal()));

        var lost = report.GetProperty("differences").EnumerateArray().Single(d => d.GetProperty("subject").GetString() == intentId);
        Assert.Equal("settled_without_payment", lost.GetProperty("kind").GetString());
        Assert.Contains(report.GetProperty("differences").EnumerateArray(), d => d.GetProperty("kind").GetString() == "paid_without_receipt");
        // a second run lists nothing twice
        var again = await RunAsync();
        Assert.Single(again.GetProperty("differences").EnumerateArray(), d => d.GetProperty("subject").GetString() == intentId);

        var id = lost.GetProperty("id").GetInt64();
        await ProblemAssert.IsProblemAsync(await supervisor.PostAsync($"/api/payments/reconciliation/items/{id}/resolve", Json(new { })), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.PostAsync($"/api/payments/reconciliation/items/{id}/resolve", Json(new { reason = "El banco confirmó el cargo; se aplicará a mano" }))).StatusCode);
        await ProblemAssert.IsProblemAsync(await supervisor.PostAsync($"/api/payments/reconciliation/items/{id}/resolve", Json(new { reason = "dos veces" })), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.GetAsync("/api/payments/refunds")).StatusCode);
    }

    [Fact]
    public async Task The_open_data_counts_payments_without_identifying_anyone_and_the_indicator_counts_kiosk_transactions()
    {
        var (clave, reference, _) = await PaidAsync("KIO-01", "cash");
        await using (var scope = f.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<OpenDataJob>().RunAsync();
        var today = PredialDebts.Today();
        foreach (var url in new[] { "/downloads/payments_daily.csv", "/ogc/collections/payments_daily/items?limit=1000", "/downloads/predial_blocks.geojson" })
        {
            var body = await f.Http.GetStringAsync(url);
            Assert.DoesNotContain(clave, body);
            Assert.DoesNotContain(reference, body);
        }
        var kioskToday = await f.ScalarAsync<int>("SELECT transactions FROM payments.daily_collection WHERE day = @d AND kiosk_code = 'KIO-01' AND channel = 'kiosk'", ("d", today));
        Assert.Equal(await f.ScalarAsync<long>("""
            SELECT count(*) FROM payments.payments p JOIN payments.kiosks k ON k.id = p.kiosk_id
            WHERE k.code = 'KIO-01' AND p.status = 'applied' AND (p.received_at AT TIME ZONE 'America/Mexico_City')::date = @d
            """, ("d", today)), kioskToday);
        var block = await f.ScalarAsync<string>("SELECT status FROM payments.block_layer WHERE id = @b", ("b", clave[..8]));
        Assert.Contains(block, new[] { "paid", "partly_paid" });

        var (status, indicator, _) = await f.GetJsonAsync($"/api/payments/indicator?year={today.Year}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(16_500, indicator.GetProperty("goal").GetInt32());
        var perKiosk = indicator.GetProperty("perKiosk").EnumerateArray().ToList();
        Assert.Equal(indicator.GetProperty("kioskTransactions").GetInt64(), perKiosk.Sum(k => k.GetProperty("transactions").GetInt64()));
        Assert.True(perKiosk.Single(k => k.GetProperty("kiosk").GetString() == "KIO-01").GetProperty("transactions").GetInt64() >= 1);
        Assert.Contains(indicator.GetProperty("phases").EnumerateArray(), p => p.GetProperty("code").GetString() == "modulos" && p.GetProperty("operating").GetBoolean());
        Assert.Contains(indicator.GetProperty("phases").EnumerateArray(), p => p.GetProperty("code").GetString() == "app-movil" && p.GetProperty("operating").GetBoolean());
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/payments/indicator?year=1800"), HttpStatusCode.BadRequest);
    }
}
