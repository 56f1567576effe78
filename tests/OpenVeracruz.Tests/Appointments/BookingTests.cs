using System.Net;
using System.Text.Json;
using OpenVeracruz.Platform.Appointments;
using static OpenVeracruz.Tests.Appointments.CitasKit;

namespace OpenVeracruz.Tests.Appointments;

/// <summary>The citizen's booking through the real HTTP pipeline on PostGIS: hold, confirm, manage, .ics, QR, and what is refused.</summary>
[Collection(nameof(CeroFilas))]
public class AppointmentBookingTests(CeroFilas fixture) : CitasTests(fixture)
{

    private Task<long> CountAsync(int serviceId, string states = "'held','booked','checked_in','attended','cancelled','no_show'") =>
        f.ScalarAsync<long>($"SELECT count(*) FROM appointments.bookings WHERE service_id = @s AND state IN ({states})", ("s", serviceId));

    [Fact]
    public async Task A_citizen_books_views_downloads_and_cancels_with_the_manage_link_only()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var day = await FreeDayAsync(f);
        var c = Citizen(f);
        var curp = NewCurp();
        var (status, confirmation) = await BookAsync(c, svc.ServiceId, At(day, "10:00"), curp, email: "maria.nunez@example.mx", given: "María José Ñañez");
        Assert.Equal(HttpStatusCode.Created, status);
        var folio = confirmation.GetProperty("folio").GetString()!;
        var token = confirmation.GetProperty("token").GetString()!;
        Assert.True(Secrets.LooksLikeFolio(folio), folio);
        Assert.DoesNotContain(token, folio);
        Assert.Contains($"folio={folio}#{token}", confirmation.GetProperty("manageUrl").GetString());
        Assert.Equal($"{day:yyyy-MM-dd}T10:00:00-06:00", confirmation.GetProperty("start").GetString());
        // the name with accents and Ñ is kept as written
        Assert.Equal("María José Ñañez", await f.ScalarAsync<string>("SELECT given_names FROM appointments.bookings WHERE folio = @f", ("f", folio)));

        // the folio alone: the same 404 as an unknown folio, nothing about the person; a wrong token neither
        foreach (var (url, t) in new[] { ($"/api/appointments/{folio}", (string?)null), ($"/api/appointments/{folio}", "x" + token), ("/api/appointments/ABCDEFGH", token) })
        {
            var (s, body, response) = await SendAsync(c, HttpMethod.Get, url, token: t);
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
            Assert.DoesNotContain(curp, body.GetRawText());
        }
        var (vs, view, _) = await SendAsync(c, HttpMethod.Get, $"/api/appointments/{folio.ToLowerInvariant()}", token: token);
        Assert.Equal(HttpStatusCode.OK, vs);
        Assert.Equal("booked", view.GetProperty("state").GetString());
        foreach (var secret in new[] { curp, "Ñañez", "Núñez", "maria.nunez", "1234567" }) Assert.DoesNotContain(secret, view.GetRawText());

        var ics = await c.GetAsync($"/api/appointments/{folio}/calendar.ics?token={token}");
        Assert.Equal("text/calendar", ics.Content.Headers.ContentType?.MediaType);
        var text = await ics.Content.ReadAsStringAsync();
        Assert.Contains("BEGIN:VEVENT", text);
        Assert.Contains($"DTSTART:{day:yyyyMMdd}T160000Z", text); // 10:00 in Veracruz is 16:00 UTC, all year
        Assert.Contains(folio, text);
        Assert.DoesNotContain(curp, text);
        var png = await (await c.GetAsync($"/api/appointments/{folio}/qr.png?token={token}")).Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/api/appointments/{folio}/qr.png")).StatusCode);

        // the confirmation is queued in the outbox, whatever happens to mail later
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.outbox o JOIN appointments.bookings b ON b.id = o.booking_id WHERE b.folio = @f", ("f", folio)));

        // the slot is taken: a second person cannot hold it
        var (second, _) = await BookAsync(Citizen(f), svc.ServiceId, At(day, "10:00"), NewCurp());
        Assert.Equal(HttpStatusCode.Conflict, second);

        var (cs, cancelled, _) = await PostAsync(c, $"/api/appointments/{folio}/cancel", new { }, token);
        Assert.Equal(HttpStatusCode.OK, cs);
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        // a stale link after cancellation changes nothing
        var (_, _, again) = await PostAsync(c, $"/api/appointments/{folio}/cancel", new { }, token);
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.Conflict);
        var (_, _, moved) = await PostAsync(c, $"/api/appointments/{folio}/reschedule", new { start = At(day, "11:00") }, token);
        await ProblemAssert.IsProblemAsync(moved, HttpStatusCode.Conflict);
        Assert.Equal("cancelled", await f.ScalarAsync<string>("SELECT state FROM appointments.bookings WHERE folio = @f", ("f", folio)));
        // and the freed slot can be booked again
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(Citizen(f), svc.ServiceId, At(day, "10:00"), NewCurp())).Status);
    }

    [Fact]
    public async Task Rescheduling_moves_the_appointment_and_frees_its_old_time()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var day = await FreeDayAsync(f);
        var c = Citizen(f);
        var (_, conf) = await BookAsync(c, svc.ServiceId, At(day, "09:00"), NewCurp());
        var (folio, token) = (conf.GetProperty("folio").GetString()!, conf.GetProperty("token").GetString()!);
        var (blocker, _) = await BookAsync(Citizen(f), svc.ServiceId, At(day, "12:00"), NewCurp());
        Assert.Equal(HttpStatusCode.Created, blocker);
        var (_, _, taken) = await PostAsync(c, $"/api/appointments/{folio}/reschedule", new { start = At(day, "12:00") }, token);
        await ProblemAssert.IsProblemAsync(taken, HttpStatusCode.Conflict);
        var (s, view, _) = await PostAsync(c, $"/api/appointments/{folio}/reschedule", new { start = At(day.AddDays(1), "13:15") }, token);
        Assert.Equal(HttpStatusCode.OK, s);
        Assert.Equal($"{day.AddDays(1):yyyy-MM-dd}T13:15:00-06:00", view.GetProperty("start").GetString());
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(Citizen(f), svc.ServiceId, At(day, "09:00"), NewCurp())).Status);
    }

    [Fact]
    public async Task Days_and_times_show_what_is_free_and_offices_come_nearest_first()
    {
        var svc = await NewServiceAsync(f, desks: 2, minutes: 30, starts: "08:00", ends: "10:00");
        var day = await FreeDayAsync(f);
        var c = Citizen(f);
        var (_, slots, _) = await SendAsync(c, HttpMethod.Get, $"/api/appointments/services/{svc.ServiceId}/slots?date={day:yyyy-MM-dd}");
        Assert.Equal(["08:00", "08:30", "09:00", "09:30"], slots.EnumerateArray().Select(s => s.GetProperty("start").GetString()![11..16]));
        Assert.All(slots.EnumerateArray(), s => Assert.Equal(2, s.GetProperty("free").GetInt32()));
        await BookAsync(c, svc.ServiceId, At(day, "08:30"), NewCurp());
        var (_, after, _) = await SendAsync(c, HttpMethod.Get, $"/api/appointments/services/{svc.ServiceId}/slots?date={day:yyyy-MM-dd}");
        Assert.Equal(1, after.EnumerateArray().Single(s => s.GetProperty("start").GetString()!.Contains("T08:30")).GetProperty("free").GetInt32());
        var (_, days, _) = await SendAsync(c, HttpMethod.Get, $"/api/appointments/services/{svc.ServiceId}/days?from={day:yyyy-MM-dd}&days=3");
        Assert.Equal(7, days[0].GetProperty("freeDesks").GetInt32());
        Assert.Equal(8, days[1].GetProperty("freeDesks").GetInt32());

        // offices of a procedure, nearest first from a clave catastral; each with its next free time
        var near = await NewServiceAsync(f, desks: 1, procedure: svc.Procedure);
        var (clave, lon, lat) = await f.SomeParcelAsync();
        await using (var move = f.Db.CreateCommand("UPDATE appointments.offices SET geom = ST_SetSRID(ST_MakePoint(@x, @y), 4326) WHERE id = @id"))
        {
            move.Parameters.AddWithValue("x", lon + 0.0005);
            move.Parameters.AddWithValue("y", lat);
            move.Parameters.AddWithValue("id", near.OfficeId);
            await move.ExecuteNonQueryAsync();
        }
        var (os, offices, _) = await SendAsync(c, HttpMethod.Get, $"/api/appointments/offices?procedure={svc.Procedure}&clave={clave}");
        Assert.Equal(HttpStatusCode.OK, os);
        Assert.Equal([near.OfficeCode, svc.OfficeCode], offices.EnumerateArray().Select(o => o.GetProperty("code").GetString()));
        Assert.InRange(offices[0].GetProperty("distanceM").GetDouble(), 30, 80);
        Assert.NotEqual(JsonValueKind.Null, offices[0].GetProperty("nextFreeSlot").ValueKind);
        var (_, _, badClave) = await SendAsync(c, HttpMethod.Get, $"/api/appointments/offices?procedure={svc.Procedure}&clave=12-34");
        await ProblemAssert.IsProblemAsync(badClave, HttpStatusCode.BadRequest);
        var (_, _, noClave) = await SendAsync(c, HttpMethod.Get, $"/api/appointments/offices?procedure={svc.Procedure}&clave=999-9999-999");
        await ProblemAssert.IsProblemAsync(noClave, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_input_gets_a_bilingual_problem_and_changes_nothing()
    {
        var svc = await NewServiceAsync(f, desks: 2, starts: "08:00", ends: "14:00");
        var day = await FreeDayAsync(f);
        var c = Citizen(f);
        var today = Slots.LocalDay(DateTime.UtcNow);
        var holiday = await f.ScalarAsync<DateOnly?>("SELECT min(day) FROM appointments.holidays WHERE day > @a AND day <= @b", ("a", today.AddDays(1)), ("b", today.AddDays(59)));
        var inserted = false;
        if (holiday is null)
        {
            holiday = today.AddDays(58);
            await using var h = f.Db.CreateCommand("INSERT INTO appointments.holidays (day, name) VALUES (@d, 'Día inhábil de prueba') ON CONFLICT DO NOTHING");
            h.Parameters.AddWithValue("d", holiday.Value);
            inserted = await h.ExecuteNonQueryAsync() == 1;
        }
        try
        {
            var before = await CountAsync(svc.ServiceId);
            var past = Slots.LocalDay(DateTime.UtcNow.AddDays(-2));
            foreach (var (start, why) in new[]
            {
                (At(past, "10:00"), "ya pasó"),
                (At(today.AddDays(120), "10:00"), "máximo"),
                (At(holiday.Value, "10:00"), "inhábil"),
                (At(day, "20:00"), "agenda"),
                (At(day, "10:07"), "agenda"),
                ("mañana a las diez", "fecha y hora"),
            })
            {
                var (_, _, r) = await PostAsync(c, "/api/appointments/holds", new { serviceId = svc.ServiceId, start });
                var p = await ProblemAssert.IsProblemAsync(r, HttpStatusCode.BadRequest);
                Assert.Contains(why, p.GetProperty("detail_es").GetString());
            }
            Assert.Equal(before, await CountAsync(svc.ServiceId));

            // invalid person data: format, check digit, names; then an expired hold
            var (_, hold, _) = await PostAsync(c, "/api/appointments/holds", new { serviceId = svc.ServiceId, start = At(day, "10:00") });
            var key = hold.GetProperty("holdKey").GetString()!;
            var nonce = Secrets.Solve(hold.GetProperty("challenge").GetString()!, hold.GetProperty("challengeBits").GetInt32());
            var good = NewCurp();
            var wrongDigit = good[..17] + (char)('0' + (good[17] - '0' + 1) % 10);
            foreach (var (body, field) in new (object, string)[]
            {
                (new { givenNames = "Ana", surname1 = "Pérez", curp = "PEPA800101", nonce }, "formato"),
                (new { givenNames = "Ana", surname1 = "Pérez", curp = wrongDigit, nonce }, "verificador"),
                (new { givenNames = "Ana2", surname1 = "Pérez", curp = good, nonce }, "nombre"),
                (new { givenNames = "Ana", surname1 = "", curp = good, nonce }, "apellido"),
                (new { givenNames = "Ana", surname1 = "Pérez", curp = good, email = "ana@", nonce }, "correo"),
                (new { givenNames = "Ana", surname1 = "Pérez", curp = good, nonce = "0" }, "verificación"),
            })
            {
                var (_, _, r) = await PostAsync(c, $"/api/appointments/holds/{key}/confirm", body);
                var p = await ProblemAssert.IsProblemAsync(r, HttpStatusCode.BadRequest);
                Assert.Contains(field, p.GetProperty("detail_es").GetString());
            }
            await using (var expire = f.Db.CreateCommand("UPDATE appointments.bookings SET hold_expires_at = now() - interval '1 second' WHERE hold_key = @k"))
            {
                expire.Parameters.AddWithValue("k", key);
                await expire.ExecuteNonQueryAsync();
            }
            var (_, _, expired) = await PostAsync(c, $"/api/appointments/holds/{key}/confirm", new { givenNames = "Ana", surname1 = "Pérez", curp = good, nonce });
            Assert.Contains("venció", (await ProblemAssert.IsProblemAsync(expired, HttpStatusCode.Conflict)).GetProperty("detail_es").GetString());
            Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.bookings WHERE curp = @c", ("c", good)));

            // one active appointment per CURP and procedure
            var curp = NewCurp();
            Assert.Equal(HttpStatusCode.Created, (await BookAsync(c, svc.ServiceId, At(day, "11:00"), curp)).Status);
            var (dup, problem) = await BookAsync(c, svc.ServiceId, At(day, "12:00"), curp);
            Assert.Equal(HttpStatusCode.Conflict, dup);
            Assert.Contains("ya tiene una cita activa", problem.GetProperty("detail_es").GetString());
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.bookings WHERE curp = @c", ("c", curp)));
        }
        finally
        {
            if (inserted)
            {
                await using var h = f.Db.CreateCommand("DELETE FROM appointments.holidays WHERE day = @d AND name = 'Día inhábil de prueba'");
                h.Parameters.AddWithValue("d", holiday!.Value);
                await h.ExecuteNonQueryAsync();
            }
        }
    }

    [Fact]
    public async Task Sixty_four_parallel_bookings_of_one_slot_with_three_desks_succeed_exactly_three_times()
    {
        var svc = await NewServiceAsync(f, desks: 3);
        var day = await FreeDayAsync(f, ahead: 4);
        var clients = Enumerable.Range(0, 64).Select(_ => Citizen(f)).ToList();
        var results = await Task.WhenAll(clients.Select(c => BookAsync(c, svc.ServiceId, At(day, "10:30"), NewCurp())));
        Assert.Equal(3, results.Count(r => r.Status == HttpStatusCode.Created));
        Assert.Equal(61, results.Count(r => r.Status == HttpStatusCode.Conflict));
        Assert.Equal(3L, await CountAsync(svc.ServiceId, "'held','booked'"));
        Assert.Equal(3L, await f.ScalarAsync<long>("SELECT count(DISTINCT desk) FROM appointments.bookings WHERE service_id = @s AND state = 'booked'", ("s", svc.ServiceId)));
    }
}
