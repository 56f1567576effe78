using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Payments;

namespace OpenVeracruz.Tests.Payments;

/// <summary>Predial debt, payment orders and every channel on the real database, with the races the issue names.</summary>
[Collection(nameof(Multipagos))]
public class PaymentTests(Multipagos f)
{
    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task<string> ClaveAsync() => (await f.FreshBlockAsync()).Claves[0];

    private async Task<JsonElement> OrderAsync(string clave)
    {
        var r = await f.NewClient().PostAsync("/api/payments/orders", Json(new { clave }));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<HttpClient> KioskAsync(string code = "KIO-01") => (await KioskKit.IssueAsync(f, code)).Kiosk;

    private static async Task<HttpResponseMessage> PayAsync(HttpClient kiosk, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/payments/kiosk/pay") { Content = Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await kiosk.SendAsync(request);
    }

    private Task<long> PaymentsAsync(string reference, string status = "applied") =>
        f.ScalarAsync<long>("SELECT count(*) FROM payments.payments WHERE reference = @r AND status = @s", ("r", reference), ("s", status));

    [Fact]
    public async Task The_debt_is_shown_line_by_line_without_owner_data_and_bad_claves_are_clear_problems()
    {
        var clave = await ClaveAsync();
        var (status, debt, _) = await f.GetJsonAsync($"/api/payments/predial/{clave}");
        Assert.Equal(HttpStatusCode.OK, status);
        var years = debt.GetProperty("years").EnumerateArray().ToList();
        Assert.Contains(years, y => y.GetProperty("year").GetInt32() == PredialDebts.Today().Year);
        Assert.Equal(debt.GetProperty("total").GetDecimal(), years.Sum(y => y.GetProperty("total").GetDecimal()));
        foreach (var y in years)
            Assert.Equal(y.GetProperty("total").GetDecimal(), y.GetProperty("tax").GetDecimal() - y.GetProperty("discount").GetDecimal() + y.GetProperty("surcharge").GetDecimal());
        var owner = await f.ScalarAsync<string>("SELECT o.full_name FROM private.owners o JOIN cadastre.parcels p ON p.id = o.parcel_id WHERE p.clave = @c", ("c", clave));
        Assert.DoesNotContain(owner, debt.GetRawText());

        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/payments/predial/999-9999-999"), HttpStatusCode.NotFound);
        var bad = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/payments/predial/no-es-clave"), HttpStatusCode.BadRequest);
        Assert.Contains("clave catastral", bad.GetProperty("detail_es").GetString());
        // a retired parcel: it leaves cadastre.parcels, its versions stay
        var retired = (await f.FreshBlockAsync()).Claves[1];
        await f.ScalarAsync<int>("UPDATE cadastre.parcel_versions SET valid_to = now() WHERE clave = @c AND valid_to IS NULL; DELETE FROM cadastre.parcels WHERE clave = @c; SELECT 1", ("c", retired));
        var gone = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/api/payments/predial/{retired}"), HttpStatusCode.Gone);
        Assert.Contains("dado de baja", gone.GetProperty("detail_es").GetString());
        await ProblemAssert.IsProblemAsync(await f.NewClient().PostAsync("/api/payments/orders", Json(new { clave = retired })), HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Thirty_two_parallel_order_requests_for_one_parcel_make_one_order()
    {
        var clave = await ClaveAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            var r = await f.NewClient().PostAsync("/api/payments/orders", Json(new { clave }));
            return (r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
        }));
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, a.Item2.GetRawText()));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Single(answers.Select(a => a.Item2.GetProperty("reference").GetString()).Distinct());
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM payments.orders WHERE clave = @c", ("c", clave)));
        var reference = answers[0].Item2.GetProperty("reference").GetString()!;
        Assert.Equal(LineaDeCaptura.Problem.None, LineaDeCaptura.TryParse(reference, out var parsed));
        Assert.Equal(DateOnly.Parse(answers[0].Item2.GetProperty("expires").GetString()!, System.Globalization.CultureInfo.InvariantCulture), parsed.Expires);
        Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync($"/api/payments/orders/{reference}")).StatusCode);
        var forged = reference[..5] + (reference[5] == '9' ? '0' : (char)(reference[5] + 1)) + reference[6..];
        var refused = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/api/payments/orders/{forged}"), HttpStatusCode.BadRequest);
        Assert.Contains("verificadores", refused.GetProperty("detail_es").GetString());
    }

    [Fact]
    public async Task A_kiosk_payment_is_idempotent_and_refusals_change_nothing()
    {
        var order = await OrderAsync(await ClaveAsync());
        var (reference, amount) = (order.GetProperty("reference").GetString()!, order.GetProperty("amount").GetDecimal());
        var kiosk = await KioskAsync();

        // refusals: no key, unknown key, no Idempotency-Key, forged reference, another amount, negative and absurd amounts
        var anonymous = f.BareClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await PayAsync(anonymous, "k0", new { reference, amount, method = "cash" })).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ovk_" + new string('0', 48));
        await ProblemAssert.IsProblemAsync(await PayAsync(anonymous, "k0", new { reference, amount, method = "cash" }), HttpStatusCode.Unauthorized);
        using (var noKey = new HttpRequestMessage(HttpMethod.Post, "/api/payments/kiosk/pay") { Content = Json(new { reference, amount, method = "cash" }) })
            await ProblemAssert.IsProblemAsync(await kiosk.SendAsync(noKey), HttpStatusCode.BadRequest);
        var forged = reference[..19] + (reference[19] == '9' ? '0' : (char)(reference[19] + 1));
        foreach (var body in new object[]
        {
            new { reference = forged, amount, method = "cash" }, new { reference, amount = amount + 1, method = "cash" },
            new { reference, amount = -5m, method = "cash" }, new { reference, amount = 1e12m, method = "cash" }, new { reference, amount = 1.001m, method = "cash" },
            new { reference, amount, method = "bitcoin" },
        })
            await ProblemAssert.IsProblemAsync(await PayAsync(kiosk, Guid.NewGuid().ToString(), body), HttpStatusCode.BadRequest);
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM payments.payments WHERE reference = @r", ("r", reference)));

        // 64 parallel requests with one key: one charge, 64 identical answers
        var key = Guid.NewGuid().ToString();
        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            var r = await PayAsync(kiosk, key, new { reference, amount, method = "cash" });
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        Assert.Single(answers.Select(a => a.Item2).Distinct());
        Assert.Equal(1L, await PaymentsAsync(reference));
        Assert.Equal("paid", await f.ScalarAsync<string>("SELECT state FROM payments.orders WHERE reference = @r", ("r", reference)));
        // the same key with another body: 409, nothing changed
        await ProblemAssert.IsProblemAsync(await PayAsync(kiosk, key, new { reference, amount, method = "card" }), HttpStatusCode.Conflict);
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM payments.payments WHERE reference = @r", ("r", reference)));
        // the debt now shows the years as paid, and the kiosk's count of today went up in the public layer
        var (_, debt, _) = await f.GetJsonAsync($"/api/payments/predial/{order.GetProperty("clave").GetString()}");
        Assert.Empty(debt.GetProperty("years").EnumerateArray());
        Assert.True(await f.ScalarAsync<int>("SELECT transactions_today FROM payments.kiosk_layer WHERE code = 'KIO-01'") >= 1);
    }

    [Fact]
    public async Task A_revoked_kiosk_key_stops_at_once_and_the_heartbeat_sets_the_status()
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var issued = JsonDocument.Parse(await (await supervisor.PostAsync("/api/payments/kiosks/KIO-03/keys", null)).Content.ReadAsStringAsync()).RootElement;
        var kiosk = f.BareClient();
        kiosk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.GetProperty("key").GetString());
        var beat = await kiosk.PostAsync("/api/payments/kiosk/heartbeat", Json(new { status = "no_paper" }));
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        Assert.Equal("no_paper", await f.ScalarAsync<string>("SELECT status FROM payments.kiosk_layer WHERE code = 'KIO-03'"));
        await ProblemAssert.IsProblemAsync(await kiosk.PostAsync("/api/payments/kiosk/heartbeat", Json(new { status = "on_fire" })), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.DeleteAsync($"/api/payments/kiosk-keys/{issued.GetProperty("id").GetGuid()}")).StatusCode);
        await ProblemAssert.IsProblemAsync(await kiosk.PostAsync("/api/payments/kiosk/heartbeat", Json(new { status = "operating" })), HttpStatusCode.Unauthorized);
        Assert.Equal("no_paper", await f.ScalarAsync<string>("SELECT status FROM payments.kiosk_layer WHERE code = 'KIO-03'"));
        await kiosk.PostAsync("/api/payments/kiosk/heartbeat", Json(new { status = "operating" }));
    }

    private async Task<(string IntentId, string Payload)> ConfirmedIntentAsync(string reference)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/payments/online/intents") { Content = Json(new { reference }) };
        create.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var created = await f.NewClient().SendAsync(create);
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.Created == created.StatusCode, text);
        var intent = JsonDocument.Parse(text).RootElement.GetProperty("intentId").GetString()!;
        var confirmed = await f.NewClient().PostAsync($"/api/payments/gateway/intents/{intent}/confirm", Json(new { card = "4242 4242 4242 4242" }));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        return (intent, await f.ScalarAsync<string>("SELECT payload FROM payments.gateway_events WHERE intent_id = @i", ("i", intent)));
    }

    private async Task<HttpResponseMessage> DeliverAsync(string payload, string secret = "whsec_openveracruz_simulated_gateway_development_only", DateTimeOffset? at = null)
    {
        using var request = GatewayWebhookJob.SignedRequest(new Uri(f.BaseUri, "/api/payments/online/webhook").ToString(), payload, secret, at ?? DateTimeOffset.UtcNow);
        return await f.BareClient().SendAsync(request);
    }

    [Fact]
    public async Task The_webhook_is_verified_and_a_second_delivery_changes_nothing()
    {
        var order = await OrderAsync(await ClaveAsync());
        var reference = order.GetProperty("reference").GetString()!;
        var (_, payload) = await ConfirmedIntentAsync(reference);

        var unsigned = await f.BareClient().PostAsync("/api/payments/online/webhook", new StringContent(payload, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(unsigned, HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await DeliverAsync(payload, secret: "whsec_forged"), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await DeliverAsync(payload, at: DateTimeOffset.UtcNow.AddMinutes(-10)), HttpStatusCode.Unauthorized);
        Assert.Equal(0L, await PaymentsAsync(reference));

        var first = await DeliverAsync(payload);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var again = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => DeliverAsync(payload)));
        Assert.All(again, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1L, await PaymentsAsync(reference));
        Assert.Equal(0L, await PaymentsAsync(reference, "refund"));
    }

    [Fact]
    public async Task A_kiosk_and_a_webhook_paying_one_reference_at_once_make_one_payment_and_one_refund()
    {
        var kiosk = await KioskAsync("KIO-02");
        for (var round = 0; round < 3; round++)
        {
            var order = await OrderAsync(await ClaveAsync());
            var (reference, amount) = (order.GetProperty("reference").GetString()!, order.GetProperty("amount").GetDecimal());
            var (_, payload) = await ConfirmedIntentAsync(reference);
            var results = await Task.WhenAll(PayAsync(kiosk, Guid.NewGuid().ToString(), new { reference, amount, method = "card" }), DeliverAsync(payload));
            Assert.All(results, r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));
            Assert.Equal(1L, await PaymentsAsync(reference));
            Assert.Equal(1L, await PaymentsAsync(reference, "refund"));
            Assert.Equal("reference_already_paid", await f.ScalarAsync<string>("SELECT refund_reason FROM payments.payments WHERE reference = @r AND status = 'refund'", ("r", reference)));
        }
    }

    [Fact]
    public async Task A_bank_file_reports_bad_lines_imports_the_rest_and_a_second_import_doubles_nothing()
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var a = await OrderAsync(await ClaveAsync());
        var b = await OrderAsync(await ClaveAsync());
        var today = PredialDebts.Today().ToString("yyyy-MM-dd");
        var ra = a.GetProperty("reference").GetString()!;
        var rb = b.GetProperty("reference").GetString()!;
        var folio = "F" + Guid.NewGuid().ToString("N")[..10];
        var file = $"""
            fecha,referencia,importe,sucursal,folio
            {today},{ra},{a.GetProperty("amount").GetDecimal().ToString(System.Globalization.CultureInfo.InvariantCulture)},Centro,{folio}-1
            {today},{ra[..19]}{(ra[19] == '9' ? '0' : (char)(ra[19] + 1))},100.00,Centro,{folio}-2
            ayer,{rb},100.00,Centro,{folio}-3
            {today},{rb},-3,Centro,{folio}-4
            {today},{rb},{(b.GetProperty("amount").GetDecimal() + 10).ToString(System.Globalization.CultureInfo.InvariantCulture)},Centro,{folio}-5
            solo,tres,campos
            """;
        async Task<JsonElement> ImportAsync()
        {
            var r = await supervisor.PostAsync("/api/payments/bank/files?name=banco.csv", new StringContent(file, Encoding.UTF8, "text/csv"));
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(HttpStatusCode.OK == r.StatusCode, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        var first = await ImportAsync();
        Assert.Equal((6, 2, 4), (first.GetProperty("lines").GetInt32(), first.GetProperty("imported").GetInt32(), first.GetProperty("rejected").GetInt32()));
        var report = first.GetProperty("report").EnumerateArray().ToList();
        Assert.Equal([2, 3, 4, 5, 6, 7], report.Select(l => l.GetProperty("line").GetInt32()));
        Assert.Equal(["imported", "rejected", "rejected", "rejected", "imported", "rejected"], report.Select(l => l.GetProperty("status").GetString()));
        Assert.All(report.Where(l => l.GetProperty("status").GetString() == "rejected"), l => Assert.False(string.IsNullOrEmpty(l.GetProperty("reasonEs").GetString())));
        Assert.Equal("amount_differs", report[4].GetProperty("reason").GetString());
        Assert.Equal(1L, await PaymentsAsync(ra));
        Assert.Equal(1L, await PaymentsAsync(rb, "refund"));

        var second = await ImportAsync();
        Assert.Equal((0, 2), (second.GetProperty("imported").GetInt32(), second.GetProperty("alreadyImported").GetInt32()));
        Assert.Equal(1L, await PaymentsAsync(ra));
        Assert.Equal(1L, await PaymentsAsync(rb, "refund"));
    }

    [Fact]
    public async Task The_bank_inbox_job_imports_a_dropped_file_once_and_sets_aside_what_is_not_a_bank_file()
    {
        var inbox = f.Services.GetRequiredService<BankInbox>();
        Directory.CreateDirectory(inbox.Root);
        var a = await OrderAsync(await ClaveAsync());
        var ra = a.GetProperty("reference").GetString()!;
        var amount = a.GetProperty("amount").GetDecimal().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var folio = "J" + Guid.NewGuid().ToString("N")[..10];
        var file = $"fecha,referencia,importe,sucursal,folio\n{PredialDebts.Today():yyyy-MM-dd},{ra},{amount},Centro,{folio}\nsolo,tres,campos\n";
        var name = $"banco-{folio}.csv";
        await File.WriteAllTextAsync(Path.Combine(inbox.Root, name), file);
        await File.WriteAllTextAsync(Path.Combine(inbox.Root, $"otro-{folio}.csv"), "esto no es un archivo del banco\n");
        await File.WriteAllTextAsync(Path.Combine(inbox.Root, $"banco-{folio}.csv.part"), file); // still being written: left alone

        async Task<IReadOnlyList<BankInboxResult>> RunAsync()
        {
            using var scope = f.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<BankInboxJob>().RunAsync();
        }
        // two runs at once: each file is taken by one of them
        var runs = await Task.WhenAll(RunAsync(), RunAsync());
        var mine = runs.SelectMany(r => r).Where(r => r.Name.Contains(folio)).ToList();
        Assert.Equal(2, mine.Count);
        var imported = Assert.Single(mine, r => r.Outcome == "imported");
        Assert.Equal((1, 1), (imported.Import!.Imported, imported.Import.Rejected));
        Assert.True(File.Exists(imported.Path + ".report.json"));
        var rejected = Assert.Single(mine, r => r.Outcome == "rejected");
        Assert.Contains("encabezado", await File.ReadAllTextAsync(rejected.Path + ".reason.txt"));
        Assert.False(File.Exists(Path.Combine(inbox.Root, name)));
        Assert.True(File.Exists(Path.Combine(inbox.Root, $"banco-{folio}.csv.part")));
        Assert.Equal(1L, await PaymentsAsync(ra));
        Assert.Equal(BankInboxJob.Who, await f.ScalarAsync<string>("SELECT imported_by FROM payments.bank_files WHERE name = @n", ("n", name)));

        // the same file dropped again: imported as a file, nothing doubled
        await File.WriteAllTextAsync(Path.Combine(inbox.Root, name), file);
        var again = Assert.Single(await RunAsync(), r => r.Name == name);
        Assert.Equal((0, 1), (again.Import!.Imported, again.Import.AlreadyImported));
        Assert.Equal(1L, await PaymentsAsync(ra));
    }

    [Fact]
    public async Task A_debt_paid_through_two_references_lists_the_second_for_refund()
    {
        var clave = await ClaveAsync();
        var old = await OrderAsync(clave);
        // the citizen printed this order, then (debt changed, say) got a new one; the old one is still within its days
        await f.ScalarAsync<int>("UPDATE payments.orders SET state = 'superseded' WHERE clave = @c; SELECT 1", ("c", clave));
        var fresh = await OrderAsync(clave);
        Assert.NotEqual(old.GetProperty("reference").GetString(), fresh.GetProperty("reference").GetString());
        var kiosk = await KioskAsync("KIO-04");
        Assert.Equal(HttpStatusCode.Created, (await PayAsync(kiosk, Guid.NewGuid().ToString(),
            new { reference = fresh.GetProperty("reference").GetString(), amount = fresh.GetProperty("amount").GetDecimal(), method = "cash" })).StatusCode);
        var second = await PayAsync(kiosk, Guid.NewGuid().ToString(),
            new { reference = old.GetProperty("reference").GetString(), amount = old.GetProperty("amount").GetDecimal(), method = "cash" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using var doc = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal(("refund", "debt_already_paid"), (doc.RootElement.GetProperty("status").GetString(), doc.RootElement.GetProperty("refundReason").GetString()));
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(DISTINCT payment_id) FROM payments.settled_years WHERE clave = @c AND source = 'payment'", ("c", clave)));
    }

    [Fact]
    public async Task Parameter_changes_are_audited_versions_and_only_supervisors_make_them()
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var (_, _, viewer) = await f.StaffAsync("viewer");
        var p = PaymentsSeed.Parameters(2030);
        var body = new
        {
            ratePerThousand = p.RatePerThousand, earlyDiscountPercent = p.EarlyDiscountPercent.ToDictionary(e => e.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), e => e.Value),
            vulnerableDiscountPercent = 50, dueMonth = 3, surchargeMonthlyPercent = 1.13, surchargePerYearPercent = 5, maxSurchargeMonths = 60,
            minimumAmount = 400, rounding = "peso", legalBasis = "Ley de Ingresos 2030 (ilustrativa)", effectiveFrom = "2030-01-01", reason = "Prueba",
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsync("/api/payments/predial/parameters/2030", Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.PutAsync("/api/payments/predial/parameters/2030", Json(body))).StatusCode);
        var bad = await supervisor.PutAsync("/api/payments/predial/parameters/2030", Json(new { body.ratePerThousand, rounding = "decena" }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.PutAsync("/api/payments/predial/parameters/2030", Json(new
        {
            body.ratePerThousand, body.earlyDiscountPercent, body.vulnerableDiscountPercent, body.dueMonth, body.surchargeMonthlyPercent,
            body.surchargePerYearPercent, body.maxSurchargeMonths, minimumAmount = 420, body.rounding, body.legalBasis, body.effectiveFrom, reason = "Corrección",
        }))).StatusCode);
        var (_, history, _) = await f.GetJsonAsync("/api/payments/predial/parameters/2030/history");
        var versions = history.EnumerateArray().ToList();
        Assert.Equal([1, 2], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.False(versions[0].GetProperty("validTo").ValueKind == JsonValueKind.Null);
        Assert.Equal(420m, versions[1].GetProperty("minimumAmount").GetDecimal());
        Assert.Equal("Corrección", versions[1].GetProperty("reason").GetString());
    }
}
