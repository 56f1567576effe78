using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Payments;

public static class KioskKit
{
    /// <summary>A new key for a kiosk, issued by a new supervisor: a client that sends it, the key's id, and the supervisor.</summary>
    public static async Task<(HttpClient Kiosk, Guid KeyId, HttpClient Supervisor)> IssueAsync(PlatformFixture f, string code)
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var issued = await supervisor.PostAsync($"/api/payments/kiosks/{code}/keys", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        using var doc = JsonDocument.Parse(await issued.Content.ReadAsStringAsync());
        var c = f.BareClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", doc.RootElement.GetProperty("key").GetString());
        return (c, doc.RootElement.GetProperty("id").GetGuid(), supervisor);
    }
}

/// <summary>A kiosk reporting a fault with its own key: its status in the layer, and one IT maintenance ticket while it is open.</summary>
[Collection(nameof(Multipagos))]
public class KioskFaultTests(Multipagos f)
{
    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private Task<(HttpClient Kiosk, Guid KeyId, HttpClient Supervisor)> KioskAsync(string code) => KioskKit.IssueAsync(f, code);

    private Task<long> TicketsAsync(string code) =>
        f.ScalarAsync<long>("SELECT count(*) FROM maintenance.tickets WHERE subject = @s", ("s", $"kiosk:{code}"));

    private Task<string> StatusAsync(string code) =>
        f.ScalarAsync<string>("SELECT status FROM payments.kiosk_layer WHERE code = @c", ("c", code));

    [Fact]
    public async Task A_fault_opens_one_ticket_sets_the_status_and_a_second_joins_it()
    {
        const string code = "KIO-04";
        var (kiosk, keyId, supervisor) = await KioskAsync(code);
        var before = await StatusAsync(code);

        // no key, an unknown key, a revoked key: 401 and nothing changes
        await ProblemAssert.IsProblemAsync(await f.BareClient().PostAsync("/api/payments/kiosk/fault", Json(new { kind = "paper" })), HttpStatusCode.Unauthorized);
        var stranger = f.BareClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ovk_" + new string('0', 48));
        await ProblemAssert.IsProblemAsync(await stranger.PostAsync("/api/payments/kiosk/fault", Json(new { kind = "paper" })), HttpStatusCode.Unauthorized);
        var (revoked, revokedId, _) = await KioskAsync(code);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.DeleteAsync($"/api/payments/kiosk-keys/{revokedId}")).StatusCode);
        var refused = await revoked.PostAsync("/api/payments/kiosk/fault", Json(new { kind = "paper" }));
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Contains("payment-kiosk", refused.Headers.WwwAuthenticate.ToString());

        // bad bodies: clear 400s in both languages, nothing changes
        foreach (var body in new object[] { new { kind = "fire" }, new { detail = "sin kind" }, new { kind = 3 }, new { kind = "paper", detail = new string('x', 501) }, new { kind = "paper", detail = 7 } })
            await ProblemAssert.IsProblemAsync(await kiosk.PostAsync("/api/payments/kiosk/fault", Json(body)), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await kiosk.PostAsync("/api/payments/kiosk/fault", new StringContent("[1,2", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Equal(0L, await TicketsAsync(code));
        Assert.Equal(before, await StatusAsync(code));

        // the fault: 201 with the ticket, the layer shows the status
        var first = await kiosk.PostAsync("/api/payments/kiosk/fault", Json(new { kind = "paper", detail = "Se atascó el rollo térmico" }));
        var firstText = await first.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.Created == first.StatusCode, firstText);
        var opened = JsonDocument.Parse(firstText).RootElement;
        var ticket = opened.GetProperty("ticket").GetInt64();
        Assert.True(opened.GetProperty("created").GetBoolean());
        Assert.Equal($"/api/maintenance/tickets/{ticket}", first.Headers.Location?.OriginalString);
        Assert.Equal("no_paper", await StatusAsync(code));
        Assert.Equal("kiosk", await f.ScalarAsync<string>("SELECT source FROM maintenance.tickets WHERE id = @id", ("id", ticket)));
        Assert.Equal("corrective", await f.ScalarAsync<string>("SELECT kind FROM maintenance.tickets WHERE id = @id", ("id", ticket)));
        Assert.Contains("rollo térmico", await f.ScalarAsync<string>("SELECT description FROM maintenance.tickets WHERE id = @id", ("id", ticket)));

        // a second fault while it is open: 200, the same ticket, a comment on it; the status follows the new fault
        var second = await kiosk.PostAsync("/api/payments/kiosk/fault", Json(new { kind = "network" }));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var joined = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ticket, joined.GetProperty("ticket").GetInt64());
        Assert.False(joined.GetProperty("created").GetBoolean());
        Assert.Equal("out_of_service", await StatusAsync(code));
        Assert.Equal(1L, await TicketsAsync(code));
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.ticket_events WHERE ticket_id = @id AND kind = 'comment'", ("id", ticket)));

        Assert.Equal(HttpStatusCode.OK, (await kiosk.PostAsync("/api/payments/kiosk/heartbeat", Json(new { status = "operating" }))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.DeleteAsync($"/api/payments/kiosk-keys/{keyId}")).StatusCode);
    }

    [Fact]
    public async Task Sixteen_parallel_faults_of_one_kiosk_open_one_ticket()
    {
        const string code = "KIO-05";
        var (kiosk, _, _) = await KioskAsync(code);
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            var r = await kiosk.PostAsync("/api/payments/kiosk/fault", Json(new { kind = "card", detail = $"Lector {i}" }));
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, text);
            return (r.StatusCode, Ticket: JsonDocument.Parse(text).RootElement.GetProperty("ticket").GetInt64());
        }));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.Single(answers.Select(a => a.Ticket).Distinct());
        Assert.Equal(1L, await TicketsAsync(code));
        Assert.Equal("out_of_service", await StatusAsync(code));
        Assert.Equal(HttpStatusCode.OK, (await kiosk.PostAsync("/api/payments/kiosk/heartbeat", Json(new { status = "operating" }))).StatusCode);
    }
}
