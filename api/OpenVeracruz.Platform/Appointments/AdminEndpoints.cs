using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

public sealed record OfficeInput(string? Code, string? Name, string? Dependency, string? Address, string? Phone, string? Accessibility,
    double? Longitude, double? Latitude, bool? Approximate, bool? Active);
public sealed record OfficeAdmin(int Id, string Code, string Name, string Dependency, string Address, string? Phone, string? Accessibility,
    double Longitude, double Latitude, bool Approximate, bool Active);
public sealed record ServiceInput(string? Office, string? Procedure, string? Name, string? Prefix, int? DurationMinutes, string? Requirements, decimal? Cost,
    string? LegalBasis, bool? Online, string? ValidFrom, bool? Active);
public sealed record ServiceAdmin(int Id, string Office, string Procedure, string Name, string Prefix, int DurationMinutes, string Requirements, decimal Cost,
    string LegalBasis, bool Online, DateOnly ValidFrom, bool Active);
public sealed record ScheduleInput(int Weekday, string? Starts, string? Ends, int Desks);
public sealed record SchedulesInput(ScheduleInput[]? Ranges);
public sealed record ScheduleAdmin(int Weekday, string Starts, string Ends, int Desks);
public sealed record AbsenceInput(string? From, string? To, int? Desks, string? Reason);
public sealed record AbsenceAdmin(int Id, int ServiceId, DateOnly From, DateOnly To, int Desks, string Reason);
public sealed record ClosureInput(string? From, string? To, string? Reason);
public sealed record ClosureAdmin(int Id, string Office, DateOnly From, DateOnly To, string Reason);
public sealed record HolidayInput(string? Day, string? Name);
public sealed record HolidayAdmin(DateOnly Day, string Name);
public sealed record ChangeInfo(long Id, DateTimeOffset At, string UserName, string Entity, string EntityKey, string Action, string? Before, string? After);
public sealed record OutboxInfo(long Id, long? BookingId, string To, string Subject, string Body, DateTimeOffset Created, DateTimeOffset? SentAt, int Attempts, string? LastError);

/// <summary>
/// What supervisors (and admins) maintain: offices (the public offices layer is a view over them), services, weekly
/// schedules, absences, closures and holidays. Every change is validated, refused when it would leave a booked
/// appointment without its desk (409 with how many; nothing is cancelled silently), and recorded in
/// appointments.admin_changes with who, when, before and after, in the change's own transaction.
/// </summary>
public static class AdminEndpoints
{
    private static readonly Regex CodePattern = new("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant);
    private static readonly Regex PrefixPattern = new("^[A-Z]{1,2}$", RegexOptions.CultureInvariant);

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/appointments/admin").WithTags("Administración de Cero Filas / Cero Filas administration").RequireAuthorization(Roles.Supervisor);
        g.MapGet("/offices", async (AppDbContext db, CancellationToken ct) => TypedResults.Ok((await db.Offices.AsNoTracking().OrderBy(o => o.Code).ToListAsync(ct)).Select(View).ToList()))
            .WithName("AdminListOffices").WithSummary("Oficinas, activas o no / Offices, active or not");
        g.MapPost("/offices", CreateOffice).WithName("AdminCreateOffice").WithSummary("Crea una oficina (punto) / Create an office (point)");
        g.MapPut("/offices/{code}", UpdateOffice).WithName("AdminUpdateOffice").WithSummary("Cambia una oficina / Change an office");
        g.MapDelete("/offices/{code}", DeactivateOffice).WithName("AdminDeactivateOffice").WithSummary("Da de baja una oficina / Deactivate an office");
        g.MapGet("/services", ListServices).WithName("AdminListServices").WithSummary("Servicios (?office=) / Services");
        g.MapPost("/services", CreateService).WithName("AdminCreateService").WithSummary("Crea un servicio / Create a service");
        g.MapPut("/services/{id:int}", UpdateService).WithName("AdminUpdateService").WithSummary("Cambia un servicio / Change a service");
        g.MapDelete("/services/{id:int}", DeactivateService).WithName("AdminDeactivateService").WithSummary("Da de baja un servicio / Deactivate a service");
        g.MapGet("/services/{id:int}/schedules", Schedules).WithName("AdminSchedules").WithSummary("Horario semanal de un servicio / Weekly schedule");
        g.MapPut("/services/{id:int}/schedules", ReplaceSchedules).WithName("AdminReplaceSchedules")
            .WithSummary("Reemplaza el horario semanal (0 = domingo) / Replace the weekly schedule (0 = Sunday)");
        g.MapGet("/services/{id:int}/absences", Absences).WithName("AdminAbsences").WithSummary("Ausencias de personal / Staff absences");
        g.MapPost("/services/{id:int}/absences", CreateAbsence).WithName("AdminCreateAbsence").WithSummary("Registra una ausencia (ventanillas menos) / Add an absence");
        g.MapDelete("/absences/{id:int}", DeleteAbsence).WithName("AdminDeleteAbsence").WithSummary("Borra una ausencia / Delete an absence");
        g.MapGet("/offices/{code}/closures", Closures).WithName("AdminClosures").WithSummary("Cierres de una oficina / Closures of an office");
        g.MapPost("/offices/{code}/closures", CreateClosure).WithName("AdminCreateClosure").WithSummary("Cierra una oficina unos días / Close an office");
        g.MapDelete("/closures/{id:int}", DeleteClosure).WithName("AdminDeleteClosure").WithSummary("Borra un cierre / Delete a closure");
        g.MapPost("/holidays", CreateHoliday).WithName("AdminCreateHoliday").WithSummary("Agrega un día inhábil / Add a holiday");
        g.MapPut("/holidays/{day}", UpdateHoliday).WithName("AdminUpdateHoliday").WithSummary("Cambia el nombre de un día inhábil / Rename a holiday");
        g.MapDelete("/holidays/{day}", DeleteHoliday).WithName("AdminDeleteHoliday").WithSummary("Quita un día inhábil / Remove a holiday");
        g.MapGet("/changes", Changes).WithName("AdminChanges").WithSummary("Bitácora de cambios (quién, cuándo, antes y después) / Audit of changes");
        g.MapGet("/outbox", OutboxList).WithName("AdminOutbox").WithSummary("Correos a ciudadanos, enviados o no / Messages to citizens, sent or not");
        return app;
    }

    // ---- validation -------------------------------------------------------------------------------------------

    private static string? Text(string? value, string field, int max, bool required)
    {
        var v = value is null ? null : StorableText.Clean(value).Trim();
        if (string.IsNullOrEmpty(v))
        {
            if (required) throw Fail.Bad($"'{field}' is required", $"Falta '{field}'", field);
            return null;
        }
        if (v.Length > max) throw Fail.Bad($"'{field}' is at most {max} characters", $"'{field}' tiene como máximo {max} caracteres", field);
        if (v.Any(c => char.IsControl(c) && c is not '\n')) throw Fail.Bad($"'{field}' has control characters", $"'{field}' tiene caracteres de control", field);
        return v;
    }

    private static string Code(string? value, string field)
    {
        var v = Text(value, field, 60, true)!;
        if (!CodePattern.IsMatch(v))
            throw Fail.Bad($"'{field}' is lower-case letters and digits joined by '-' (e.g. registro-civil)",
                $"'{field}' lleva minúsculas y números unidos por '-' (p. ej. registro-civil)", field);
        return v;
    }

    internal static DateOnly Day(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw Fail.Bad($"'{field}' is required (YYYY-MM-DD)", $"Falta '{field}' (AAAA-MM-DD)", field);
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) || d.Year is < 2000 or > 2100)
            throw Fail.Bad($"'{field}' must be a date YYYY-MM-DD between 2000 and 2100", $"'{field}' debe ser una fecha AAAA-MM-DD entre 2000 y 2100", field);
        return d;
    }

    private static TimeOnly Time(string? value, string field)
    {
        if (value is null || !TimeOnly.TryParseExact(value, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            throw Fail.Bad($"'{field}' must be a local time HH:mm", $"'{field}' debe ser una hora local HH:mm", field);
        return t;
    }

    private static (DateOnly From, DateOnly To) Range(string? from, string? to)
    {
        var a = Day(from, "from");
        var b = to is null ? a : Day(to, "to");
        if (b < a) throw Fail.Bad("'to' is before 'from'", "'to' es anterior a 'from'", "to");
        if (b.DayNumber - a.DayNumber > 366) throw Fail.Bad("A range is at most a year", "Un periodo es de un año como máximo", "to");
        return (a, b);
    }

    private static Point Location(double? lon, double? lat)
    {
        // the state of Veracruz and its surroundings: a point outside is a typo (swapped or positive longitude)
        if (lon is not (>= -98.7 and <= -93.5) || lat is not (>= 17.1 and <= 22.5))
            throw Fail.Bad("'longitude' and 'latitude' (WGS 84) must place the office in Veracruz (longitude −98.7…−93.5, latitude 17.1…22.5)",
                "'longitude' y 'latitude' (WGS 84) deben ubicar la oficina en Veracruz (longitud −98.7…−93.5, latitud 17.1…22.5)", "longitude");
        return new Point(lon.Value, lat.Value) { SRID = 4326 };
    }

    // ---- audit and saving -------------------------------------------------------------------------------------

    private static void Audit(AppDbContext db, ClaimsPrincipal user, string entity, string key, string action, object? before, object? after) =>
        db.AppointmentAdminChanges.Add(new AdminChange
        {
            At = DateTime.UtcNow, UserId = TurnEndpoints.UserId(user), UserName = user.Identity?.Name ?? "", Entity = entity, EntityKey = key, Action = action,
            Before = before is null ? null : TurnEndpoints.Json(before), After = after is null ? null : TurnEndpoints.Json(after),
        });

    /// <summary>Saves the change and its audit row together; a duplicate key (code, prefix, procedure, day) is a 409.</summary>
    private static async Task SaveAsync(AppDbContext db, CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } p)
        {
            throw Fail.Conflict($"Already exists ({p.ConstraintName})", $"Ya existe ({p.ConstraintName})");
        }
    }

    // ---- capacity: never cancel a booking silently --------------------------------------------------------------

    /// <summary>Whether a booked appointment keeps its desk with the given schedules and calendar.</summary>
    internal static bool Fits(int desk, DateTime start, DateTime end, IReadOnlyList<ScheduleRange> schedules, CapacityCalendar cal, DateOnly validFrom)
    {
        var day = Slots.LocalDay(start);
        if (day < validFrom || cal.Holidays.Contains(day) || cal.Closures.Any(c => c.Covers(day))) return false;
        var missing = cal.Absences.Where(a => a.Covers(day)).Sum(a => (long)a.Desks);
        var (s, e) = (TimeOnly.FromDateTime(Slots.LocalTime(start)), TimeOnly.FromDateTime(Slots.LocalTime(end)));
        return schedules.Any(r => r.Weekday == (int)day.DayOfWeek && r.Starts <= s && (e <= r.Ends || e == TimeOnly.MinValue && Slots.LocalDay(end) > day)
                                  && r.Desks - missing >= desk);
    }

    /// <summary>Refuses (409, with how many) a change after which some booked appointment of the service would have no desk.</summary>
    private static async Task RequireRoomAsync(AppDbContext db, int serviceId, IReadOnlyList<ScheduleRange> schedules, CapacityCalendar cal, DateOnly validFrom,
        bool open, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var bookings = await db.Bookings.AsNoTracking().Where(b => b.ServiceId == serviceId && (b.State == "booked" || b.State == "checked_in") && b.EndsAt > now)
            .Select(b => new { b.Desk, b.StartsAt, b.EndsAt }).ToListAsync(ct);
        var lost = bookings.Count(b => !open || !Fits(b.Desk, b.StartsAt, b.EndsAt, schedules, cal, validFrom));
        if (lost > 0)
            throw Fail.Conflict($"{lost} booked appointment(s) would be left without a desk; move or cancel them first (nothing was changed)",
                $"{lost} cita(s) agendada(s) quedarían sin ventanilla; cámbielas o cancélelas antes (no se cambió nada)");
    }

    private static async Task<(Service Service, ServiceFacts Facts)> ServiceFactsAsync(AppDbContext db, int id, CancellationToken ct)
    {
        var service = await db.Services.FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw Fail.NotFound($"No service {id}", $"No existe el servicio {id}");
        var office = await db.Offices.AsNoTracking().FirstAsync(o => o.Id == service.OfficeId, ct);
        return (service, await Capacity.FactsOfAsync(db, service, office, ct));
    }

    private static async Task RequireRoomForOfficeAsync(AppDbContext db, int officeId, Func<ServiceFacts, (IReadOnlyList<ScheduleRange>, CapacityCalendar, bool)> change, CancellationToken ct)
    {
        foreach (var id in await db.Services.AsNoTracking().Where(s => s.OfficeId == officeId && s.Active).Select(s => s.Id).ToListAsync(ct))
        {
            var (service, facts) = await ServiceFactsAsync(db, id, ct);
            var (schedules, cal, open) = change(facts);
            await RequireRoomAsync(db, id, schedules, cal, service.ValidFrom, open, ct);
        }
    }

    // ---- offices ------------------------------------------------------------------------------------------------

    private static OfficeAdmin View(Office o) => new(o.Id, o.Code, o.Name, o.Dependency, o.Address, o.Phone, o.Accessibility, o.Geom.X, o.Geom.Y, o.Approximate, o.Active);

    private static async Task<Office> OfficeAsync(AppDbContext db, string code, CancellationToken ct) =>
        await db.Offices.FirstOrDefaultAsync(o => o.Code == code, ct) ?? throw Fail.NotFound($"No office '{code}'", $"No existe la oficina '{code}'");

    private static async Task<Created<OfficeAdmin>> CreateOffice(OfficeInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var office = new Office
        {
            Code = Code(body.Code, "code"), Name = Text(body.Name, "name", 200, true)!, Dependency = Text(body.Dependency, "dependency", 200, true)!,
            Address = Text(body.Address, "address", 300, true)!, Phone = Text(body.Phone, "phone", 40, false), Accessibility = Text(body.Accessibility, "accessibility", 500, false),
            Geom = Location(body.Longitude, body.Latitude), Approximate = body.Approximate ?? false, Active = body.Active ?? true,
        };
        db.Offices.Add(office);
        Audit(db, user, "office", office.Code, "create", null, View(office) with { Id = 0 });
        await SaveAsync(db, ct);
        return TypedResults.Created($"/api/appointments/admin/offices/{office.Code}", View(office));
    }

    private static async Task<Ok<OfficeAdmin>> UpdateOffice(string code, OfficeInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var office = await OfficeAsync(db, code, ct);
        var before = View(office);
        if (body.Code is not null && body.Code != office.Code) throw Fail.Bad("An office's code does not change", "La clave de una oficina no cambia", "code");
        office.Name = Text(body.Name, "name", 200, false) ?? office.Name;
        office.Dependency = Text(body.Dependency, "dependency", 200, false) ?? office.Dependency;
        office.Address = Text(body.Address, "address", 300, false) ?? office.Address;
        if (body.Phone is not null) office.Phone = Text(body.Phone, "phone", 40, false);
        if (body.Accessibility is not null) office.Accessibility = Text(body.Accessibility, "accessibility", 500, false);
        if (body.Longitude is not null || body.Latitude is not null) office.Geom = Location(body.Longitude ?? office.Geom.X, body.Latitude ?? office.Geom.Y);
        office.Approximate = body.Approximate ?? office.Approximate;
        if (body.Active == false && office.Active)
            await RequireRoomForOfficeAsync(db, office.Id, f => (f.Schedules, f.Calendar, false), ct);
        office.Active = body.Active ?? office.Active;
        Audit(db, user, "office", office.Code, "update", before, View(office));
        await SaveAsync(db, ct);
        return TypedResults.Ok(View(office));
    }

    private static async Task<Ok<OfficeAdmin>> DeactivateOffice(string code, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
        await UpdateOffice(code, new OfficeInput(null, null, null, null, null, null, null, null, null, false), user, db, ct);

    // ---- services -----------------------------------------------------------------------------------------------

    private static ServiceAdmin View(Service s, string office) =>
        new(s.Id, office, s.Procedure, s.Name, s.Prefix, s.DurationMinutes, s.Requirements, s.Cost, s.LegalBasis, s.Online, s.ValidFrom, s.Active);

    private static async Task<Ok<List<ServiceAdmin>>> ListServices(AppDbContext db, CancellationToken ct, string? office = null)
    {
        var rows = await db.Services.AsNoTracking().Join(db.Offices, s => s.OfficeId, o => o.Id, (s, o) => new { s, o.Code })
            .Where(x => office == null || x.Code == office).OrderBy(x => x.Code).ThenBy(x => x.s.Prefix).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(x => View(x.s, x.Code)).ToList());
    }

    private static void Apply(Service s, ServiceInput body, bool creating)
    {
        s.Name = Text(body.Name, "name", 200, creating) ?? s.Name;
        if (body.Prefix is not null || creating)
        {
            var prefix = Text(body.Prefix, "prefix", 2, true)!;
            if (!PrefixPattern.IsMatch(prefix)) throw Fail.Bad("'prefix' is one or two capital letters (C in C-017)", "'prefix' es una o dos letras mayúsculas (la C de C-017)", "prefix");
            s.Prefix = prefix;
        }
        if (body.DurationMinutes is not null || creating)
        {
            if (body.DurationMinutes is not (>= 5 and <= 480))
                throw Fail.Bad("'durationMinutes' is between 5 and 480", "'durationMinutes' va de 5 a 480", "durationMinutes");
            s.DurationMinutes = body.DurationMinutes.Value;
        }
        s.Requirements = Text(body.Requirements, "requirements", 2000, false) ?? s.Requirements;
        if (body.Cost is { } cost)
        {
            if (cost is < 0 or > 1_000_000m || decimal.Round(cost, 2) != cost)
                throw Fail.Bad("'cost' is in pesos, 0 to 1,000,000, with at most 2 decimals", "'cost' va en pesos, de 0 a 1,000,000, con 2 decimales como máximo", "cost");
            s.Cost = cost;
        }
        s.LegalBasis = Text(body.LegalBasis, "legalBasis", 1000, false) ?? s.LegalBasis;
        s.Online = body.Online ?? s.Online;
        if (body.ValidFrom is not null || creating) s.ValidFrom = body.ValidFrom is null ? Slots.LocalDay(DateTime.UtcNow) : Day(body.ValidFrom, "validFrom");
    }

    private static async Task<Created<ServiceAdmin>> CreateService(ServiceInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var office = await OfficeAsync(db, Code(body.Office, "office"), ct);
        var service = new Service { OfficeId = office.Id, Procedure = Code(body.Procedure, "procedure"), Name = "", Prefix = "", Active = body.Active ?? true };
        Apply(service, body, creating: true);
        db.Services.Add(service);
        await SaveAsync(db, ct); // its id names the audit row
        Audit(db, user, "service", service.Id.ToString(CultureInfo.InvariantCulture), "create", null, View(service, office.Code));
        await SaveAsync(db, ct);
        return TypedResults.Created($"/api/appointments/admin/services/{service.Id}", View(service, office.Code));
    }

    private static async Task<Ok<ServiceAdmin>> UpdateService(int id, ServiceInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var (service, facts) = await ServiceFactsAsync(db, id, ct);
        var before = View(service, facts.Office.Code);
        if (body.Office is not null && body.Office != facts.Office.Code || body.Procedure is not null && body.Procedure != service.Procedure)
            throw Fail.Bad("A service's office and procedure do not change; create another service", "La oficina y el trámite de un servicio no cambian; cree otro servicio", "office");
        Apply(service, body, creating: false);
        var active = body.Active ?? service.Active;
        if (service.Active && (!active || service.ValidFrom > before.ValidFrom))
            await RequireRoomAsync(db, id, facts.Schedules, facts.Calendar, service.ValidFrom, active, ct);
        service.Active = active;
        Audit(db, user, "service", id.ToString(CultureInfo.InvariantCulture), "update", before, View(service, facts.Office.Code));
        await SaveAsync(db, ct);
        return TypedResults.Ok(View(service, facts.Office.Code));
    }

    private static Task<Ok<ServiceAdmin>> DeactivateService(int id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
        UpdateService(id, new ServiceInput(null, null, null, null, null, null, null, null, null, null, false), user, db, ct);

    // ---- schedules ----------------------------------------------------------------------------------------------

    private static List<ScheduleAdmin> View(IEnumerable<ScheduleRange> ranges) =>
        [.. ranges.OrderBy(r => r.Weekday).ThenBy(r => r.Starts).Select(r => new ScheduleAdmin(r.Weekday, r.Starts.ToString("HH:mm", CultureInfo.InvariantCulture), r.Ends.ToString("HH:mm", CultureInfo.InvariantCulture), r.Desks))];

    private static async Task<Ok<List<ScheduleAdmin>>> Schedules(int id, AppDbContext db, CancellationToken ct) =>
        TypedResults.Ok(View((await ServiceFactsAsync(db, id, ct)).Facts.Schedules));

    private static async Task<Ok<List<ScheduleAdmin>>> ReplaceSchedules(int id, SchedulesInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var (service, facts) = await ServiceFactsAsync(db, id, ct);
        var input = body.Ranges ?? throw Fail.Bad("'ranges' is required (an empty list closes the service every day)", "Falta 'ranges' (una lista vacía cierra el servicio todos los días)", "ranges");
        if (input.Length > 70) throw Fail.Bad("At most 70 ranges", "Como máximo 70 horarios", "ranges");
        var ranges = new List<ScheduleRange>();
        foreach (var r in input)
        {
            if (r is null) throw Fail.Bad("A range is an object", "Cada horario es un objeto", "ranges");
            if (r.Weekday is < 0 or > 6) throw Fail.Bad("'weekday' is 0 (Sunday) to 6 (Saturday)", "'weekday' va de 0 (domingo) a 6 (sábado)", "weekday");
            var (starts, ends) = (Time(r.Starts, "starts"), Time(r.Ends, "ends"));
            if (ends <= starts) throw Fail.Bad($"A range ends after it starts ({r.Starts}–{r.Ends})", $"Un horario termina después de empezar ({r.Starts}–{r.Ends})", "ends");
            if (r.Desks is < 1 or > 100) throw Fail.Bad("'desks' is 1 to 100", "'desks' va de 1 a 100", "desks");
            if (ranges.FirstOrDefault(o => o.Weekday == r.Weekday && o.Starts < ends && starts < o.Ends) is { } overlap)
                throw Fail.Bad($"Ranges of weekday {r.Weekday} overlap ({overlap.Starts:HH\\:mm}–{overlap.Ends:HH\\:mm} and {starts:HH\\:mm}–{ends:HH\\:mm})",
                    $"Se traslapan horarios del día {r.Weekday} ({overlap.Starts:HH\\:mm}–{overlap.Ends:HH\\:mm} y {starts:HH\\:mm}–{ends:HH\\:mm})", "ranges");
            ranges.Add(new ScheduleRange(r.Weekday, starts, ends, r.Desks));
        }
        await RequireRoomAsync(db, id, ranges, facts.Calendar, service.ValidFrom, service.Active, ct);
        db.Schedules.RemoveRange(db.Schedules.Where(s => s.ServiceId == id));
        db.Schedules.AddRange(ranges.Select(r => new Schedule { ServiceId = id, Weekday = r.Weekday, Starts = r.Starts, Ends = r.Ends, Desks = r.Desks }));
        Audit(db, user, "schedules", id.ToString(CultureInfo.InvariantCulture), "update", View(facts.Schedules), View(ranges));
        await SaveAsync(db, ct);
        return TypedResults.Ok(View(ranges));
    }

    // ---- absences, closures, holidays ---------------------------------------------------------------------------

    private static AbsenceAdmin View(Absence a) => new(a.Id, a.ServiceId, a.FromDay, a.ToDay, a.Desks, a.Reason);
    private static ClosureAdmin View(Closure c, string office) => new(c.Id, office, c.FromDay, c.ToDay, c.Reason);

    private static async Task<Ok<List<AbsenceAdmin>>> Absences(int id, AppDbContext db, CancellationToken ct)
    {
        await ServiceFactsAsync(db, id, ct);
        return TypedResults.Ok((await db.Absences.AsNoTracking().Where(a => a.ServiceId == id).OrderBy(a => a.FromDay).ToListAsync(ct)).Select(View).ToList());
    }

    private static async Task<Created<AbsenceAdmin>> CreateAbsence(int id, AbsenceInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var (service, facts) = await ServiceFactsAsync(db, id, ct);
        var (from, to) = Range(body.From, body.To);
        if (body.Desks is not (>= 1 and <= 100)) throw Fail.Bad("'desks' (missing) is 1 to 100", "'desks' (ventanillas que faltan) va de 1 a 100", "desks");
        var absence = new Absence { ServiceId = id, FromDay = from, ToDay = to, Desks = body.Desks.Value, Reason = Text(body.Reason, "reason", 300, false) ?? "" };
        var cal = facts.Calendar with { Absences = [.. facts.Calendar.Absences, new DayOff(from, to, absence.Desks)] };
        await RequireRoomAsync(db, id, facts.Schedules, cal, service.ValidFrom, service.Active, ct);
        db.Absences.Add(absence);
        await SaveAsync(db, ct);
        Audit(db, user, "absence", absence.Id.ToString(CultureInfo.InvariantCulture), "create", null, View(absence));
        await SaveAsync(db, ct);
        return TypedResults.Created($"/api/appointments/admin/absences/{absence.Id}", View(absence));
    }

    private static async Task<NoContent> DeleteAbsence(int id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var absence = await db.Absences.FirstOrDefaultAsync(a => a.Id == id, ct) ?? throw Fail.NotFound($"No absence {id}", $"No existe la ausencia {id}");
        db.Absences.Remove(absence);
        Audit(db, user, "absence", id.ToString(CultureInfo.InvariantCulture), "delete", View(absence), null);
        await SaveAsync(db, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<ClosureAdmin>>> Closures(string code, AppDbContext db, CancellationToken ct)
    {
        var office = await OfficeAsync(db, code, ct);
        return TypedResults.Ok((await db.Closures.AsNoTracking().Where(c => c.OfficeId == office.Id).OrderBy(c => c.FromDay).ToListAsync(ct)).Select(c => View(c, code)).ToList());
    }

    private static async Task<Created<ClosureAdmin>> CreateClosure(string code, ClosureInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var office = await OfficeAsync(db, code, ct);
        var (from, to) = Range(body.From, body.To);
        var closure = new Closure { OfficeId = office.Id, FromDay = from, ToDay = to, Reason = Text(body.Reason, "reason", 300, false) ?? "" };
        await RequireRoomForOfficeAsync(db, office.Id, f => (f.Schedules, f.Calendar with { Closures = [.. f.Calendar.Closures, new DayOff(from, to)] }, true), ct);
        db.Closures.Add(closure);
        await SaveAsync(db, ct);
        Audit(db, user, "closure", closure.Id.ToString(CultureInfo.InvariantCulture), "create", null, View(closure, code));
        await SaveAsync(db, ct);
        return TypedResults.Created($"/api/appointments/admin/closures/{closure.Id}", View(closure, code));
    }

    private static async Task<NoContent> DeleteClosure(int id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var closure = await db.Closures.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw Fail.NotFound($"No closure {id}", $"No existe el cierre {id}");
        var code = await db.Offices.Where(o => o.Id == closure.OfficeId).Select(o => o.Code).FirstAsync(ct);
        db.Closures.Remove(closure);
        Audit(db, user, "closure", id.ToString(CultureInfo.InvariantCulture), "delete", View(closure, code), null);
        await SaveAsync(db, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<HolidayAdmin>> CreateHoliday(HolidayInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var day = Day(body.Day, "day");
        var holiday = new Holiday { Day = day, Name = Text(body.Name, "name", 200, true)! };
        if (await db.Holidays.AnyAsync(h => h.Day == day, ct)) throw Fail.Conflict($"{day:yyyy-MM-dd} is already a holiday", $"{day:yyyy-MM-dd} ya es día inhábil");
        var (a, b) = (Slots.Utc(day, TimeOnly.MinValue), Slots.Utc(day.AddDays(1), TimeOnly.MinValue));
        var lost = await db.Bookings.CountAsync(x => (x.State == "booked" || x.State == "checked_in") && x.StartsAt >= a && x.StartsAt < b, ct);
        if (lost > 0)
            throw Fail.Conflict($"{lost} booked appointment(s) fall on that day; move or cancel them first (nothing was changed)",
                $"{lost} cita(s) agendada(s) caen en ese día; cámbielas o cancélelas antes (no se cambió nada)");
        db.Holidays.Add(holiday);
        Audit(db, user, "holiday", $"{day:yyyy-MM-dd}", "create", null, new HolidayAdmin(day, holiday.Name));
        await SaveAsync(db, ct);
        return TypedResults.Created($"/api/appointments/admin/holidays/{day:yyyy-MM-dd}", new HolidayAdmin(day, holiday.Name));
    }

    private static async Task<Holiday> HolidayAsync(AppDbContext db, string day, CancellationToken ct)
    {
        var d = Day(day, "day");
        return await db.Holidays.FirstOrDefaultAsync(h => h.Day == d, ct) ?? throw Fail.NotFound($"{d:yyyy-MM-dd} is not a holiday", $"{d:yyyy-MM-dd} no es día inhábil");
    }

    private static async Task<Ok<HolidayAdmin>> UpdateHoliday(string day, HolidayInput body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var holiday = await HolidayAsync(db, day, ct);
        var before = new HolidayAdmin(holiday.Day, holiday.Name);
        holiday.Name = Text(body.Name, "name", 200, true)!;
        Audit(db, user, "holiday", $"{holiday.Day:yyyy-MM-dd}", "update", before, new HolidayAdmin(holiday.Day, holiday.Name));
        await SaveAsync(db, ct);
        return TypedResults.Ok(new HolidayAdmin(holiday.Day, holiday.Name));
    }

    private static async Task<NoContent> DeleteHoliday(string day, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var holiday = await HolidayAsync(db, day, ct);
        db.Holidays.Remove(holiday);
        Audit(db, user, "holiday", $"{holiday.Day:yyyy-MM-dd}", "delete", new HolidayAdmin(holiday.Day, holiday.Name), null);
        await SaveAsync(db, ct);
        return TypedResults.NoContent();
    }

    // ---- audit and outbox ---------------------------------------------------------------------------------------

    private static async Task<Ok<List<ChangeInfo>>> Changes(AppDbContext db, CancellationToken ct, string? entity = null, string? key = null, int? limit = null)
    {
        var n = limit is null ? 100 : Math.Clamp(limit.Value, 1, 1000);
        var rows = await db.AppointmentAdminChanges.AsNoTracking().Where(c => (entity == null || c.Entity == entity) && (key == null || c.EntityKey == key))
            .OrderByDescending(c => c.Id).Take(n).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(c => new ChangeInfo(c.Id, TurnEndpoints.Local(c.At), c.UserName, c.Entity, c.EntityKey, c.Action, c.Before, c.After)).ToList());
    }

    private static async Task<Ok<List<OutboxInfo>>> OutboxList(AppDbContext db, CancellationToken ct, bool? pending = null, int? limit = null)
    {
        var n = limit is null ? 100 : Math.Clamp(limit.Value, 1, 1000);
        var rows = await db.AppointmentOutbox.AsNoTracking().Where(m => pending != true || m.SentAt == null).OrderByDescending(m => m.Id).Take(n).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(m => new OutboxInfo(m.Id, m.BookingId, m.To, m.Subject, m.Body, TurnEndpoints.Local(m.Created),
            m.SentAt is { } s ? TurnEndpoints.Local(s) : null, m.Attempts, m.LastError)).ToList());
    }
}
