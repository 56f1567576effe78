using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Maintenance;

/// <summary>What opens a corrective or preventive ticket: a person, the WiFi health check, a kiosk, a preventive plan.</summary>
public sealed record NewTicket(string Kind, string Source, string Title, string Description, int Urgency, int Impact,
    string? Subject = null, double? Lon = null, double? Lat = null);

/// <summary>The ticket that was opened, or the open ticket of the same subject that was there first.</summary>
public sealed record OpenedTicket(long Id, bool Created);

/// <summary>
/// Opening tickets and writing their events: the endpoints and the other features (WiFi health) call these, so the rules
/// (priority, SLA deadlines, one open ticket per subject) live in one place.
/// </summary>
public sealed class Tickets(AppDbContext db, IOptions<MaintenanceOptions> options)
{
    public const string PlatformActor = "Plataforma";

    /// <summary>The business calendar: the configured window, and the municipal holidays of the appointments' calendar (one list for the municipality).</summary>
    public async Task<BusinessCalendar> CalendarAsync(CancellationToken ct)
    {
        var o = options.Value;
        var holidays = await db.Database.SqlQueryRaw<DateOnly>("SELECT day AS \"Value\" FROM appointments.holidays").ToListAsync(ct);
        return new BusinessCalendar(TimeOnly.Parse(o.Opens, CultureInfo.InvariantCulture), TimeOnly.Parse(o.Closes, CultureInfo.InvariantCulture),
            TimeSpan.FromHours(o.UtcOffsetHours), o.Workdays.ToHashSet(), holidays.ToHashSet());
    }

    public SlaTarget TargetOf(int priority) =>
        options.Value.Sla.TryGetValue(priority, out var t) ? t : new SlaTarget { AssignHours = 7, ResolveHours = 35 };

    /// <summary>
    /// Opens a ticket. For a subject (e.g. "wifi:WIFI-03") that already has an open corrective ticket, nothing new is
    /// opened: the existing one gets a note and is returned (the partial unique index decides when two arrive at once).
    /// </summary>
    public async Task<OpenedTicket> OpenAsync(NewTicket t, string? actorId, string actorName, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var calendar = await CalendarAsync(ct);
        var priority = Priority.Of(t.Urgency, t.Impact);
        var target = TargetOf(priority);
        var ticket = new Ticket
        {
            Kind = t.Kind, Source = t.Source, Title = t.Title, Description = t.Description, Urgency = t.Urgency, Impact = t.Impact, Priority = priority,
            Subject = t.Subject, Location = t.Lon is { } lon && t.Lat is { } lat ? new Point(lon, lat) { SRID = 4326 } : null,
            ReportedById = actorId, ReportedByName = actorName, ReportedAt = now,
            AssignDueAt = calendar.Add(now, TimeSpan.FromHours(target.AssignHours)),
            ResolveDueAt = calendar.Add(now, TimeSpan.FromHours(target.ResolveHours)),
        };
        db.MaintenanceTickets.Add(ticket);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: MaintenanceConfig.OneOpenTicketPerSubject })
        {
            db.Entry(ticket).State = EntityState.Detached;
            var open = await db.MaintenanceTickets.AsNoTracking()
                .Where(x => x.Subject == t.Subject && x.Kind == TicketKind.Corrective && TicketState.Open.Contains(x.State))
                .Select(x => x.Id).FirstAsync(ct);
            await NoteAsync(open, "comment", actorId, actorName, $"Reportado de nuevo: {t.Title}. {t.Description}".Trim(), ct);
            return new OpenedTicket(open, false);
        }
        await NoteAsync(ticket.Id, "transition", actorId, actorName, null, ct, null, TicketState.Reported);
        return new OpenedTicket(ticket.Id, true);
    }

    /// <summary>Adds a note to the open corrective ticket of a subject, if there is one; returns its id.</summary>
    public async Task<long?> NoteOnOpenAsync(string subject, string text, CancellationToken ct)
    {
        var open = await db.MaintenanceTickets.AsNoTracking()
            .Where(x => x.Subject == subject && x.Kind == TicketKind.Corrective && TicketState.Open.Contains(x.State))
            .Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
        if (open is { } id) await NoteAsync(id, "note", null, PlatformActor, text, ct);
        return open;
    }

    public async Task NoteAsync(long ticketId, string kind, string? actorId, string actorName, string? text, CancellationToken ct, string? from = null, string? to = null)
    {
        db.MaintenanceTicketEvents.Add(new TicketEvent
        {
            TicketId = ticketId, At = DateTime.UtcNow, Kind = kind, ActorId = actorId, ActorName = actorName, FromState = from, ToState = to, Text = text,
        });
        await db.SaveChangesAsync(ct);
    }
}
