using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

public sealed record CheckInRequest(string? Office, string? Folio);
public sealed record TicketRequest(string? Office, int ServiceId, string? Priority);
public sealed record DeskRequest(string? Office, string? Name, int[]? ServiceIds);
public sealed record TransferRequest(int ServiceId);
public sealed record FinishRequest(string? Notes);
public sealed record TurnInfo(long Id, string Code, string Kind, string? Priority, string State, int ServiceId, string Service, string? Desk, int CallCount,
    DateTimeOffset DueAt, DateTimeOffset Created, int? Ahead, int? EstimatedWaitMinutes, string? SurveyKey);
public sealed record ServiceBrief(int Id, string Procedure, string Name, string Prefix, int DurationMinutes);
public sealed record StaffOfficeInfo(string Code, string Name, ServiceBrief[] Services);
public sealed record DeskInfo(string Office, string Name, int[] ServiceIds);
public sealed record MyWork(StaffOfficeInfo[] Offices, DeskInfo? Desk);
public sealed record AssignRequest(string[]? Offices);

/// <summary>
/// The office side: kiosk check-in and walk-in tickets, the staff console (desk, call next, recall, park, resume,
/// start, transfer, finish, no-show) and the queue. Staff act only on the offices their account is assigned to
/// (appointments.staff_offices), checked here from the account, never from the URL.
/// </summary>
public static class TurnEndpoints
{
    public static readonly string[] Priorities = ["senior", "disability", "pregnancy"];

    public static IEndpointRouteBuilder MapTurnEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/turns").WithTags("Turnos (Cero Filas) / Turns").RequireAuthorization(Roles.Viewer);
        g.MapGet("/mine", Mine).WithName("MyTurnWork").WithSummary("Oficinas asignadas y ventanilla abierta / My offices and open desk");
        g.MapPost("/checkin", CheckIn).WithName("TurnCheckIn").WithSummary("Registra la llegada de una cita (kiosco) / Kiosk check-in by folio");
        g.MapPost("/tickets", Ticket).WithName("TurnTicket").WithSummary("Turno sin cita (kiosco) / Walk-in ticket");
        g.MapGet("/queue", Queue).WithName("TurnQueue").WithSummary("La fila de hoy de una oficina / Today's queue of an office");
        g.MapPost("/desk", OpenDesk).WithName("OpenDesk").WithSummary("Abre una ventanilla / Open a desk");
        g.MapDelete("/desk", CloseDesk).WithName("CloseDesk").WithSummary("Cierra la ventanilla / Close the desk");
        g.MapPost("/next", Next).WithName("CallNextTurn").WithSummary("Llama al siguiente turno / Call the next turn");
        g.MapPost("/{id:long}/recall", (long id, ClaimsPrincipal u, NpgsqlDataSource ds, IOptions<AppointmentsOptions> o, CancellationToken ct) => Recall(id, u, ds, o.Value, ct))
            .WithName("RecallTurn").WithSummary("Vuelve a llamar; tras N llamadas queda como no presentado / Recall; after N calls it is missed");
        g.MapPost("/{id:long}/park", (long id, ClaimsPrincipal u, NpgsqlDataSource ds, CancellationToken ct) =>
            ActAsync(id, u, ds, ["called", "serving"], "state = 'parked', desk = NULL, desk_user_id = NULL", ct)).WithName("ParkTurn").WithSummary("Aparta el turno / Park");
        g.MapPost("/{id:long}/resume", (long id, ClaimsPrincipal u, NpgsqlDataSource ds, CancellationToken ct) =>
            ActAsync(id, u, ds, ["parked", "missed"], "state = 'waiting', call_count = 0", ct)).WithName("ResumeTurn").WithSummary("Regresa a la fila / Back to the queue");
        g.MapPost("/{id:long}/start", (long id, ClaimsPrincipal u, NpgsqlDataSource ds, CancellationToken ct) =>
            ActAsync(id, u, ds, ["called"], "state = 'serving', started_at = now()", ct)).WithName("StartTurn").WithSummary("Comienza la atención / Start serving");
        g.MapPost("/{id:long}/transfer", Transfer).WithName("TransferTurn").WithSummary("Pasa el turno a otro servicio / Transfer to another service");
        g.MapPost("/{id:long}/finish", Finish).WithName("FinishTurn").WithSummary("Termina con notas / Finish with notes");
        g.MapPost("/{id:long}/no-show", (long id, ClaimsPrincipal u, NpgsqlDataSource ds, CancellationToken ct) =>
            ActAsync(id, u, ds, ["waiting", "called", "parked", "missed"], "state = 'no_show', finished_at = now()", ct, "no_show")).WithName("NoShowTurn").WithSummary("No se presentó / No-show");

        app.MapPut("/api/appointments/admin/staff/{id}/offices", Assign).RequireAuthorization(Roles.Admin).WithTags("Turnos (Cero Filas) / Turns")
            .WithName("AssignStaffOffices").WithSummary("Oficinas en que trabaja una cuenta / Offices an account works at");
        return app;
    }

    internal static string UserId(ClaimsPrincipal p) => p.FindFirstValue(ClaimTypes.NameIdentifier)!;

    internal static DateTimeOffset Local(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToOffset(Instants.VeracruzOffset);

    private static async Task<Office> OfficeAsync(AppDbContext db, string? code, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code)) throw Fail.Bad("'office' is required", "Falta la oficina ('office')", "office");
        return await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Code == code && o.Active, ct)
            ?? throw Fail.NotFound($"No office '{code}'", $"No existe la oficina '{code}'");
    }

    private static async Task RequireAssignedAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, ClaimsPrincipal user, int officeId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM appointments.staff_offices WHERE user_id = @u AND office_id = @o)", conn, tx);
        cmd.Parameters.AddWithValue("u", UserId(user));
        cmd.Parameters.AddWithValue("o", officeId);
        if (!(bool)(await cmd.ExecuteScalarAsync(ct))!)
            throw Fail.Status(403, "Your account is not assigned to this office", "Su cuenta no está asignada a esta oficina");
    }

    internal static async Task NotifyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int officeId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT pg_notify('{TurnHub.Channel}', @o)", conn, tx);
        cmd.Parameters.AddWithValue("o", officeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The next number of a prefix at an office today: the counter row is the lock, so two kiosks never give the same one.</summary>
    private static async Task<long> NewTurnAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int officeId, Service service, string kind, string? priority, long? bookingId, DateTime? dueAt, CancellationToken ct)
    {
        var day = Slots.LocalDay(DateTime.UtcNow);
        await using var cmd = new NpgsqlCommand("""
            WITH n AS (
              INSERT INTO appointments.turn_counters (office_id, prefix, day, last) VALUES (@o, @p, @d, 1)
              ON CONFLICT (office_id, prefix, day) DO UPDATE SET last = turn_counters.last + 1 RETURNING last)
            INSERT INTO appointments.turns (office_id, service_id, day, prefix, number, code, kind, priority, booking_id, due_at, state, call_count, created, synthetic)
            SELECT @o, @s, @d, @p, n.last, @p || '-' || lpad(n.last::text, 3, '0'), @k, @pr, @b, coalesce(@due, now()), 'waiting', 0, now(), false FROM n
            RETURNING id
            """, conn, tx);
        cmd.Parameters.AddWithValue("o", officeId);
        cmd.Parameters.AddWithValue("p", service.Prefix);
        cmd.Parameters.AddWithValue("d", day);
        cmd.Parameters.AddWithValue("s", service.Id);
        cmd.Parameters.AddWithValue("k", kind);
        cmd.Parameters.Add(new NpgsqlParameter("pr", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)priority ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("b", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)bookingId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("due", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)dueAt ?? DBNull.Value });
        var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        await NotifyAsync(conn, tx, officeId, ct);
        return id;
    }

    /// <summary>A turn as staff and the ticket see it, with the turns ahead of it and the estimated wait.</summary>
    internal static async Task<TurnInfo> InfoAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT t.id, t.code, t.kind, t.priority, t.state, t.service_id, s.name, t.desk, t.call_count, t.due_at, t.created, t.survey_key, t.office_id,
                   CASE WHEN t.state = 'waiting' THEN (SELECT count(*) FROM appointments.turns w WHERE w.office_id = t.office_id AND w.day = t.day AND w.state = 'waiting'
                        AND w.service_id = t.service_id AND {TurnOrder.Sql("w")} < {TurnOrder.Sql("t")}) END
            FROM appointments.turns t JOIN appointments.services s ON s.id = t.service_id WHERE t.id = @id
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        long? ahead; int officeId, serviceId; TurnInfo info;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) throw Fail.NotFound($"No turn {id}", $"No existe el turno {id}");
            officeId = r.GetInt32(12);
            serviceId = r.GetInt32(5);
            ahead = r.IsDBNull(13) ? null : r.GetInt64(13);
            info = new TurnInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), serviceId, r.GetString(6),
                r.IsDBNull(7) ? null : r.GetString(7), r.GetInt32(8), Local(r.GetDateTime(9)), Local(r.GetDateTime(10)), ahead is null ? null : (int)ahead, null,
                r.IsDBNull(11) ? null : r.GetString(11));
        }
        if (ahead is null) return info;
        var (minutes, desks) = await Waits.ServiceMinutesAndDesksAsync(conn, tx, officeId, serviceId, ct);
        return info with { EstimatedWaitMinutes = Waits.Estimate((int)ahead, minutes, desks) };
    }

    private static async Task<Ok<MyWork>> Mine(ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var uid = UserId(user);
        var offices = await db.StaffOffices.AsNoTracking().Where(s => s.UserId == uid).Join(db.Offices.Where(o => o.Active), s => s.OfficeId, o => o.Id, (s, o) => o)
            .OrderBy(o => o.Name).ToListAsync(ct);
        var ids = offices.Select(o => o.Id).ToList();
        var services = await db.Services.AsNoTracking().Where(s => ids.Contains(s.OfficeId) && s.Active).OrderBy(s => s.Prefix).ToListAsync(ct);
        var desk = await db.Desks.AsNoTracking().FirstOrDefaultAsync(d => d.UserId == uid, ct);
        return TypedResults.Ok(new MyWork(
            [.. offices.Select(o => new StaffOfficeInfo(o.Code, o.Name, [.. services.Where(s => s.OfficeId == o.Id).Select(s => new ServiceBrief(s.Id, s.Procedure, s.Name, s.Prefix, s.DurationMinutes))]))],
            desk is null ? null : new DeskInfo(offices.FirstOrDefault(o => o.Id == desk.OfficeId)?.Code ?? "", desk.Name, desk.ServiceIds)));
    }

    private static async Task<Created<TurnInfo>> CheckIn(CheckInRequest body, ClaimsPrincipal user, AppDbContext db, NpgsqlDataSource ds, IOptions<AppointmentsOptions> opt, CancellationToken ct)
    {
        var o = opt.Value;
        var office = await OfficeAsync(db, body.Office, ct);
        var folio = Secrets.NormalizeFolio(body.Folio);
        if (!Secrets.LooksLikeFolio(folio))
            throw Fail.Bad("A folio has 8 letters and digits (no 0, O, 1, I or L)", "El folio tiene 8 letras y números (sin 0, O, 1, I ni L)", "folio");
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await RequireAssignedAsync(conn, tx, user, office.Id, ct);
        long bookingId; int officeId, serviceId; string state; DateTime starts;
        await using (var find = new NpgsqlCommand("SELECT id, office_id, service_id, state, starts_at FROM appointments.bookings WHERE folio = @f FOR UPDATE", conn, tx))
        {
            find.Parameters.AddWithValue("f", folio);
            await using var r = await find.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw Fail.NotFound($"No appointment has the folio {folio}", $"No hay una cita con el folio {folio}");
            (bookingId, officeId, serviceId, state, starts) = (r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), r.GetString(3), r.GetDateTime(4));
        }
        if (officeId != office.Id)
        {
            var other = await db.Offices.AsNoTracking().Where(x => x.Id == officeId).Select(x => x.Name).FirstAsync(ct);
            throw Fail.Conflict($"This appointment is at another office: {other}", $"Esta cita es en otra oficina: {other}");
        }
        switch (state)
        {
            case "checked_in" or "attended": throw Fail.Conflict("This appointment already checked in", "Esta cita ya registró su llegada");
            case "cancelled": throw Fail.Conflict("This appointment was cancelled", "Esta cita fue cancelada");
            case "no_show": throw Fail.Conflict("This appointment's time has passed", "El horario de esta cita ya pasó");
        }
        var now = DateTime.UtcNow;
        if (now < starts.AddMinutes(-o.CheckInEarlyMinutes))
            throw Fail.Conflict($"Too early: check in from {Local(starts.AddMinutes(-o.CheckInEarlyMinutes)):HH:mm}",
                $"Es muy temprano: registre su llegada a partir de las {Local(starts.AddMinutes(-o.CheckInEarlyMinutes)):HH:mm}");
        if (now > starts.AddMinutes(o.CheckInLateMinutes))
            throw Fail.Conflict($"Too late: check-in closed {o.CheckInLateMinutes} minutes after the appointment; ask for a ticket without appointment",
                $"Es tarde: el registro cerró {o.CheckInLateMinutes} minutos después de la hora de la cita; solicite un turno sin cita");
        var service = await db.Services.AsNoTracking().FirstAsync(s => s.Id == serviceId, ct);
        var id = await NewTurnAsync(conn, tx, office.Id, service, "appointment", null, bookingId, starts, ct);
        await using (var mark = new NpgsqlCommand("UPDATE appointments.bookings SET state = 'checked_in', checked_in_at = now() WHERE id = @id", conn, tx))
        {
            mark.Parameters.AddWithValue("id", bookingId);
            await mark.ExecuteNonQueryAsync(ct);
        }
        var info = await InfoAsync(conn, tx, id, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/turns/{id}", info);
    }

    private static async Task<Created<TurnInfo>> Ticket(TicketRequest body, ClaimsPrincipal user, AppDbContext db, NpgsqlDataSource ds, CancellationToken ct)
    {
        var office = await OfficeAsync(db, body.Office, ct);
        if (body.Priority is { } p && !Priorities.Contains(p))
            throw Fail.Bad("'priority' is senior, disability, pregnancy or empty", "'priority' debe ser senior, disability, pregnancy o vacío", "priority");
        var service = await db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == body.ServiceId && s.OfficeId == office.Id && s.Active, ct)
            ?? throw Fail.NotFound("This office does not offer that service", "Esta oficina no ofrece ese servicio");
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await RequireAssignedAsync(conn, tx, user, office.Id, ct);
        var id = await NewTurnAsync(conn, tx, office.Id, service, "walkin", body.Priority, null, null, ct);
        var info = await InfoAsync(conn, tx, id, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/turns/{id}", info);
    }

    private static async Task<Ok<List<TurnInfo>>> Queue(HttpRequest request, ClaimsPrincipal user, AppDbContext db, NpgsqlDataSource ds, CancellationToken ct)
    {
        var office = await OfficeAsync(db, QueryArgs.Get(request, "office"), ct);
        await using var conn = await ds.OpenConnectionAsync(ct);
        await RequireAssignedAsync(conn, null, user, office.Id, ct);
        var ids = new List<long>();
        await using (var cmd = new NpgsqlCommand("SELECT t.id FROM appointments.turns t WHERE t.office_id = @o AND t.day = @d AND t.state IN ('waiting', 'called', 'serving', 'parked', 'missed')", conn))
        {
            cmd.Parameters.AddWithValue("o", office.Id);
            cmd.Parameters.AddWithValue("d", Slots.LocalDay(DateTime.UtcNow));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
        }
        var list = new List<TurnInfo>();
        foreach (var id in ids) list.Add(await InfoAsync(conn, null, id, ct));
        var now = DateTime.UtcNow;
        // those at a desk first, then the waiting ones in the order "call next" takes them
        return TypedResults.Ok(list.OrderBy(t => t.State == "waiting").ThenBy(t => TurnOrder.Key(t.Kind, t.Priority, t.DueAt.UtcDateTime, t.Id, now)).ToList());
    }

    private static async Task<Ok<DeskInfo>> OpenDesk(DeskRequest body, ClaimsPrincipal user, AppDbContext db, NpgsqlDataSource ds, CancellationToken ct)
    {
        var office = await OfficeAsync(db, body.Office, ct);
        var name = body.Name?.Trim();
        if (name is not { Length: > 0 and <= 30 }) throw Fail.Bad("'name' is the desk's name as the screen shows it (1–30 characters)", "Escriba el nombre de la ventanilla como lo mostrará la pantalla (1 a 30 caracteres)", "name");
        var ids = body.ServiceIds ?? [];
        if (ids.Length > 0 && await db.Services.CountAsync(s => ids.Contains(s.Id) && s.OfficeId == office.Id, ct) != ids.Distinct().Count())
            throw Fail.Bad("Every service of the desk must be offered by the office", "Cada servicio de la ventanilla debe ofrecerse en la oficina", "serviceIds");
        await using var conn = await ds.OpenConnectionAsync(ct);
        await RequireAssignedAsync(conn, null, user, office.Id, ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO appointments.desks (user_id, office_id, name, service_ids, opened_at) VALUES (@u, @o, @n, @s, now())
            ON CONFLICT (user_id) DO UPDATE SET office_id = excluded.office_id, name = excluded.name, service_ids = excluded.service_ids, opened_at = now()
            """, conn);
        cmd.Parameters.AddWithValue("u", UserId(user));
        cmd.Parameters.AddWithValue("o", office.Id);
        cmd.Parameters.AddWithValue("n", name);
        cmd.Parameters.AddWithValue("s", ids.Distinct().ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
        return TypedResults.Ok(new DeskInfo(office.Code, name, [.. ids.Distinct()]));
    }

    private static async Task<NoContent> CloseDesk(ClaimsPrincipal user, NpgsqlDataSource ds, CancellationToken ct)
    {
        await using var cmd = ds.CreateCommand("DELETE FROM appointments.desks WHERE user_id = @u");
        cmd.Parameters.AddWithValue("u", UserId(user));
        await cmd.ExecuteNonQueryAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The next turn for the caller's desk: appointments due, then priority turns, then the rest by when they were due.
    /// FOR UPDATE SKIP LOCKED: desks calling at once each get a different turn, none twice.
    /// </summary>
    private static async Task<Results<Ok<TurnInfo>, NoContent>> Next(ClaimsPrincipal user, NpgsqlDataSource ds, IOptions<AppointmentsOptions> opt, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int officeId; string desk; int[] services;
        await using (var find = new NpgsqlCommand("SELECT office_id, name, service_ids FROM appointments.desks WHERE user_id = @u", conn, tx))
        {
            find.Parameters.AddWithValue("u", UserId(user));
            await using var r = await find.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw Fail.Conflict("Open a desk first", "Primero abra una ventanilla");
            (officeId, desk, services) = (r.GetInt32(0), r.GetString(1), r.GetFieldValue<int[]>(2));
        }
        await RequireAssignedAsync(conn, tx, user, officeId, ct);
        await using var call = new NpgsqlCommand($"""
            WITH next AS (
              SELECT t.id FROM appointments.turns t
              WHERE t.office_id = @o AND t.day = @d AND t.state = 'waiting' AND (cardinality(@s::int[]) = 0 OR t.service_id = ANY(@s))
              ORDER BY {TurnOrder.Sql("t")} LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE appointments.turns t SET state = 'called', desk = @desk, desk_user_id = @u, called_at = now(), call_count = 1
            FROM next WHERE t.id = next.id RETURNING t.id
            """, conn, tx);
        call.Parameters.AddWithValue("o", officeId);
        call.Parameters.AddWithValue("d", Slots.LocalDay(DateTime.UtcNow));
        call.Parameters.AddWithValue("s", services);
        call.Parameters.AddWithValue("desk", desk);
        call.Parameters.AddWithValue("u", UserId(user));
        if (await call.ExecuteScalarAsync(ct) is not long id) return TypedResults.NoContent();
        await HeadsUpAsync(conn, tx, officeId, opt.Value.HeadsUpTurnsAhead, ct);
        await NotifyAsync(conn, tx, officeId, ct);
        var info = await InfoAsync(conn, tx, id, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(info);
    }

    /// <summary>
    /// In the call's transaction: each waiting turn of the office now among the next <paramref name="ahead"/> of its service
    /// (the order call next takes), from a booking with an e-mail and not told yet, gets one "your turn is coming up" message.
    /// heads_up_at is set under the row lock (re-checked after a wait); rows another desk holds are skipped, never waited for
    /// (no deadlock between desks calling at once); a later call catches them.
    /// </summary>
    private static async Task HeadsUpAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int officeId, int ahead, CancellationToken ct)
    {
        if (ahead <= 0) return;
        var due = new List<(long BookingId, string Email, string Folio, string Code, string Office)>();
        await using (var cmd = new NpgsqlCommand($"""
            WITH ranked AS (
              SELECT t.id, row_number() OVER (PARTITION BY t.service_id ORDER BY {TurnOrder.Sql("t")}) AS rn
              FROM appointments.turns t WHERE t.office_id = @o AND t.day = @d AND t.state = 'waiting'),
            due AS (
              SELECT t.id FROM appointments.turns t JOIN ranked r ON r.id = t.id
              WHERE r.rn <= @n AND t.state = 'waiting' AND t.heads_up_at IS NULL AND t.booking_id IS NOT NULL
              FOR UPDATE OF t SKIP LOCKED)
            UPDATE appointments.turns t SET heads_up_at = now()
            FROM due, appointments.bookings b, appointments.offices o
            WHERE t.id = due.id AND b.id = t.booking_id AND o.id = t.office_id AND coalesce(b.email, '') <> '' AND b.folio IS NOT NULL
            RETURNING b.id, b.email, b.folio, t.code, o.name
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("o", officeId);
            cmd.Parameters.AddWithValue("d", Slots.LocalDay(DateTime.UtcNow));
            cmd.Parameters.AddWithValue("n", ahead);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) due.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)));
        }
        foreach (var m in due)
            await Outbox.QueueAsync(conn, tx, m.BookingId, m.Email, Outbox.HeadsUpSubject, Outbox.HeadsUp(m.Folio, m.Code, m.Office), ct);
    }

    /// <summary>One state change of one turn: locked, checked against the caller's offices and the states it may leave, announced.</summary>
    private static async Task<Ok<TurnInfo>> ActAsync(long id, ClaimsPrincipal user, NpgsqlDataSource ds, string[] from, string set, CancellationToken ct,
        string? bookingState = null, Action<NpgsqlCommand>? parameters = null)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int officeId; string state;
        await using (var find = new NpgsqlCommand("SELECT office_id, state FROM appointments.turns WHERE id = @id FOR UPDATE", conn, tx))
        {
            find.Parameters.AddWithValue("id", id);
            await using var r = await find.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw Fail.NotFound($"No turn {id}", $"No existe el turno {id}");
            (officeId, state) = (r.GetInt32(0), r.GetString(1));
        }
        await RequireAssignedAsync(conn, tx, user, officeId, ct);
        if (!from.Contains(state))
            throw Fail.Conflict($"The turn is {state}; this action needs it {string.Join(" or ", from)}",
                $"El turno está en estado «{TurnOrder.Spanish(state)}»; esta acción requiere «{string.Join("» o «", from.Select(TurnOrder.Spanish))}»");
        await using (var update = new NpgsqlCommand($"UPDATE appointments.turns SET {set} WHERE id = @id", conn, tx))
        {
            update.Parameters.AddWithValue("id", id);
            parameters?.Invoke(update);
            await update.ExecuteNonQueryAsync(ct);
        }
        if (bookingState is not null)
        {
            await using var b = new NpgsqlCommand("UPDATE appointments.bookings SET state = @s WHERE id = (SELECT booking_id FROM appointments.turns WHERE id = @id)", conn, tx);
            b.Parameters.AddWithValue("s", bookingState);
            b.Parameters.AddWithValue("id", id);
            await b.ExecuteNonQueryAsync(ct);
        }
        await NotifyAsync(conn, tx, officeId, ct);
        var info = await InfoAsync(conn, tx, id, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(info);
    }

    private static Task<Ok<TurnInfo>> Recall(long id, ClaimsPrincipal user, NpgsqlDataSource ds, AppointmentsOptions o, CancellationToken ct) =>
        ActAsync(id, user, ds, ["called"],
            "state = CASE WHEN call_count >= @max THEN 'missed' ELSE state END, call_count = LEAST(call_count + 1, @max), " +
            "desk = CASE WHEN call_count >= @max THEN NULL ELSE desk END, called_at = CASE WHEN call_count >= @max THEN called_at ELSE now() END", ct,
            parameters: c => c.Parameters.AddWithValue("max", o.MaxCalls));

    private static async Task<Ok<TurnInfo>> Transfer(long id, TransferRequest body, ClaimsPrincipal user, AppDbContext db, NpgsqlDataSource ds, CancellationToken ct)
    {
        var officeId = await db.Turns.AsNoTracking().Where(t => t.Id == id).Select(t => (int?)t.OfficeId).FirstOrDefaultAsync(ct)
            ?? throw Fail.NotFound($"No turn {id}", $"No existe el turno {id}");
        if (!await db.Services.AnyAsync(s => s.Id == body.ServiceId && s.OfficeId == officeId && s.Active, ct))
            throw Fail.Bad("Transfer to a service of the same office", "Transfiera a un servicio de la misma oficina", "serviceId");
        return await ActAsync(id, user, ds, ["waiting", "called", "serving", "parked"],
            "service_id = @svc, state = 'waiting', desk = NULL, desk_user_id = NULL, call_count = 0", ct, parameters: c => c.Parameters.AddWithValue("svc", body.ServiceId));
    }

    private static Task<Ok<TurnInfo>> Finish(long id, FinishRequest body, ClaimsPrincipal user, NpgsqlDataSource ds, CancellationToken ct)
    {
        var notes = body.Notes?.Trim();
        if (notes is { Length: > 2000 }) throw Fail.Bad("Notes are at most 2000 characters", "Las notas tienen como máximo 2000 caracteres", "notes");
        return ActAsync(id, user, ds, ["called", "serving"],
            "state = 'done', finished_at = now(), started_at = coalesce(started_at, called_at), notes = @notes, survey_key = @key", ct, "attended", c =>
            {
                c.Parameters.AddWithValue("notes", (object?)notes ?? DBNull.Value);
                c.Parameters.AddWithValue("key", Secrets.NewToken());
            });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Assign(string id, AssignRequest body, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == id, ct)) throw Fail.NotFound($"No account {id}", $"No existe la cuenta {id}");
        var codes = body.Offices ?? [];
        var offices = await db.Offices.Where(o => codes.Contains(o.Code)).Select(o => o.Id).ToListAsync(ct);
        if (offices.Count != codes.Distinct().Count()) throw Fail.Bad("Unknown office in 'offices'", "Hay una oficina desconocida en 'offices'", "offices");
        db.StaffOffices.RemoveRange(db.StaffOffices.Where(s => s.UserId == id));
        db.StaffOffices.AddRange(offices.Select(o => new StaffOffice { UserId = id, OfficeId = o }));
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static string Json(object value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);
}
