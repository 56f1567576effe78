using System.Net;
using System.Text.Json;
using OpenVeracruz.Platform.Appointments;
using static OpenVeracruz.Tests.Appointments.CitasKit;

namespace OpenVeracruz.Tests.Appointments;

/// <summary>The office side through the real HTTP pipeline: kiosk check-in, walk-ins, the console's actions, races, the live screen.</summary>
[Collection(nameof(CeroFilas))]
public class TurnTests(CeroFilas fixture) : CitasTests(fixture)
{

    private async Task<string> BookNowAsync(TestService svc, TimeSpan fromNow)
    {
        var day = await FreeDayAsync(f, ahead: 5);
        var free = await SendAsync(Citizen(f), HttpMethod.Get, $"/api/appointments/services/{svc.ServiceId}/slots?date={day:yyyy-MM-dd}");
        var start = free.Body.EnumerateArray().Select(s => s.GetProperty("start").GetString()!).First();
        var (status, conf) = await BookAsync(Citizen(f), svc.ServiceId, start, NewCurp());
        Assert.Equal(HttpStatusCode.Created, status);
        var folio = conf.GetProperty("folio").GetString()!;
        await StaffKit.MoveBookingAsync(f, folio, fromNow);
        return folio;
    }

    private static async Task<JsonElement> OkAsync(HttpClient c, HttpMethod m, string url, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (s, json, r) = await SendAsync(c, m, url, body);
        Assert.True(s == expected, $"{m} {url}: {(int)s} {await r.Content.ReadAsStringAsync()}");
        return json;
    }

    [Fact]
    public async Task Kiosk_check_in_walk_ins_and_the_console_from_call_to_finish()
    {
        var svc = await NewServiceAsync(f, desks: 2);
        var other = await f.ScalarAsync<int>("INSERT INTO appointments.services (office_id, procedure, name, prefix, duration_minutes, requirements, cost, legal_basis, online, valid_from, active) " +
                                             "VALUES (@o, @p, 'Otro trámite', 'R', 10, '', 0, '', false, DATE '2020-01-01', true) RETURNING id", ("o", svc.OfficeId), ("p", svc.Procedure + "-otro"));
        var staff = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        var elsewhere = await NewServiceAsync(f, desks: 1);
        var stranger = await StaffKit.AssignedAsync(f, elsewhere.OfficeCode);

        var due = await BookNowAsync(svc, TimeSpan.FromMinutes(3));
        var early = await BookNowAsync(svc, TimeSpan.FromMinutes(45));
        var late = await BookNowAsync(svc, TimeSpan.FromMinutes(-15));
        foreach (var (folio, why) in new[] { (early, "temprano"), (late, "tarde") })
        {
            var (_, _, r) = await PostAsync(staff, "/api/turns/checkin", new { office = svc.OfficeCode, folio });
            Assert.Contains(why, (await ProblemAssert.IsProblemAsync(r, HttpStatusCode.Conflict)).GetProperty("detail_es").GetString());
        }
        var (_, _, foreign) = await PostAsync(stranger, "/api/turns/checkin", new { office = svc.OfficeCode, folio = due });
        await ProblemAssert.IsProblemAsync(foreign, HttpStatusCode.Forbidden);
        Assert.Equal(3L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.bookings WHERE service_id = @s AND state = 'booked'", ("s", svc.ServiceId)));

        var checkedIn = await OkAsync(staff, HttpMethod.Post, "/api/turns/checkin", new { office = svc.OfficeCode, folio = due.ToLowerInvariant() }, HttpStatusCode.Created);
        Assert.Equal("Q-001", checkedIn.GetProperty("code").GetString());
        var (_, _, twice) = await PostAsync(staff, "/api/turns/checkin", new { office = svc.OfficeCode, folio = due });
        await ProblemAssert.IsProblemAsync(twice, HttpStatusCode.Conflict);
        var walkIn = await OkAsync(staff, HttpMethod.Post, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId }, HttpStatusCode.Created);
        var senior = await OkAsync(staff, HttpMethod.Post, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId, priority = "senior" }, HttpStatusCode.Created);
        Assert.Equal(["Q-002", "Q-003"], new[] { walkIn, senior }.Select(t => t.GetProperty("code").GetString()));
        Assert.True(walkIn.GetProperty("estimatedWaitMinutes").GetInt32() >= 15, walkIn.GetRawText()); // one turn ahead, 15 minutes, no desk open yet

        // the queue, and call next, take the due appointment, then the priority turn, then the walk-in
        var queue = await OkAsync(staff, HttpMethod.Get, $"/api/turns/queue?office={svc.OfficeCode}");
        Assert.Equal(["Q-001", "Q-003", "Q-002"], queue.EnumerateArray().Select(t => t.GetProperty("code").GetString()));
        var (_, _, noDesk) = await PostAsync(staff, "/api/turns/next", new { });
        await ProblemAssert.IsProblemAsync(noDesk, HttpStatusCode.Conflict);
        var (_, _, strangerDesk) = await PostAsync(stranger, "/api/turns/desk", new { office = svc.OfficeCode, name = "Intrusa" });
        await ProblemAssert.IsProblemAsync(strangerDesk, HttpStatusCode.Forbidden);
        await OkAsync(staff, HttpMethod.Post, "/api/turns/desk", new { office = svc.OfficeCode, name = "Ventanilla 1" });

        var first = await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { });
        Assert.Equal(("Q-001", "Ventanilla 1", 1), (first.GetProperty("code").GetString(), first.GetProperty("desk").GetString(), first.GetProperty("callCount").GetInt32()));
        var id = first.GetProperty("id").GetInt64();
        // staff of another office cannot act on it
        var (_, _, notYours) = await PostAsync(stranger, $"/api/turns/{id}/finish", new { notes = "no" });
        await ProblemAssert.IsProblemAsync(notYours, HttpStatusCode.Forbidden);
        Assert.Equal("called", await f.ScalarAsync<string>("SELECT state FROM appointments.turns WHERE id = @i", ("i", id)));
        var screen = await OkAsync(Citizen(f), HttpMethod.Get, $"/api/screens/{svc.OfficeCode}");
        Assert.Equal("Ventanilla 1", screen.GetProperty("called")[0].GetProperty("desk").GetString());

        // recall up to the limit (3 calls), then it is missed; back in the queue, it is called again and served
        Assert.Equal(2, (await OkAsync(staff, HttpMethod.Post, $"/api/turns/{id}/recall")).GetProperty("callCount").GetInt32());
        Assert.Equal(3, (await OkAsync(staff, HttpMethod.Post, $"/api/turns/{id}/recall")).GetProperty("callCount").GetInt32());
        Assert.Equal("missed", (await OkAsync(staff, HttpMethod.Post, $"/api/turns/{id}/recall")).GetProperty("state").GetString());
        var (_, _, cannot) = await PostAsync(staff, $"/api/turns/{id}/recall", new { });
        await ProblemAssert.IsProblemAsync(cannot, HttpStatusCode.Conflict);
        await OkAsync(staff, HttpMethod.Post, $"/api/turns/{id}/resume");
        Assert.Equal(id, (await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { })).GetProperty("id").GetInt64());
        await OkAsync(staff, HttpMethod.Post, $"/api/turns/{id}/start");
        var done = await OkAsync(staff, HttpMethod.Post, $"/api/turns/{id}/finish", new { notes = "Pagó el predial; se entregó recibo." });
        Assert.Equal("done", done.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(done.GetProperty("surveyKey").GetString()));
        Assert.Equal("attended", await f.ScalarAsync<string>("SELECT state FROM appointments.bookings WHERE folio = @f", ("f", due)));

        var priority = await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { });
        Assert.Equal("Q-003", priority.GetProperty("code").GetString());
        Assert.Equal("parked", (await OkAsync(staff, HttpMethod.Post, $"/api/turns/{priority.GetProperty("id").GetInt64()}/park")).GetProperty("state").GetString());
        var walk = await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { });
        Assert.Equal("Q-002", walk.GetProperty("code").GetString());
        var moved = await OkAsync(staff, HttpMethod.Post, $"/api/turns/{walk.GetProperty("id").GetInt64()}/transfer", new { serviceId = other });
        Assert.Equal(("waiting", other, "Q-002"), (moved.GetProperty("state").GetString(), moved.GetProperty("serviceId").GetInt32(), moved.GetProperty("code").GetString()));
        Assert.Equal("no_show", (await OkAsync(staff, HttpMethod.Post, $"/api/turns/{priority.GetProperty("id").GetInt64()}/no-show")).GetProperty("state").GetString());
        Assert.Equal("Q-002", (await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { })).GetProperty("code").GetString());
        var (empty, _, _) = await SendAsync(staff, HttpMethod.Post, "/api/turns/next", new { });
        Assert.Equal(HttpStatusCode.NoContent, empty);
    }

    [Fact]
    public async Task Sixty_four_parallel_walk_in_tickets_get_sixty_four_consecutive_numbers()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var kiosk = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        var kiosk2 = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        var tickets = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            SendAsync(i % 2 == 0 ? kiosk : kiosk2, HttpMethod.Post, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId })));
        Assert.All(tickets, t => Assert.Equal(HttpStatusCode.Created, t.Status));
        var codes = tickets.Select(t => t.Body.GetProperty("code").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(1, 64).Select(n => $"Q-{n:000}"), codes);
    }

    [Fact]
    public async Task Thirty_two_desks_calling_at_once_never_call_a_turn_twice()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var desks = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => StaffKit.AssignedAsync(f, svc.OfficeCode)));
        for (var i = 0; i < desks.Length; i++) await OkAsync(desks[i], HttpMethod.Post, "/api/turns/desk", new { office = svc.OfficeCode, name = $"V{i + 1}" });
        for (var i = 0; i < 40; i++) await OkAsync(desks[0], HttpMethod.Post, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId }, HttpStatusCode.Created);
        var calls = await Task.WhenAll(desks.Select(d => SendAsync(d, HttpMethod.Post, "/api/turns/next", new { })));
        Assert.All(calls, c => Assert.Equal(HttpStatusCode.OK, c.Status));
        Assert.Equal(32, calls.Select(c => c.Body.GetProperty("id").GetInt64()).Distinct().Count());
        Assert.Equal(32, calls.Select(c => c.Body.GetProperty("desk").GetString()).Distinct().Count());
        Assert.Equal(32L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.turns WHERE office_id = @o AND state = 'called'", ("o", svc.OfficeId)));
        Assert.Equal(8L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.turns WHERE office_id = @o AND state = 'waiting'", ("o", svc.OfficeId)));
    }

    [Fact]
    public async Task The_screen_hears_a_call_through_server_sent_events()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var staff = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        await OkAsync(staff, HttpMethod.Post, "/api/turns/desk", new { office = svc.OfficeCode, name = "Caja 4" });
        await OkAsync(staff, HttpMethod.Post, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId }, HttpStatusCode.Created);
        using var screen = f.NewClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await screen.GetAsync($"/api/screens/{svc.OfficeCode}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        async Task<JsonElement> NextEventAsync()
        {
            while (await reader.ReadLineAsync(cts.Token) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) return JsonDocument.Parse(line[6..]).RootElement.Clone();
            throw new EndOfStreamException();
        }
        var initial = await NextEventAsync();
        Assert.Equal(0, initial.GetProperty("called").GetArrayLength());
        Assert.Equal(1, initial.GetProperty("queues")[0].GetProperty("waiting").GetInt32());
        await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { });
        // the ticket's own notice may still reach the stream after the initial state: the call is the first event that shows one
        var after = await NextEventAsync();
        while (after.GetProperty("called").GetArrayLength() == 0) after = await NextEventAsync();
        Assert.Equal(("Q-001", "Caja 4"), (after.GetProperty("called")[0].GetProperty("code").GetString(), after.GetProperty("called")[0].GetProperty("desk").GetString()));
    }

    /// <summary>Checked-in appointments with e-mails, waiting in order (each due a minute after the one before).</summary>
    private async Task<List<(long Turn, long Booking, string Code, string Folio, string Curp)>> BookedTurnsAsync(TestService svc, int count)
    {
        var list = new List<(long, long, string, string, string)>();
        var day = Slots.LocalDay(DateTime.UtcNow);
        for (var i = 0; i < count; i++)
        {
            var folio = "HU" + string.Concat(Guid.NewGuid().ToString("N").ToUpperInvariant().Where(char.IsAsciiHexDigit).Take(6));
            var curp = NewCurp();
            var booking = await f.ScalarAsync<long>("""
                INSERT INTO appointments.bookings (folio, office_id, service_id, procedure, extra_service_ids, desk, starts_at, ends_at, state, curp, given_names, surname1, email, synthetic, created, confirmed_at, checked_in_at)
                VALUES (@f, @o, @s, @p, '{}', 1, now() - interval '3 hours' + @i * interval '15 minutes', now() - interval '3 hours' + (@i + 1) * interval '15 minutes',
                        'checked_in', @c, 'Eufrosina', 'Zamudio', @e, false, now(), now(), now()) RETURNING id
                """, ("f", folio), ("o", svc.OfficeId), ("s", svc.ServiceId), ("p", svc.Procedure), ("i", i), ("c", curp), ("e", $"turno.{Guid.NewGuid():N}@example.mx"));
            var code = $"Q-{i + 1:000}";
            var turn = await f.ScalarAsync<long>("""
                INSERT INTO appointments.turns (office_id, service_id, day, prefix, number, code, kind, booking_id, due_at, state, call_count, created, synthetic)
                VALUES (@o, @s, @d, 'Q', @n, @code, 'appointment', @b, now() - interval '3 hours' + @n * interval '1 minute', 'waiting', 0, now(), false) RETURNING id
                """, ("o", svc.OfficeId), ("s", svc.ServiceId), ("d", day), ("n", i + 1), ("code", code), ("b", booking));
            list.Add((turn, booking, code, folio, curp));
        }
        return list;
    }

    private Task<long> HeadsUpsAsync(long booking) =>
        f.ScalarAsync<long>("SELECT count(*) FROM appointments.outbox WHERE booking_id = @b AND subject = @s", ("b", booking), ("s", Outbox.HeadsUpSubject));

    [Fact]
    public async Task Calling_next_tells_the_next_three_booked_turns_once_and_the_screen_shows_their_codes_only()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var staff = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        await OkAsync(staff, HttpMethod.Post, "/api/turns/desk", new { office = svc.OfficeCode, name = "Ventanilla 1" });
        var turns = await BookedTurnsAsync(svc, 5);

        Assert.Equal(turns[0].Code, (await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { })).GetProperty("code").GetString());
        Assert.Equal(new long[] { 0, 1, 1, 1, 0 }, await Task.WhenAll(turns.Select(t => HeadsUpsAsync(t.Booking))));
        var body = await f.ScalarAsync<string>("SELECT body FROM appointments.outbox WHERE booking_id = @b AND subject = @s", ("b", turns[1].Booking), ("s", Outbox.HeadsUpSubject));
        Assert.Contains(turns[1].Folio, body);
        Assert.Contains(turns[1].Code, body);
        Assert.Contains("Oficina de pruebas", body);
        Assert.DoesNotContain("Eufrosina", body);
        Assert.DoesNotContain(turns[1].Curp, body);

        // the second call makes the fifth one of the next three; the others are not told twice
        Assert.Equal(turns[1].Code, (await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { })).GetProperty("code").GetString());
        Assert.Equal(new long[] { 0, 1, 1, 1, 1 }, await Task.WhenAll(turns.Select(t => HeadsUpsAsync(t.Booking))));
        Assert.Equal(4L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.turns WHERE office_id = @o AND heads_up_at IS NOT NULL", ("o", svc.OfficeId)));

        // the public screen: the next codes in the order call next takes them, no personal data
        var (status, screen, response) = await SendAsync(Citizen(f), HttpMethod.Get, $"/api/screens/{svc.OfficeCode}");
        Assert.Equal(HttpStatusCode.OK, status);
        var queue = Assert.Single(screen.GetProperty("queues").EnumerateArray());
        Assert.Equal(turns.Skip(2).Select(t => t.Code), queue.GetProperty("next").EnumerateArray().Select(c => c.GetString()));
        var raw = await response.Content.ReadAsStringAsync();
        foreach (var t in turns)
            Assert.DoesNotContain(t.Folio, raw);
        Assert.DoesNotContain("Eufrosina", raw);
        Assert.DoesNotContain("Zamudio", raw);
        Assert.DoesNotContain("@example.mx", raw);
    }

    [Fact]
    public async Task Eight_desks_calling_at_once_never_tell_a_turn_twice()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var desks = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => StaffKit.AssignedAsync(f, svc.OfficeCode)));
        for (var i = 0; i < desks.Length; i++) await OkAsync(desks[i], HttpMethod.Post, "/api/turns/desk", new { office = svc.OfficeCode, name = $"V{i + 1}" });
        var turns = await BookedTurnsAsync(svc, 16);
        var calls = await Task.WhenAll(desks.Select(d => SendAsync(d, HttpMethod.Post, "/api/turns/next", new { })));
        Assert.All(calls, c => Assert.Equal(HttpStatusCode.OK, c.Status));
        Assert.Equal(8, calls.Select(c => c.Body.GetProperty("id").GetInt64()).Distinct().Count());
        var counts = await Task.WhenAll(turns.Select(t => HeadsUpsAsync(t.Booking)));
        Assert.All(counts, c => Assert.InRange(c, 0L, 1L));
        Assert.Equal(counts.Sum(), await f.ScalarAsync<long>("SELECT count(*) FROM appointments.turns WHERE office_id = @o AND heads_up_at IS NOT NULL", ("o", svc.OfficeId)));

        // a turn skipped while another desk held it is told at a later call: after one more, the next three all know
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(desks[0], HttpMethod.Post, "/api/turns/next", new { })).Status);
        var waiting = await f.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT heads_up_at FROM appointments.turns WHERE office_id = @o AND state = 'waiting' ORDER BY due_at LIMIT 3) x WHERE heads_up_at IS NOT NULL
            """, ("o", svc.OfficeId));
        Assert.Equal(3L, waiting);
        Assert.All(await Task.WhenAll(turns.Select(t => HeadsUpsAsync(t.Booking))), c => Assert.InRange(c, 0L, 1L));
    }
}
