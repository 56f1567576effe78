using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

public sealed record ProcedureInfo(string Code, string Name, int DurationMinutes, string Requirements, decimal Cost, string LegalBasis, bool Online, int Offices);
public sealed record OfficeOption(string Code, string Name, string Dependency, string Address, string? Phone, string? Accessibility, bool Approximate,
    double Longitude, double Latitude, double? DistanceM, int ServiceId, string Service, int DurationMinutes, DateTimeOffset? NextFreeSlot);
public sealed record DayInfo(DateOnly Date, int FreeSlots, int FreeDesks, string? Closed);
public sealed record SlotInfo(DateTimeOffset Start, DateTimeOffset End, int Free);
public sealed record HoldRequest(int ServiceId, string? Start, int[]? ExtraServiceIds);
public sealed record HoldCreated(string HoldKey, DateTimeOffset ExpiresAt, string Challenge, int ChallengeBits, DateTimeOffset Start, DateTimeOffset End, string Office, string Service);
public sealed record ConfirmRequest(string? GivenNames, string? Surname1, string? Surname2, string? Curp, string? Email, string? Phone, string? Nonce);
public sealed record Confirmation(string Folio, string Token, string ManageUrl, DateTimeOffset Start, DateTimeOffset End, string Office, string OfficeAddress, string Service, string[] ExtraServices);
public sealed record BookingView(string Folio, string State, DateTimeOffset Start, DateTimeOffset End, string OfficeCode, string Office, string OfficeAddress, string? OfficePhone,
    double Longitude, double Latitude, int ServiceId, string Service, string[] ExtraServices, string Requirements, string? Turn);
public sealed record RescheduleRequest(string? Start);

/// <summary>
/// The citizen's side: procedures, offices (nearest first, with their next free slot), days, times, a 5-minute hold,
/// the confirmation (CURP, proof of work, one active appointment per CURP and procedure), and the manage link
/// (folio + secret token): view, cancel, reschedule, .ics, QR. Capacity is the exclusion constraint's, not a count.
/// </summary>
public static class BookingEndpoints
{
    public const string CitizenLimiter = "appointments-citizen";
    public const string TokenHeader = "X-Manage-Token";

    public static IEndpointRouteBuilder MapBookingEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/appointments").WithTags("Citas (Cero Filas) / Appointments");
        g.MapGet("/procedures", Procedures).WithName("AppointmentProcedures").WithSummary("Trámites con cita / Procedures that take appointments");
        g.MapGet("/offices", Offices).WithName("AppointmentOffices")
            .WithSummary("Oficinas que ofrecen un trámite, la más cercana primero, con su próximo horario libre / Offices offering a procedure, nearest first");
        g.MapGet("/holidays", (AppDbContext db) => db.Holidays.AsNoTracking().OrderBy(h => h.Day).ToListAsync()).WithName("AppointmentHolidays")
            .WithSummary("Días inhábiles municipales / Municipal holidays");
        g.MapGet("/services/{id:int}/days", Days).WithName("AppointmentDays").WithSummary("Disponibilidad por día / Availability per day");
        g.MapGet("/services/{id:int}/slots", SlotsOfDay).WithName("AppointmentSlots").WithSummary("Horarios libres de un día / Free times of a day");
        g.MapPost("/holds", Hold).RequireRateLimiting(CitizenLimiter).WithName("AppointmentHold")
            .WithSummary("Aparta un horario por 5 minutos / Hold a time for 5 minutes");
        g.MapDelete("/holds/{key}", Release).RequireRateLimiting(CitizenLimiter).WithName("AppointmentRelease").WithSummary("Libera un apartado / Release a hold");
        // carries personal data in its body: documented in docs/APPOINTMENTS.md, not in the public Swagger document
        g.MapPost("/holds/{key}/confirm", Confirm).RequireRateLimiting(CitizenLimiter).ExcludeFromDescription();
        g.MapGet("/{folio}", View).RequireRateLimiting(CitizenLimiter).WithName("AppointmentView")
            .WithSummary("Una cita, con el token de su enlace / One appointment, with its link's token (X-Manage-Token or ?token=)");
        g.MapPost("/{folio}/cancel", Cancel).RequireRateLimiting(CitizenLimiter).WithName("AppointmentCancel").WithSummary("Cancela / Cancel");
        g.MapPost("/{folio}/reschedule", Reschedule).RequireRateLimiting(CitizenLimiter).WithName("AppointmentReschedule").WithSummary("Cambia el horario / Reschedule");
        g.MapGet("/{folio}/calendar.ics", Ics).RequireRateLimiting(CitizenLimiter).WithName("AppointmentIcs").WithSummary("La cita en iCalendar / As an .ics file");
        g.MapGet("/{folio}/qr.png", Qr).RequireRateLimiting(CitizenLimiter).WithName("AppointmentQr").WithSummary("Código QR del folio / QR code of the folio");
        return app;
    }

    private static DateTimeOffset Local(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToOffset(Instants.VeracruzOffset);

    private static async Task<Ok<List<ProcedureInfo>>> Procedures(AppDbContext db, CancellationToken ct)
    {
        var services = await db.Services.AsNoTracking().Where(s => s.Active).Join(db.Offices.Where(o => o.Active), s => s.OfficeId, o => o.Id, (s, o) => s).ToListAsync(ct);
        return TypedResults.Ok(services.GroupBy(s => s.Procedure).OrderBy(p => p.First().Name, StringComparer.Create(CultureInfo.GetCultureInfo("es-MX"), false))
            .Select(p => p.OrderBy(s => s.Id).First() is var s
                ? new ProcedureInfo(p.Key, s.Name, s.DurationMinutes, s.Requirements, s.Cost, s.LegalBasis, s.Online, p.Count()) : null!)
            .ToList());
    }

    private static async Task<Ok<List<OfficeOption>>> Offices(HttpRequest request, AppDbContext db, LayerRegistry layers, NpgsqlDataSource ds, IOptions<AppointmentsOptions> opt, CancellationToken ct)
    {
        var procedure = QueryArgs.Get(request, "procedure");
        (double Lon, double Lat)? from = null;
        if (QueryArgs.Get(request, "clave") is { Length: > 0 } clave) from = await ParcelPointAsync(clave, layers, ds, ct);
        else if (QueryArgs.Get(request, "lon") is not null || QueryArgs.Get(request, "lat") is not null)
            from = (QueryArgs.RequiredDouble(QueryArgs.Get(request, "lon"), "lon", -180, 180), QueryArgs.RequiredDouble(QueryArgs.Get(request, "lat"), "lat", -90, 90));
        var rows = await db.Services.AsNoTracking().Where(s => s.Active && (procedure == null || s.Procedure == procedure))
            .Join(db.Offices.AsNoTracking().Where(o => o.Active), s => s.OfficeId, o => o.Id, (s, o) => new { s, o }).ToListAsync(ct);
        if (procedure is not null && rows.Count == 0)
            throw Fail.NotFound($"No office offers the procedure '{procedure}'", $"Ninguna oficina ofrece el trámite '{procedure}'");
        var list = new List<OfficeOption>();
        foreach (var r in rows)
        {
            var facts = await Capacity.LoadAsync(db, r.s.Id, ct);
            var next = facts is null ? null : await Capacity.NextFreeAsync(db, facts, opt.Value, ct);
            double? distance = from is { } p ? Math.Round(Meters(p.Lon, p.Lat, r.o.Geom.X, r.o.Geom.Y)) : null;
            list.Add(new OfficeOption(r.o.Code, r.o.Name, r.o.Dependency, r.o.Address, r.o.Phone, r.o.Accessibility, r.o.Approximate, r.o.Geom.X, r.o.Geom.Y,
                distance, r.s.Id, r.s.Name, r.s.DurationMinutes, next is null ? null : Local(next.Start)));
        }
        return TypedResults.Ok(list.OrderBy(o => o.DistanceM ?? 0).ThenBy(o => o.NextFreeSlot ?? DateTimeOffset.MaxValue).ThenBy(o => o.Name, StringComparer.Ordinal).ToList());
    }

    /// <summary>A point inside the parcel, through the public parcels layer of the registry (not the cadastre's internals).</summary>
    private static async Task<(double, double)> ParcelPointAsync(string text, LayerRegistry layers, NpgsqlDataSource ds, CancellationToken ct)
    {
        if (!ClaveCatastral.TryParse(text, out var clave))
            throw Fail.Bad($"'{text}' is not a clave catastral (zone-block-lot, e.g. 001-0012-007)", $"'{text}' no es una clave catastral (zona-manzana-lote, p. ej. 001-0012-007)", "clave");
        var layer = layers.Find("parcels") ?? throw Fail.NotFound("The parcels layer is not published", "La capa de predios no está publicada");
        await using var cmd = ds.CreateCommand($"SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(t.{LayerDefinition.Quote(layer.GeometryColumn)}) p FROM {layer.QualifiedTable} t WHERE t.{LayerDefinition.Quote(layer.KeyColumn)} = @c) s");
        cmd.Parameters.AddWithValue("c", clave.ToString()!);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw Fail.NotFound($"No parcel has the clave {clave}", $"No hay un predio con la clave {clave}");
        return (r.GetDouble(0), r.GetDouble(1));
    }

    private static double Meters(double lon1, double lat1, double lon2, double lat2)
    {
        static double Rad(double d) => d * Math.PI / 180;
        var a = Math.Pow(Math.Sin(Rad(lat2 - lat1) / 2), 2) + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Pow(Math.Sin(Rad(lon2 - lon1) / 2), 2);
        return 6_371_008.8 * 2 * Math.Asin(Math.Sqrt(a));
    }

    private static async Task<ServiceFacts> FactsAsync(AppDbContext db, int id, CancellationToken ct) =>
        await Capacity.LoadAsync(db, id, ct) ?? throw Fail.NotFound($"No service {id} is offered", $"No se ofrece el servicio {id}");

    /// <summary>Other services of the same office done in the same visit: their durations add up.</summary>
    private static async Task<List<Service>> ExtrasAsync(AppDbContext db, ServiceFacts facts, IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        if (ids.Count > 3 || ids.Distinct().Count() != ids.Count || ids.Contains(facts.Service.Id))
            throw Fail.Bad("At most 3 other services, each once, besides the main one", "Como máximo 3 servicios adicionales distintos del principal", "extraServiceIds");
        var extras = await db.Services.AsNoTracking().Where(s => ids.Contains(s.Id) && s.Active && s.OfficeId == facts.Office.Id).ToListAsync(ct);
        if (extras.Count != ids.Count)
            throw Fail.Bad("Every additional service must be offered by the same office", "Cada servicio adicional debe ofrecerse en la misma oficina", "extraServiceIds");
        return extras;
    }

    private static int[] ParseIds(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
                throw Fail.Bad($"'{name}' must be service ids separated by commas", $"'{name}' debe ser una lista de servicios separados por comas", name);
        return ids;
    }

    private static DateOnly ParseDate(string? text, string name, DateOnly fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw Fail.Bad($"'{name}' must be a date yyyy-mm-dd, got '{text}'", $"'{name}' debe ser una fecha aaaa-mm-dd; se recibió '{text}'", name);
    }

    private static async Task<Ok<List<DayInfo>>> Days(int id, HttpRequest request, AppDbContext db, IOptions<AppointmentsOptions> opt, CancellationToken ct)
    {
        var o = opt.Value;
        var facts = await FactsAsync(db, id, ct);
        var now = DateTime.UtcNow;
        var from = ParseDate(QueryArgs.Get(request, "from"), "from", Slots.LocalDay(now));
        var count = QueryArgs.OptionalInt(QueryArgs.Get(request, "days"), "days", 31, 1, 62);
        var extras = await ExtrasAsync(db, facts, ParseIds(QueryArgs.Get(request, "extras"), "extras"), ct);
        var visit = facts.Service.DurationMinutes + extras.Sum(e => e.DurationMinutes);
        var occupied = await Capacity.OccupiedAsync(db, id, Slots.Utc(from, TimeOnly.MinValue), Slots.Utc(from.AddDays(count), TimeOnly.MinValue), ct);
        var names = await db.Holidays.AsNoTracking().ToDictionaryAsync(h => h.Day, h => h.Name, ct);
        var days = new List<DayInfo>();
        for (var day = from; day < from.AddDays(count); day = day.AddDays(1))
        {
            var free = Capacity.FreeSlots(facts, day, visit, occupied, o, now).ToList();
            var closed = names.TryGetValue(day, out var holiday) ? holiday : facts.Calendar.Closures.Any(c => c.Covers(day)) ? "Oficina cerrada" : null;
            days.Add(new DayInfo(day, free.Count, free.Sum(f => f.Free), closed));
        }
        return TypedResults.Ok(days);
    }

    private static async Task<Ok<List<SlotInfo>>> SlotsOfDay(int id, HttpRequest request, AppDbContext db, IOptions<AppointmentsOptions> opt, CancellationToken ct)
    {
        var facts = await FactsAsync(db, id, ct);
        var day = ParseDate(QueryArgs.Get(request, "date") ?? throw Fail.Bad("'date' is required", "Falta la fecha ('date')", "date"), "date", default);
        var extras = await ExtrasAsync(db, facts, ParseIds(QueryArgs.Get(request, "extras"), "extras"), ct);
        var visit = facts.Service.DurationMinutes + extras.Sum(e => e.DurationMinutes);
        var occupied = await Capacity.OccupiedAsync(db, id, Slots.Utc(day, TimeOnly.MinValue), Slots.Utc(day.AddDays(1), TimeOnly.MinValue), ct);
        return TypedResults.Ok(Capacity.FreeSlots(facts, day, visit, occupied, opt.Value, DateTime.UtcNow)
            .Select(f => new SlotInfo(Local(f.Slot.Start), Local(f.Slot.End), f.Free)).ToList());
    }

    private static DateTime ParseStart(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw Fail.Bad("'start' is required", "Falta el horario ('start')", "start");
        if (!text.Contains('T') || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            throw Fail.Bad($"'start' must be a date and time such as 2026-12-01T09:30:00-06:00, got '{text}'",
                $"'start' debe ser una fecha y hora como 2026-12-01T09:30:00-06:00; se recibió '{text}'", "start");
        // no offset means Veracruz's time, as people read it on the page
        return System.Text.RegularExpressions.Regex.IsMatch(text, @"(Z|[+-]\d\d:?\d\d)$") ? t.UtcDateTime
            : new DateTimeOffset(DateTime.SpecifyKind(t.DateTime, DateTimeKind.Unspecified), Instants.VeracruzOffset).UtcDateTime;
    }

    /// <summary>The slot that starts at <paramref name="start"/>, or the reason there is none (each a clear bilingual 400).</summary>
    internal static Slot CheckSlot(ServiceFacts facts, DateTime start, int visitMinutes, AppointmentsOptions o, Dictionary<DateOnly, string> holidays)
    {
        var now = DateTime.UtcNow;
        var day = Slots.LocalDay(start);
        if (start < now) throw Fail.Bad("That time is in the past", "Ese horario ya pasó", "start");
        if (start < now.AddMinutes(o.MinLeadMinutes))
            throw Fail.Bad($"Appointments are booked at least {o.MinLeadMinutes} minutes ahead", $"Las citas se agendan con al menos {o.MinLeadMinutes} minutos de anticipación", "start");
        if (day > Slots.LocalDay(now).AddDays(o.HorizonDays))
            throw Fail.Bad($"Appointments are booked at most {o.HorizonDays} days ahead", $"Las citas se agendan con un máximo de {o.HorizonDays} días de anticipación", "start");
        if (holidays.TryGetValue(day, out var holiday))
            throw Fail.Bad($"{day:yyyy-MM-dd} is a municipal holiday ({holiday})", $"El {day:dd/MM/yyyy} es día inhábil ({holiday})", "start");
        if (facts.Calendar.Closures.Any(c => c.Covers(day)))
            throw Fail.Bad($"The office is closed on {day:yyyy-MM-dd}", $"La oficina está cerrada el {day:dd/MM/yyyy}", "start");
        return facts.SlotsOn(day, visitMinutes).FirstOrDefault(s => s.Start == start)
            ?? throw Fail.Bad("That is not a start time of this service's schedule (outside the office hours, or not on its time grid)",
                "Ese horario no está en la agenda del servicio (fuera del horario de atención o no coincide con el inicio de un turno)", "start");
    }

    private static async Task<Created<HoldCreated>> Hold(HoldRequest body, AppDbContext db, IOptions<AppointmentsOptions> opt, CancellationToken ct)
    {
        var o = opt.Value;
        var facts = await FactsAsync(db, body.ServiceId, ct);
        var start = ParseStart(body.Start);
        var extras = await ExtrasAsync(db, facts, body.ExtraServiceIds ?? [], ct);
        var slot = CheckSlot(facts, start, facts.Service.DurationMinutes + extras.Sum(e => e.DurationMinutes), o, await HolidayNamesAsync(db, ct));
        // one connection for the whole request (the context's, also used below for the desks taken): a request holding one
        // connection while it waits for a second can exhaust the pool under a burst of bookings and stall every request
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        // holds that expired leave first: a job sweeps them too, but the booking never trusts that it ran
        await using (var sweep = new NpgsqlCommand("DELETE FROM appointments.bookings WHERE state = 'held' AND hold_expires_at <= now() AND service_id = @s AND starts_at < @e AND ends_at > @b", conn))
        {
            sweep.Parameters.AddWithValue("s", facts.Service.Id);
            sweep.Parameters.AddWithValue("b", slot.Start);
            sweep.Parameters.AddWithValue("e", slot.End);
            await sweep.ExecuteNonQueryAsync(ct);
        }
        var key = Secrets.NewToken();
        var challenge = Secrets.NewToken();
        foreach (var desk in Slots.FreeDesks(slot, await Capacity.OccupiedAsync(db, facts.Service.Id, slot.Start, slot.End, ct)))
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO appointments.bookings (hold_key, challenge, hold_expires_at, office_id, service_id, procedure, extra_service_ids, desk, starts_at, ends_at, state, synthetic, created)
                VALUES (@k, @c, now() + make_interval(mins => @m), @o, @s, @p, @x, @d, @b, @e, 'held', false, now()) RETURNING hold_expires_at
                """, conn);
            insert.Parameters.AddWithValue("k", key);
            insert.Parameters.AddWithValue("c", challenge);
            insert.Parameters.AddWithValue("m", o.HoldMinutes);
            insert.Parameters.AddWithValue("o", facts.Office.Id);
            insert.Parameters.AddWithValue("s", facts.Service.Id);
            insert.Parameters.AddWithValue("p", facts.Service.Procedure);
            insert.Parameters.AddWithValue("x", extras.Select(e => e.Id).ToArray());
            insert.Parameters.AddWithValue("d", desk);
            insert.Parameters.AddWithValue("b", slot.Start);
            insert.Parameters.AddWithValue("e", slot.End);
            try
            {
                var expires = (DateTime)(await insert.ExecuteScalarAsync(ct))!;
                return TypedResults.Created($"/api/appointments/holds/{key}", new HoldCreated(key, Local(expires), challenge, o.ChallengeBits,
                    Local(slot.Start), Local(slot.End), facts.Office.Name, facts.Service.Name));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ExclusionViolation)
            {
                // another hold took this desk meanwhile: the constraint decided, try the next desk
            }
        }
        throw Fail.Conflict("That time was just taken; choose another", "Ese horario se acaba de ocupar; elija otro");
    }

    internal static Task<Dictionary<DateOnly, string>> HolidayNamesAsync(AppDbContext db, CancellationToken ct) =>
        db.Holidays.AsNoTracking().ToDictionaryAsync(h => h.Day, h => h.Name, ct);

    private static async Task<NoContent> Release(string key, NpgsqlDataSource ds, CancellationToken ct)
    {
        await using var cmd = ds.CreateCommand("DELETE FROM appointments.bookings WHERE hold_key = @k AND state = 'held'");
        cmd.Parameters.AddWithValue("k", key);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0) throw Fail.NotFound("No such hold (it expired or was used)", "No existe ese apartado (venció o ya se usó)");
        return TypedResults.NoContent();
    }

    private sealed record Person(string GivenNames, string Surname1, string? Surname2, string Curp, string? Email, string? Phone);

    private static Person Validate(ConfirmRequest b)
    {
        var given = PersonName.Clean(b.GivenNames) ?? throw Fail.Bad("'givenNames' must be a name (letters, accents, Ñ, spaces, ' - .)", "Escriba el nombre o nombres (letras, acentos, Ñ, espacios, ' - .)", "givenNames");
        var s1 = PersonName.Clean(b.Surname1) ?? throw Fail.Bad("'surname1' must be a surname", "Escriba el primer apellido", "surname1");
        string? s2 = null;
        if (!string.IsNullOrWhiteSpace(b.Surname2))
            s2 = PersonName.Clean(b.Surname2) ?? throw Fail.Bad("'surname2' must be a surname or empty", "El segundo apellido no es válido (puede dejarse vacío)", "surname2");
        if (Curp.Problem(b.Curp) is { } curpProblem) throw Fail.Bad(curpProblem.En, curpProblem.Es, "curp");
        string? email = null;
        if (!string.IsNullOrWhiteSpace(b.Email))
        {
            email = b.Email.Trim();
            if (email.Length > 254 || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.'))
                throw Fail.Bad("'email' is not an e-mail address", "El correo electrónico no es válido", "email");
        }
        string? phone = null;
        if (!string.IsNullOrWhiteSpace(b.Phone))
        {
            phone = new string(b.Phone.Where(char.IsAsciiDigit).ToArray());
            if (phone.Length == 12 && phone.StartsWith("52", StringComparison.Ordinal)) phone = phone[2..];
            if (phone.Length != 10 || b.Phone.Any(c => !(char.IsAsciiDigit(c) || c is ' ' or '-' or '+' or '(' or ')')))
                throw Fail.Bad("'phone' must be a 10-digit Mexican number", "El teléfono debe tener 10 dígitos", "phone");
        }
        return new Person(given, s1, s2, Curp.Normalize(b.Curp!), email, phone);
    }

    private static async Task<Created<Confirmation>> Confirm(string key, ConfirmRequest body, AppDbContext db, NpgsqlDataSource ds, IOptions<AppointmentsOptions> opt, HttpRequest request, CancellationToken ct)
    {
        var o = opt.Value;
        var person = Validate(body);
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long id; string challenge; bool alive; int serviceId; int[] extraIds;
        await using (var find = new NpgsqlCommand("SELECT id, challenge, hold_expires_at > now(), service_id, extra_service_ids FROM appointments.bookings WHERE hold_key = @k AND state = 'held' FOR UPDATE", conn, tx))
        {
            find.Parameters.AddWithValue("k", key);
            await using var r = await find.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw Fail.NotFound("No such hold: it expired or was already used. Choose a time again", "El apartado no existe: venció o ya se usó. Elija de nuevo un horario");
            (id, challenge, alive, serviceId, extraIds) = (r.GetInt64(0), r.GetString(1), r.GetBoolean(2), r.GetInt32(3), r.GetFieldValue<int[]>(4));
        }
        if (!alive)
            throw Fail.Status(409, $"The hold expired ({o.HoldMinutes} minutes); choose a time again", $"El apartado venció ({o.HoldMinutes} minutos); elija de nuevo un horario");
        if (o.ChallengeBits > 0 && !Secrets.SolvesChallenge(challenge, body.Nonce, o.ChallengeBits))
            throw Fail.Bad("The browser check did not complete ('nonce'); reload the page and try again", "No se completó la verificación del navegador ('nonce'); recargue la página e intente de nuevo", "nonce");
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM appointments.bookings WHERE curp = @c AND confirmed_at > now() - interval '1 day'", conn, tx))
        {
            count.Parameters.AddWithValue("c", person.Curp);
            if ((long)(await count.ExecuteScalarAsync(ct))! >= o.MaxBookingsPerCurpPerDay)
                throw Fail.Status(429, $"This CURP made {o.MaxBookingsPerCurpPerDay} appointments in the last 24 hours; try again tomorrow",
                    $"Con esta CURP se hicieron {o.MaxBookingsPerCurpPerDay} citas en las últimas 24 horas; intente mañana");
        }
        // an appointment whose time passed unattended no longer counts as active
        await using (var lapse = new NpgsqlCommand("UPDATE appointments.bookings SET state = 'no_show' WHERE curp = @c AND state = 'booked' AND ends_at < now()", conn, tx))
        {
            lapse.Parameters.AddWithValue("c", person.Curp);
            await lapse.ExecuteNonQueryAsync(ct);
        }
        var token = Secrets.NewToken();
        var folio = Secrets.NewFolio();
        await using (var update = new NpgsqlCommand("""
            UPDATE appointments.bookings SET state = 'booked', folio = @f, token_hash = @h, hold_key = NULL, challenge = NULL, hold_expires_at = NULL,
              curp = @curp, given_names = @g, surname1 = @s1, surname2 = @s2, email = @em, phone = @ph, confirmed_at = now()
            WHERE id = @id
            """, conn, tx))
        {
            update.Parameters.AddWithValue("f", folio);
            update.Parameters.AddWithValue("h", Secrets.Hash(token));
            update.Parameters.AddWithValue("curp", person.Curp);
            update.Parameters.AddWithValue("g", person.GivenNames);
            update.Parameters.AddWithValue("s1", person.Surname1);
            update.Parameters.AddWithValue("s2", (object?)person.Surname2 ?? DBNull.Value);
            update.Parameters.AddWithValue("em", (object?)person.Email ?? DBNull.Value);
            update.Parameters.AddWithValue("ph", (object?)person.Phone ?? DBNull.Value);
            update.Parameters.AddWithValue("id", id);
            try { await update.ExecuteNonQueryAsync(ct); }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "ux_bookings_active_per_curp")
            {
                throw Fail.Conflict("This CURP already has an active appointment for this procedure; cancel it first or keep it",
                    "Esta CURP ya tiene una cita activa para este trámite; cancélela primero o consérvela");
            }
        }
        var view = await ViewAsync(conn, tx, id, ct);
        var manage = ManageUrl(o, request, folio, token);
        if (person.Email is { } to)
            await Outbox.QueueAsync(conn, tx, id, to, $"Cita confirmada {folio} — {view.Service}", Outbox.Confirmation(view, manage), ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/appointments/{folio}", new Confirmation(folio, token, manage, view.Start, view.End, view.Office, view.OfficeAddress, view.Service, view.ExtraServices));
    }

    internal static string ManageUrl(AppointmentsOptions o, HttpRequest? request, string folio, string token)
    {
        var root = o.PublicBaseUrl is { Length: > 0 } b ? b.TrimEnd('/') : request is null ? "" : $"{request.Scheme}://{request.Host}";
        // the token rides in the fragment: browsers never send it in requests or Referer headers, so it stays out of logs
        return $"{root}/citas/cita/?folio={folio}#{token}";
    }

    /// <summary>What the manage link shows: the appointment, its office and services — never the person.</summary>
    internal static async Task<BookingView> ViewAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT b.folio, b.state, b.starts_at, b.ends_at, o.code, o.name, o.address, o.phone, ST_X(o.geom), ST_Y(o.geom), s.id, s.name,
                   ARRAY(SELECT x.name FROM appointments.services x WHERE x.id = ANY(b.extra_service_ids) ORDER BY x.id), s.requirements,
                   (SELECT t.code FROM appointments.turns t WHERE t.booking_id = b.id)
            FROM appointments.bookings b JOIN appointments.offices o ON o.id = b.office_id JOIN appointments.services s ON s.id = b.service_id WHERE b.id = @id
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new BookingView(r.GetString(0), r.GetString(1), Local(r.GetDateTime(2)), Local(r.GetDateTime(3)), r.GetString(4), r.GetString(5), r.GetString(6),
            r.IsDBNull(7) ? null : r.GetString(7), r.GetDouble(8), r.GetDouble(9), r.GetInt32(10), r.GetString(11), r.GetFieldValue<string[]>(12), r.GetString(13),
            r.IsDBNull(14) ? null : r.GetString(14));
    }

    /// <summary>The booking behind a folio and its token; the same 404 whether the folio is unknown or the token wrong.</summary>
    private static async Task<Booking> AuthorizedAsync(string folio, HttpRequest request, AppDbContext db, CancellationToken ct)
    {
        var token = request.Headers[TokenHeader].FirstOrDefault() ?? QueryArgs.Get(request, "token");
        var f = Secrets.NormalizeFolio(folio);
        var booking = Secrets.LooksLikeFolio(f) ? await db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.Folio == f, ct) : null;
        if (booking is null || !Secrets.Matches(token, booking.TokenHash))
            throw Fail.NotFound("No appointment matches this folio and link: open the link from your confirmation", "Ninguna cita corresponde a este folio y enlace: abra el enlace de su confirmación");
        return booking;
    }

    private static async Task<Ok<BookingView>> View(string folio, HttpRequest request, AppDbContext db, NpgsqlDataSource ds, CancellationToken ct)
    {
        var b = await AuthorizedAsync(folio, request, db, ct);
        await using var conn = await ds.OpenConnectionAsync(ct);
        return TypedResults.Ok(await ViewAsync(conn, null, b.Id, ct));
    }

    private static void MustBeBooked(Booking b)
    {
        switch (b.State)
        {
            case "booked": return;
            case "cancelled": throw Fail.Conflict("This appointment was cancelled; its link no longer changes anything", "Esta cita fue cancelada; su enlace ya no permite cambios");
            case "checked_in" or "attended": throw Fail.Conflict("This appointment was already attended at the office", "Esta cita ya se atendió en la oficina");
            default: throw Fail.Conflict("This appointment's time has passed", "El horario de esta cita ya pasó");
        }
    }

    private static async Task<Ok<BookingView>> Cancel(string folio, HttpRequest request, AppDbContext db, NpgsqlDataSource ds, CancellationToken ct)
    {
        var b = await AuthorizedAsync(folio, request, db, ct);
        MustBeBooked(b);
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("UPDATE appointments.bookings SET state = 'cancelled', cancelled_at = now() WHERE id = @id AND state = 'booked'", conn);
        cmd.Parameters.AddWithValue("id", b.Id);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0) MustBeBooked(await db.Bookings.AsNoTracking().FirstAsync(x => x.Id == b.Id, ct)); // changed meanwhile
        return TypedResults.Ok(await ViewAsync(conn, null, b.Id, ct));
    }

    private static async Task<Ok<BookingView>> Reschedule(string folio, RescheduleRequest body, HttpRequest request, AppDbContext db, NpgsqlDataSource ds, IOptions<AppointmentsOptions> opt, CancellationToken ct)
    {
        var b = await AuthorizedAsync(folio, request, db, ct);
        MustBeBooked(b);
        var facts = await FactsAsync(db, b.ServiceId, ct);
        var extras = await ExtrasAsync(db, facts, b.ExtraServiceIds, ct);
        var slot = CheckSlot(facts, ParseStart(body.Start), facts.Service.DurationMinutes + extras.Sum(e => e.DurationMinutes), opt.Value, await HolidayNamesAsync(db, ct));
        var occupied = (await Capacity.OccupiedAsync(db, b.ServiceId, slot.Start, slot.End, ct)).Where(x => !(x.Desk == b.Desk && x.Start == b.StartsAt));
        await using var conn = await ds.OpenConnectionAsync(ct);
        foreach (var desk in Slots.FreeDesks(slot, occupied))
        {
            await using var cmd = new NpgsqlCommand("UPDATE appointments.bookings SET starts_at = @s, ends_at = @e, desk = @d, reminder_queued_at = NULL WHERE id = @id AND state = 'booked'", conn);
            cmd.Parameters.AddWithValue("s", slot.Start);
            cmd.Parameters.AddWithValue("e", slot.End);
            cmd.Parameters.AddWithValue("d", desk);
            cmd.Parameters.AddWithValue("id", b.Id);
            try
            {
                if (await cmd.ExecuteNonQueryAsync(ct) == 0) MustBeBooked(await db.Bookings.AsNoTracking().FirstAsync(x => x.Id == b.Id, ct));
                return TypedResults.Ok(await ViewAsync(conn, null, b.Id, ct));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ExclusionViolation) { }
        }
        throw Fail.Conflict("That time was just taken; choose another", "Ese horario se acaba de ocupar; elija otro");
    }

    private static async Task<IResult> Ics(string folio, HttpRequest request, AppDbContext db, NpgsqlDataSource ds, CancellationToken ct)
    {
        var b = await AuthorizedAsync(folio, request, db, ct);
        await using var conn = await ds.OpenConnectionAsync(ct);
        var v = await ViewAsync(conn, null, b.Id, ct);
        return Results.File(System.Text.Encoding.UTF8.GetBytes(Calendar.Ics(v, b.Created)), "text/calendar; charset=utf-8", $"cita-{v.Folio}.ics");
    }

    private static async Task<IResult> Qr(string folio, HttpRequest request, AppDbContext db, CancellationToken ct)
    {
        var b = await AuthorizedAsync(folio, request, db, ct);
        // the QR holds the folio only: what the kiosk reads, nothing about the person
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode(b.Folio!, QRCoder.QRCodeGenerator.ECCLevel.M);
        return Results.File(new QRCoder.PngByteQRCode(data).GetGraphic(8), "image/png");
    }
}
