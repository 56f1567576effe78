using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OpenVeracruz.Tests.Maintenance;

/// <summary>Tickets through the real HTTP pipeline: who may do what, the transitions and their history, comments and attachments.</summary>
[Collection(nameof(ItMaintenance))]
public class TicketTests(ItMaintenance f)
{
    private static async Task<JsonElement> JsonOf(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static async Task<long> ReportAsync(HttpClient client, string title = "La impresora de Catastro no imprime", int urgency = 4, int impact = 3) =>
        (await JsonOf(await client.PostAsync("/api/maintenance/tickets", PlatformFixture.Json(new { title, description = "Atasco en la bandeja 2", urgency, impact, lon = -96.1369, lat = 19.1993 })),
            HttpStatusCode.Created)).GetProperty("id").GetInt64();

    private Task<string> StateAsync(long id) => f.ScalarAsync<string>("SELECT state FROM maintenance.tickets WHERE id = @id", ("id", id));

    [Fact]
    public async Task A_technician_takes_starts_and_resolves_and_the_reporter_closes_each_step_recorded_with_who_and_when()
    {
        var (_, _, clerk) = await f.StaffAsync("viewer");
        var (_, _, tech) = await f.StaffAsync("editor");
        var id = await ReportAsync(clerk);

        var reported = await JsonOf(await clerk.GetAsync($"/api/maintenance/tickets/{id}"), HttpStatusCode.OK);
        var t = reported.GetProperty("ticket");
        Assert.Equal("reported", t.GetProperty("state").GetString());
        Assert.Equal(4, t.GetProperty("priority").GetInt32()); // urgency 4 × impact 3
        Assert.True(t.GetProperty("resolveDueAt").GetDateTime() > t.GetProperty("assignDueAt").GetDateTime());

        // the technician sees it in the queue, not yet in "mine"
        var queue = await JsonOf(await tech.GetAsync("/api/maintenance/tickets?scope=queue"), HttpStatusCode.OK);
        Assert.Contains(queue.EnumerateArray(), x => x.GetProperty("id").GetInt64() == id);
        Assert.Equal("assigned", (await JsonOf(await tech.PostAsync($"/api/maintenance/tickets/{id}/take", null), HttpStatusCode.OK)).GetProperty("state").GetString());
        var mine = await JsonOf(await tech.GetAsync("/api/maintenance/tickets?scope=mine"), HttpStatusCode.OK);
        Assert.Contains(mine.EnumerateArray(), x => x.GetProperty("id").GetInt64() == id && x.GetProperty("assignedToMe").GetBoolean());

        Assert.Equal("in_progress", (await JsonOf(await tech.PostAsync($"/api/maintenance/tickets/{id}/start", null), HttpStatusCode.OK)).GetProperty("state").GetString());
        Assert.Equal("resolved", (await JsonOf(await tech.PostAsync($"/api/maintenance/tickets/{id}/resolve", PlatformFixture.Json(new { note = "Se cambió el rodillo" })), HttpStatusCode.OK)).GetProperty("state").GetString());
        Assert.Equal("closed", (await JsonOf(await clerk.PostAsync($"/api/maintenance/tickets/{id}/close", null), HttpStatusCode.OK)).GetProperty("state").GetString());
        Assert.Equal(201, (int)(await clerk.PostAsync($"/api/maintenance/tickets/{id}/comments", PlatformFixture.Json(new { text = "Gracias, ya imprime" }))).StatusCode);

        var detail = await JsonOf(await clerk.GetAsync($"/api/maintenance/tickets/{id}"), HttpStatusCode.OK);
        var events = detail.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["reported", "assigned", "in_progress", "resolved", "closed"],
            events.Where(e => e.GetProperty("kind").GetString() == "transition").Select(e => e.GetProperty("to").GetString()));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("actor").GetString())));
        Assert.Equal("editor", events.Single(e => e.GetProperty("to").GetString() == "resolved").GetProperty("actor").GetString()); // display name, never the e-mail
        Assert.Equal("Se cambió el rodillo", events.Single(e => e.GetProperty("to").GetString() == "resolved").GetProperty("text").GetString());
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "comment" && e.GetProperty("text").GetString() == "Gracias, ya imprime");
        Assert.DoesNotContain("@pruebas.veracruz.gob.mx", detail.ToString());
    }

    [Fact]
    public async Task Closing_an_unassigned_ticket_is_a_bilingual_409_and_changes_nothing()
    {
        var (_, _, clerk) = await f.StaffAsync("viewer");
        var id = await ReportAsync(clerk);
        var p = await ProblemAssert.IsProblemAsync(await clerk.PostAsync($"/api/maintenance/tickets/{id}/close", null), HttpStatusCode.Conflict);
        Assert.Contains("nadie lo tiene asignado", p.GetProperty("detail_es").GetString());
        Assert.Equal("reported", await StateAsync(id));
        Assert.Equal(1, await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.ticket_events WHERE ticket_id = @id", ("id", id)));
        // and resolving before starting, by the one assigned
        var (techEmail, _, tech) = await f.StaffAsync("editor");
        var (_, _, boss) = await f.StaffAsync("supervisor");
        await JsonOf(await boss.PostAsync($"/api/maintenance/tickets/{id}/assign", PlatformFixture.Json(new { assignee = techEmail })), HttpStatusCode.OK);
        await ProblemAssert.IsProblemAsync(await tech.PostAsync($"/api/maintenance/tickets/{id}/resolve", null), HttpStatusCode.Conflict);
        Assert.Equal("assigned", await StateAsync(id));
    }

    [Fact]
    public async Task Technicians_move_only_their_tickets_staff_see_only_what_they_reported_supervisors_see_all()
    {
        var (_, _, clerk) = await f.StaffAsync("viewer");
        var (_, _, other) = await f.StaffAsync("viewer");
        var (_, _, tech) = await f.StaffAsync("editor");
        var (_, _, rival) = await f.StaffAsync("editor");
        var (_, _, boss) = await f.StaffAsync("supervisor");
        var id = await ReportAsync(clerk);
        await ProblemAssert.IsProblemAsync(await other.GetAsync($"/api/maintenance/tickets/{id}"), HttpStatusCode.NotFound);
        await JsonOf(await tech.PostAsync($"/api/maintenance/tickets/{id}/take", null), HttpStatusCode.OK);
        // another technician no longer sees it, cannot take it, start it or resolve it
        await ProblemAssert.IsProblemAsync(await rival.PostAsync($"/api/maintenance/tickets/{id}/take", null), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await rival.PostAsync($"/api/maintenance/tickets/{id}/start", null), HttpStatusCode.NotFound);
        // the reporter cannot start it; a viewer cannot assign (403 by role)
        await ProblemAssert.IsProblemAsync(await clerk.PostAsync($"/api/maintenance/tickets/{id}/start", null), HttpStatusCode.Forbidden);
        Assert.Equal("assigned", await StateAsync(id));
        // a supervisor sees everything and the board shows the ticket on the map
        var board = await JsonOf(await boss.GetAsync("/api/maintenance/board"), HttpStatusCode.OK);
        Assert.Contains(board.GetProperty("onMap").EnumerateArray(), x => x.GetProperty("id").GetInt64() == id && x.GetProperty("lon").GetDouble() < -96);
        // assigning to someone who is not a technician is refused
        var (clerkEmail, _, _) = await f.StaffAsync("viewer");
        await ProblemAssert.IsProblemAsync(await boss.PostAsync($"/api/maintenance/tickets/{id}/assign", PlatformFixture.Json(new { assignee = clerkEmail })), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Bad_reports_are_refused_and_nothing_is_stored()
    {
        var (_, _, clerk) = await f.StaffAsync("viewer");
        var before = await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.tickets");
        foreach (var body in new object[]
        {
            new { title = "" }, new { title = "Falla", urgency = 6 }, new { title = "Falla", impact = 0 }, new { title = "Falla", kind = "otro" },
            new { title = "Falla", lon = -96.1 }, new { title = "Falla", kind = "preventive" },
        })
        {
            var r = await clerk.PostAsync("/api/maintenance/tickets", PlatformFixture.Json(body));
            Assert.True(r.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"{body}: {(int)r.StatusCode}");
            await ProblemAssert.IsProblemAsync(r, r.StatusCode);
        }
        Assert.Equal(before, await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.tickets"));
    }

    private static MultipartFormDataContent File(string name, byte[] content, string type)
    {
        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue(type);
        return new MultipartFormDataContent { { part, "file", name } };
    }

    [Fact]
    public async Task An_attachment_whose_content_is_not_what_its_name_says_is_refused_and_a_real_photo_is_kept()
    {
        var (_, _, clerk) = await f.StaffAsync("viewer");
        var id = await ReportAsync(clerk);
        var pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray();
        var p = await ProblemAssert.IsProblemAsync(await clerk.PostAsync($"/api/maintenance/tickets/{id}/attachments", File("foto.png", pdf, "image/png")), HttpStatusCode.BadRequest);
        Assert.Contains("application/pdf", p.GetProperty("detail").GetString());
        await ProblemAssert.IsProblemAsync(await clerk.PostAsync($"/api/maintenance/tickets/{id}/attachments", File("script.html", "<script>"u8.ToArray(), "text/html")), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await clerk.PostAsync($"/api/maintenance/tickets/{id}/attachments", PlatformFixture.Json(new { file = "x" })), HttpStatusCode.BadRequest);
        Assert.Equal(0, await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.ticket_attachments WHERE ticket_id = @id", ("id", id)));

        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52 };
        var created = await JsonOf(await clerk.PostAsync($"/api/maintenance/tickets/{id}/attachments", File("atasco.png", png, "image/png")), HttpStatusCode.Created);
        Assert.Equal("image/png", created.GetProperty("contentType").GetString());
        var back = await clerk.GetAsync($"/api/maintenance/tickets/{id}/attachments/{created.GetProperty("id").GetInt64()}");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(png, await back.Content.ReadAsByteArrayAsync());
        // somebody else's ticket's attachment is not there for a stranger
        var (_, _, stranger) = await f.StaffAsync("viewer");
        await ProblemAssert.IsProblemAsync(await stranger.GetAsync($"/api/maintenance/tickets/{id}/attachments/{created.GetProperty("id").GetInt64()}"), HttpStatusCode.NotFound);
    }
}
