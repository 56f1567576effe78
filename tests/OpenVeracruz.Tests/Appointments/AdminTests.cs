using System.Net;
using System.Text.Json;
using static OpenVeracruz.Tests.Appointments.CitasKit;

namespace OpenVeracruz.Tests.Appointments;

/// <summary>Supervisors maintain offices, services, schedules, absences, closures and holidays: validated, audited, live in the offices layer, never stranding a booking.</summary>
[Collection(nameof(CeroFilasBackOffice))]
public class AdminTests(CeroFilasBackOffice fixture) : CitasTests(fixture)
{
    private const string Admin = "/api/appointments/admin";

    private static async Task<JsonElement> OkAsync(HttpClient c, HttpMethod m, string url, object? body, HttpStatusCode expected)
    {
        var (s, json, r) = await SendAsync(c, m, url, body);
        Assert.True(s == expected, $"{m} {url}: {(int)s} {await r.Content.ReadAsStringAsync()}");
        return json;
    }

    private static async Task<JsonElement> RefusedAsync(HttpClient c, HttpMethod m, string url, object? body, HttpStatusCode status, string? spanish = null)
    {
        var (_, _, r) = await SendAsync(c, m, url, body);
        var problem = await ProblemAssert.IsProblemAsync(r, status);
        if (spanish is not null) Assert.Contains(spanish, problem.GetProperty("detail_es").GetString());
        return problem;
    }

    [Fact]
    public async Task An_office_and_its_service_are_created_validated_audited_and_live_in_the_public_layer()
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var code = OfficePrefix + "adm-" + Guid.NewGuid().ToString("N")[..6];
        var office = new { code, name = "Oficina Norte", dependency = "Dirección de Pruebas", address = "Av. Díaz Mirón 100", phone = "229 000 0000",
            accessibility = "Rampa", longitude = -96.15, latitude = 19.17 };
        // refusals change nothing
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/offices", office with { longitude = 96.15 }, HttpStatusCode.BadRequest, "Veracruz");
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/offices", office with { name = " " }, HttpStatusCode.BadRequest, "name");
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/offices", office with { code = "Con Espacios" }, HttpStatusCode.BadRequest, "minúsculas");
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.offices WHERE code = @c", ("c", code)));

        var created = await OkAsync(supervisor, HttpMethod.Post, $"{Admin}/offices", office, HttpStatusCode.Created);
        Assert.Equal(-96.15, created.GetProperty("longitude").GetDouble());
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/offices", office, HttpStatusCode.Conflict);
        var layer = await OkAsync(f.NewClient(), HttpMethod.Get, $"/ogc/collections/offices/items/{code}", null, HttpStatusCode.OK);
        Assert.Equal("Oficina Norte", layer.GetProperty("properties").GetProperty("name").GetString());

        // a service with its schedule, Sunday included
        var service = new { office = code, procedure = "licencia-anuncio", name = "Licencia de anuncio", prefix = "N", durationMinutes = 20,
            requirements = "Identificación", cost = 310.50m, legalBasis = "Reglamento de Anuncios (ilustrativo)", online = false, validFrom = "2026-01-01" };
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/services", service with { prefix = "n1" }, HttpStatusCode.BadRequest, "mayúsculas");
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/services", service with { durationMinutes = 3 }, HttpStatusCode.BadRequest, "durationMinutes");
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/services", service with { cost = 1.005m }, HttpStatusCode.BadRequest, "decimales");
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/services", service with { office = "prueba-no-existe" }, HttpStatusCode.NotFound, "oficina");
        var svc = await OkAsync(supervisor, HttpMethod.Post, $"{Admin}/services", service, HttpStatusCode.Created);
        Assert.Equal(310.50m, svc.GetProperty("cost").GetDecimal());
        var id = svc.GetProperty("id").GetInt32();
        var schedules = $"{Admin}/services/{id}/schedules";
        object Range(int weekday, string starts, string ends, int desks) => new { weekday, starts, ends, desks };
        await RefusedAsync(supervisor, HttpMethod.Put, schedules, new { ranges = new[] { Range(1, "09:00", "13:00", 2), Range(1, "12:30", "15:00", 1) } }, HttpStatusCode.BadRequest, "traslapan");
        await RefusedAsync(supervisor, HttpMethod.Put, schedules, new { ranges = new[] { Range(2, "15:00", "09:00", 1) } }, HttpStatusCode.BadRequest, "termina después");
        await RefusedAsync(supervisor, HttpMethod.Put, schedules, new { ranges = new[] { Range(2, "09:00", "15:00", 0) } }, HttpStatusCode.BadRequest, "desks");
        await RefusedAsync(supervisor, HttpMethod.Put, schedules, new { ranges = new[] { Range(7, "09:00", "15:00", 1) } }, HttpStatusCode.BadRequest, "domingo");
        await RefusedAsync(supervisor, HttpMethod.Put, schedules, new { ranges = new[] { Range(2, "9h", "15:00", 1) } }, HttpStatusCode.BadRequest, "HH:mm");
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.schedules WHERE service_id = @s", ("s", id)));
        var week = await OkAsync(supervisor, HttpMethod.Put, schedules,
            new { ranges = new[] { Range(0, "10:00", "14:00", 1), Range(1, "09:00", "12:00", 2), Range(1, "12:00", "15:00", 1) } }, HttpStatusCode.OK);
        Assert.Equal([0, 1, 1], week.EnumerateArray().Select(r => r.GetProperty("weekday").GetInt32()));
        layer = await OkAsync(f.NewClient(), HttpMethod.Get, $"/ogc/collections/offices/items/{code}", null, HttpStatusCode.OK);
        Assert.Contains("dom 10:00–14:00", layer.GetProperty("properties").GetProperty("hours").GetString());
        Assert.Contains("Licencia de anuncio (20 min)", layer.GetProperty("properties").GetProperty("services").GetString());

        // a change of the office shows in every door at once; deactivated it leaves the layer
        await OkAsync(supervisor, HttpMethod.Put, $"{Admin}/offices/{code}", new { name = "Oficina Norte (Plaza)", longitude = -96.16 }, HttpStatusCode.OK);
        var csv = await f.NewClient().GetStringAsync("/downloads/offices.csv");
        Assert.Contains("Oficina Norte (Plaza)", csv);
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/offices/prueba-no-existe/closures", new { from = "2031-01-02" }, HttpStatusCode.NotFound);
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/offices/{code}/closures", new { from = "2031-01-05", to = "2031-01-02" }, HttpStatusCode.BadRequest, "anterior");
        await OkAsync(supervisor, HttpMethod.Delete, $"{Admin}/offices/{code}", null, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NotFound, (await f.NewClient().GetAsync($"/ogc/collections/offices/items/{code}")).StatusCode);

        // the audit: who, when, before and after
        var audit = await OkAsync(supervisor, HttpMethod.Get, $"{Admin}/changes?entity=office&key={code}", null, HttpStatusCode.OK);
        Assert.Equal(["update", "update", "create"], audit.EnumerateArray().Select(c => c.GetProperty("action").GetString()));
        var rename = audit[1];
        Assert.Contains("\"Oficina Norte\"", rename.GetProperty("before").GetString());
        Assert.Contains("Oficina Norte (Plaza)", rename.GetProperty("after").GetString());
        Assert.False(string.IsNullOrEmpty(rename.GetProperty("userName").GetString()));
        var scheduleAudit = await OkAsync(supervisor, HttpMethod.Get, $"{Admin}/changes?entity=schedules&key={id}", null, HttpStatusCode.OK);
        Assert.Single(scheduleAudit.EnumerateArray());

        // a viewer (a kiosk account) changes nothing
        var (_, _, viewer) = await f.StaffAsync("viewer");
        await RefusedAsync(viewer, HttpMethod.Post, $"{Admin}/offices", office with { code = code + "-b" }, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Holidays_are_maintained_with_their_audit()
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var day = new DateOnly(2031, 1, 1).AddDays(Random.Shared.Next(30, 330));
        while (await f.ScalarAsync<long>("SELECT count(*) FROM appointments.holidays WHERE day = @d", ("d", day)) > 0) day = day.AddDays(1);
        var key = $"{day:yyyy-MM-dd}";
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/holidays", new { day = "2031-02-30", name = "x" }, HttpStatusCode.BadRequest, "AAAA-MM-DD");
        await OkAsync(supervisor, HttpMethod.Post, $"{Admin}/holidays", new { day = key, name = "Día del Municipio" }, HttpStatusCode.Created);
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/holidays", new { day = key, name = "Otra vez" }, HttpStatusCode.Conflict);
        var holidays = await OkAsync(f.NewClient(), HttpMethod.Get, "/api/appointments/holidays", null, HttpStatusCode.OK);
        Assert.Contains(holidays.EnumerateArray(), h => h.GetProperty("day").GetString() == key && h.GetProperty("name").GetString() == "Día del Municipio");
        await OkAsync(supervisor, HttpMethod.Put, $"{Admin}/holidays/{key}", new { name = "Fundación de Veracruz" }, HttpStatusCode.OK);
        await OkAsync(supervisor, HttpMethod.Delete, $"{Admin}/holidays/{key}", null, HttpStatusCode.NoContent);
        await RefusedAsync(supervisor, HttpMethod.Delete, $"{Admin}/holidays/{key}", null, HttpStatusCode.NotFound);
        var audit = await OkAsync(supervisor, HttpMethod.Get, $"{Admin}/changes?entity=holiday&key={key}", null, HttpStatusCode.OK);
        Assert.Equal(["delete", "update", "create"], audit.EnumerateArray().Select(c => c.GetProperty("action").GetString()));
        // the seed: Mexico's federal holidays of this year and the next
        var year = OpenVeracruz.Platform.Appointments.Slots.LocalDay(DateTime.UtcNow).Year;
        Assert.Equal(2L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.holidays WHERE day IN (@a, @b)",
            ("a", new DateOnly(year, 9, 16)), ("b", new DateOnly(year + 1, 12, 25))));
    }

    [Fact]
    public async Task A_change_that_would_leave_booked_appointments_without_a_desk_is_refused_with_how_many()
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var svc = await NewServiceAsync(f, desks: 2);
        var day = await FreeDayAsync(f, ahead: 4);
        var tokens = new List<(string Folio, string Token)>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var (status, conf) = await BookAsync(Citizen(f), svc.ServiceId, At(day, "09:00"), NewCurp());
            Assert.Equal(HttpStatusCode.Created, status);
            tokens.Add((conf.GetProperty("folio").GetString()!, conf.GetProperty("token").GetString()!));
        }
        var weekday = (int)day.DayOfWeek;
        var all = Enumerable.Range(0, 7).Select(d => new { weekday = d, starts = "00:00", ends = "23:45", desks = 2 }).ToArray();
        var schedules = $"{Admin}/services/{svc.ServiceId}/schedules";
        async Task<string> RowsAsync() => string.Join(",", await f.ColumnAsync<string>(
            $"SELECT weekday || ' ' || starts || ' ' || ends || ' ' || desks FROM appointments.schedules WHERE service_id = {svc.ServiceId} ORDER BY weekday"));
        var before = await RowsAsync();

        await RefusedAsync(supervisor, HttpMethod.Put, schedules, new { ranges = all.Select(r => r with { desks = 1 }) }, HttpStatusCode.Conflict, "1 cita(s)");
        await RefusedAsync(supervisor, HttpMethod.Put, schedules, new { ranges = all.Where(r => r.weekday != weekday) }, HttpStatusCode.Conflict, "2 cita(s)");
        await RefusedAsync(supervisor, HttpMethod.Put, schedules, new { ranges = all.Select(r => r.weekday == weekday ? r with { starts = "10:00" } : r) }, HttpStatusCode.Conflict, "2 cita(s)");
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/services/{svc.ServiceId}/absences", new { from = $"{day:yyyy-MM-dd}", desks = 1, reason = "Curso" }, HttpStatusCode.Conflict, "1 cita(s)");
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/offices/{svc.OfficeCode}/closures", new { from = $"{day.AddDays(-1):yyyy-MM-dd}", to = $"{day:yyyy-MM-dd}" }, HttpStatusCode.Conflict, "2 cita(s)");
        await RefusedAsync(supervisor, HttpMethod.Post, $"{Admin}/holidays", new { day = $"{day:yyyy-MM-dd}", name = "Asueto" }, HttpStatusCode.Conflict, "cita(s)");
        await RefusedAsync(supervisor, HttpMethod.Delete, $"{Admin}/services/{svc.ServiceId}", null, HttpStatusCode.Conflict, "2 cita(s)");
        await RefusedAsync(supervisor, HttpMethod.Delete, $"{Admin}/offices/{svc.OfficeCode}", null, HttpStatusCode.Conflict, "2 cita(s)");
        Assert.Equal(before, await RowsAsync());
        Assert.Equal(2L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.bookings WHERE service_id = @s AND state = 'booked'", ("s", svc.ServiceId)));
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.absences WHERE service_id = @s", ("s", svc.ServiceId)));
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.holidays WHERE day = @d", ("d", day)));

        // what leaves them their desks goes through: another day's absence, a later start on other weekdays
        await OkAsync(supervisor, HttpMethod.Post, $"{Admin}/services/{svc.ServiceId}/absences", new { from = $"{day.AddDays(1):yyyy-MM-dd}", desks = 1 }, HttpStatusCode.Created);
        await OkAsync(supervisor, HttpMethod.Put, schedules, new { ranges = all.Select(r => r.weekday == weekday ? r : r with { starts = "08:00" }) }, HttpStatusCode.OK);
        // once the appointment on desk 2 is cancelled, one desk is enough
        var onDesk2 = await f.ScalarAsync<string>("SELECT folio FROM appointments.bookings WHERE service_id = @s AND desk = 2", ("s", svc.ServiceId));
        var second = tokens.Single(t => t.Folio == onDesk2);
        var (cancelled, _, _) = await PostAsync(Citizen(f), $"/api/appointments/{second.Folio}/cancel", new { }, second.Token);
        Assert.Equal(HttpStatusCode.OK, cancelled);
        await OkAsync(supervisor, HttpMethod.Put, schedules, new { ranges = all.Select(r => r with { desks = 1 }) }, HttpStatusCode.OK);
        Assert.Equal("booked", await f.ScalarAsync<string>("SELECT state FROM appointments.bookings WHERE folio <> @f AND service_id = @s AND state <> 'cancelled'",
            ("f", second.Folio), ("s", svc.ServiceId)));
    }
}
