using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenVeracruz.Platform.Payments;

namespace OpenVeracruz.Tests.Payments;

/// <summary>The staff's reads: the daily cash report (JSON and CSV) against payments made through the API, the payments and receipts search, and the order's QR.</summary>
[Collection(nameof(Multipagos))]
public class PaymentStaffTests(Multipagos f)
{
    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task<(string Clave, string Reference, decimal Amount)> OrderAsync()
    {
        var clave = (await f.FreshBlockAsync()).Claves[0];
        var r = await f.NewClient().PostAsync("/api/payments/orders", Json(new { clave }));
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.True(r.IsSuccessStatusCode, doc.RootElement.GetRawText());
        return (clave, doc.RootElement.GetProperty("reference").GetString()!, doc.RootElement.GetProperty("amount").GetDecimal());
    }

    private async Task<HttpClient> KioskAsync(string code)
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        using var issued = JsonDocument.Parse(await (await supervisor.PostAsync($"/api/payments/kiosks/{code}/keys", null)).Content.ReadAsStringAsync());
        var c = f.BareClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.RootElement.GetProperty("key").GetString());
        return c;
    }

    private static async Task<HttpStatusCode> PayAsync(HttpClient kiosk, string reference, decimal amount, string method)
    {
        using var pay = new HttpRequestMessage(HttpMethod.Post, "/api/payments/kiosk/pay") { Content = Json(new { reference, amount, method }) };
        pay.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return (await kiosk.SendAsync(pay)).StatusCode;
    }

    private async Task PayOnlineAsync(string reference)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/payments/online/intents") { Content = Json(new { reference }) };
        create.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var intent = JsonDocument.Parse(await (await f.NewClient().SendAsync(create)).Content.ReadAsStringAsync());
        var id = intent.RootElement.GetProperty("intentId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await f.NewClient().PostAsync($"/api/payments/gateway/intents/{id}/confirm", Json(new { card = "4242424242424242" }))).StatusCode);
        var payload = await f.ScalarAsync<string>("SELECT payload FROM payments.gateway_events WHERE intent_id = @i", ("i", id));
        using var webhook = GatewayWebhookJob.SignedRequest(new Uri(f.BaseUri, "/api/payments/online/webhook").ToString(), payload,
            "whsec_openveracruz_simulated_gateway_development_only", DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, (await f.BareClient().SendAsync(webhook)).StatusCode);
    }

    private static Dictionary<string, JsonElement> Rows(JsonElement report) =>
        report.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("kiosk").ValueKind == JsonValueKind.String ? r.GetProperty("kiosk").GetString()! : r.GetProperty("channel").GetString()!);

    private static decimal D(JsonElement e, string name) => e.GetProperty(name).GetDecimal();

    private static int I(JsonElement e, string name) => e.GetProperty(name).GetInt32();

    [Fact]
    public async Task The_daily_cash_report_adds_up_against_kiosk_and_online_payments_and_its_csv_matches()
    {
        var (_, _, viewer) = await f.StaffAsync("viewer");
        var day = PredialDebts.Today().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.NewClient().GetAsync("/api/payments/reports/daily")).StatusCode);
        using var beforeDoc = JsonDocument.Parse(await viewer.GetStringAsync($"/api/payments/reports/daily?day={day}"));
        var before = Rows(beforeDoc.RootElement);
        Assert.Equal(["KIO-01", "KIO-02", "KIO-03", "KIO-04", "KIO-05", "online", "bank"], before.Keys);

        // at KIO-04: one cash and one card payment, and the cash one paid again (listed for refund); one paid online
        var kiosk = await KioskAsync("KIO-04");
        var cash = await OrderAsync();
        var card = await OrderAsync();
        var online = await OrderAsync();
        Assert.Equal(HttpStatusCode.Created, await PayAsync(kiosk, cash.Reference, cash.Amount, "cash"));
        Assert.Equal(HttpStatusCode.Created, await PayAsync(kiosk, card.Reference, card.Amount, "card"));
        Assert.Equal(HttpStatusCode.OK, await PayAsync(kiosk, cash.Reference, cash.Amount, "cash"));
        await PayOnlineAsync(online.Reference);

        using var afterDoc = JsonDocument.Parse(await viewer.GetStringAsync($"/api/payments/reports/daily?day={day}"));
        var after = Rows(afterDoc.RootElement);
        var (k0, k1) = (before["KIO-04"], after["KIO-04"]);
        Assert.Equal(3, I(k1, "count") - I(k0, "count"));
        Assert.Equal(2 * cash.Amount + card.Amount, D(k1, "total") - D(k0, "total"));
        Assert.Equal(2 * cash.Amount, D(k1, "cashTotal") - D(k0, "cashTotal"));
        Assert.Equal(card.Amount, D(k1, "cardTotal") - D(k0, "cardTotal"));
        Assert.Equal(cash.Amount + card.Amount, D(k1, "appliedTotal") - D(k0, "appliedTotal"));
        Assert.Equal(cash.Amount, D(k1, "refundTotal") - D(k0, "refundTotal"));
        Assert.Equal(online.Amount, D(after["online"], "cardTotal") - D(before["online"], "cardTotal"));
        Assert.Equal(1, I(after["online"], "count") - I(before["online"], "count"));
        foreach (var other in new[] { "KIO-01", "KIO-02", "KIO-03", "KIO-05", "bank" })
            Assert.Equal(D(before[other], "total"), D(after[other], "total"));

        // every row adds up, and the total is the rows' sum and the database's
        foreach (var row in after.Values)
        {
            Assert.Equal(D(row, "total"), D(row, "cashTotal") + D(row, "cardTotal") + D(row, "otherTotal"));
            Assert.Equal(D(row, "total"), D(row, "appliedTotal") + D(row, "refundTotal"));
            Assert.Equal(I(row, "count"), I(row, "cashCount") + I(row, "cardCount") + I(row, "otherCount"));
        }
        var total = afterDoc.RootElement.GetProperty("total");
        Assert.Equal(after.Values.Sum(r => D(r, "total")), D(total, "total"));
        Assert.Equal(await f.ScalarAsync<decimal>("SELECT coalesce(sum(amount), 0) FROM payments.payments WHERE (received_at AT TIME ZONE 'America/Mexico_City')::date = @d",
            ("d", PredialDebts.Today())), D(total, "total"));

        // the CSV: UTF-8 with BOM, one line per row and the total, the same figures
        var csv = await viewer.GetAsync($"/api/payments/reports/daily.csv?day={day}");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.StartsWith("dia,canal,modulo,nombre_modulo,operaciones,total,efectivo_operaciones,efectivo_total", lines[0]);
        Assert.Equal(after.Count + 2, lines.Count);
        var kioskLine = lines.Single(l => l.Contains(",KIO-04,", StringComparison.Ordinal));
        Assert.Contains($",{I(k1, "count")},{D(k1, "total").ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)},", kioskLine);
        Assert.StartsWith($"{day},total,,,{I(total, "count")},{D(total, "total").ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)},", lines[^1]);

        foreach (var bad in new[] { "ayer", "2026-13-01", "1999-01-01" })
        {
            var problem = await ProblemAssert.IsProblemAsync(await viewer.GetAsync($"/api/payments/reports/daily?day={bad}"), HttpStatusCode.BadRequest);
            Assert.Contains("AAAA-MM-DD", problem.GetProperty("detail_es").GetString());
        }
    }

    [Fact]
    public async Task Staff_find_payments_by_reference_folio_clave_and_day_and_the_order_has_a_qr_of_its_reference()
    {
        var (clave, reference, amount) = await OrderAsync();
        Assert.Equal(HttpStatusCode.Created, await PayAsync(await KioskAsync("KIO-02"), reference, amount, "cash"));
        var receipt = await f.NewClient().PostAsync("/api/payments/receipts", Json(new { reference }));
        using var receiptDoc = JsonDocument.Parse(await receipt.Content.ReadAsStringAsync());
        var folio = receiptDoc.RootElement.GetProperty("folio").GetString()!;

        var (_, _, viewer) = await f.StaffAsync("viewer");
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.NewClient().GetAsync($"/api/payments/search?q={reference}")).StatusCode);
        var display = LineaDeCaptura.TryParse(reference, out var parsed) == LineaDeCaptura.Problem.None ? parsed.Display : reference;
        foreach (var q in new[] { reference, Uri.EscapeDataString(display), folio, clave })
        {
            using var found = JsonDocument.Parse(await viewer.GetStringAsync($"/api/payments/search?q={q}"));
            var one = Assert.Single(found.RootElement.EnumerateArray());
            Assert.Equal(reference, one.GetProperty("reference").GetString());
            Assert.Equal("kiosk", one.GetProperty("channel").GetString());
            Assert.Equal("KIO-02", one.GetProperty("kiosk").GetString());
            Assert.Equal(amount, one.GetProperty("amount").GetDecimal());
            Assert.Equal(folio, one.GetProperty("folio").GetString());
            Assert.Equal("valid", one.GetProperty("receiptStatus").GetString());
            Assert.False(one.TryGetProperty("code", out _)); // the receipt's code is the citizen's, not the search's
        }
        using (var today = JsonDocument.Parse(await viewer.GetStringAsync("/api/payments/search")))
            Assert.Contains(today.RootElement.EnumerateArray(), p => p.GetProperty("reference").GetString() == reference);
        using (var tomorrow = JsonDocument.Parse(await viewer.GetStringAsync($"/api/payments/search?q={clave}&day={PredialDebts.Today().AddDays(1):yyyy-MM-dd}")))
            Assert.Empty(tomorrow.RootElement.EnumerateArray());

        var forged = reference[..19] + (reference[19] == '9' ? '0' : (char)(reference[19] + 1));
        foreach (var bad in new[] { "hola", forged, "=1+1", new string('9', 41) })
        {
            var problem = await ProblemAssert.IsProblemAsync(await viewer.GetAsync($"/api/payments/search?q={Uri.EscapeDataString(bad)}"), HttpStatusCode.BadRequest);
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail_es").GetString()));
        }
        await ProblemAssert.IsProblemAsync(await viewer.GetAsync("/api/payments/search?day=mañana"), HttpStatusCode.BadRequest);

        // the order's QR holds its reference only
        var qr = await f.Http.GetAsync($"/api/payments/orders/{reference}/qr.png");
        Assert.Equal("image/png", qr.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, (await qr.Content.ReadAsByteArrayAsync())[..4]);
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/api/payments/orders/{forged}/qr.png"), HttpStatusCode.BadRequest);
        var unknown = LineaDeCaptura.Create(1, 9_999_999_999, PredialDebts.Today()).Digits;
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/api/payments/orders/{unknown}/qr.png"), HttpStatusCode.NotFound);
    }
}
