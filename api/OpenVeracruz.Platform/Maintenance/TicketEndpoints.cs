using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Maintenance;

public sealed record TicketReport(string? Kind, string? Title, string? Description, int? Urgency, int? Impact, double? Lon, double? Lat);
public sealed record TicketAssignment(string? Assignee);
public sealed record NoteRequest(string? Note);
public sealed record CommentRequest(string? Text);

public sealed record TicketView(long Id, string Kind, string Source, string Title, string Description, int Urgency, int Impact, int Priority,
    string PriorityName, string State, string? Subject, double? Lon, double? Lat, string ReportedBy, string? Assignee, bool AssignedToMe,
    DateTime ReportedAt, DateTime? AssignedAt, DateTime? ResolvedAt, DateTime? ClosedAt, DateTime AssignDueAt, DateTime ResolveDueAt,
    bool AssignBreached, bool ResolveBreached);

public sealed record EventView(DateTime At, string Kind, string Actor, string? From, string? To, string? Text);
public sealed record AttachmentView(long Id, string FileName, string ContentType, long Bytes, DateTime At);
public sealed record TicketDetail(TicketView Ticket, IReadOnlyList<EventView> Events, IReadOnlyList<AttachmentView> Attachments);

/// <summary>
/// Tickets: any staff member reports; technicians (editor role and above) take the unassigned ones, start and resolve their
/// own; supervisors assign and see everything; the reporter (or a supervisor) closes or reopens.
/// </summary>
public static class TicketEndpoints
{
    public static IEndpointRouteBuilder MapTicketEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/maintenance/tickets").WithTags("Mantenimiento / IT maintenance");
        g.MapPost("", Create).RequireAuthorization(Roles.Viewer).WithName("ReportTicket")
            .WithSummary("Reporta una falla (o, un supervisor, un preventivo) / Report a fault");
        g.MapGet("", List).RequireAuthorization(Roles.Viewer).WithName("ListTickets")
            .WithSummary("Tickets visibles: los míos, la cola sin asignar, todos (supervisor) / Tickets the caller may see");
        g.MapGet("/{id:long}", Get).RequireAuthorization(Roles.Viewer).WithName("GetTicket")
            .WithSummary("Un ticket con su historia y adjuntos / A ticket with its history");
        g.MapPost("/{id:long}/assign", (long id, TicketAssignment body, ClaimsPrincipal user, AppDbContext db, Tickets t, UserManager<StaffUser> users, CancellationToken ct) =>
            Move(id, TicketFlow.Assign, body.Assignee, null, user, db, t, users, ct)).RequireAuthorization(Roles.Supervisor).WithName("AssignTicket")
            .WithSummary("Asigna el ticket a un técnico (correo) / Assign to a technician");
        g.MapPost("/{id:long}/take", (long id, ClaimsPrincipal user, AppDbContext db, Tickets t, UserManager<StaffUser> users, CancellationToken ct) =>
            Move(id, TicketFlow.Take, null, null, user, db, t, users, ct)).RequireAuthorization(Roles.Editor).WithName("TakeTicket")
            .WithSummary("El técnico toma un ticket sin asignar / A technician takes an unassigned ticket");
        foreach (var (action, role, name) in new[] { (TicketFlow.Start, Roles.Editor, "StartTicket"), (TicketFlow.Resolve, Roles.Editor, "ResolveTicket"),
                     (TicketFlow.Close, Roles.Viewer, "CloseTicket"), (TicketFlow.Reopen, Roles.Viewer, "ReopenTicket") })
            g.MapPost($"/{{id:long}}/{action}", (long id, NoteRequest? body, ClaimsPrincipal user, AppDbContext db, Tickets t, UserManager<StaffUser> users, CancellationToken ct) =>
                Move(id, action, null, body?.Note, user, db, t, users, ct)).RequireAuthorization(role).WithName(name)
                .WithSummary($"Transición «{TicketFlow.Spanish(action)}» / Transition '{action}'");
        g.MapPost("/{id:long}/comments", Comment).RequireAuthorization(Roles.Viewer).WithName("CommentTicket")
            .WithSummary("Agrega un comentario / Add a comment");
        return app;
    }

    internal static string UserId(ClaimsPrincipal p) => p.FindFirstValue(ClaimTypes.NameIdentifier)!;
    internal static bool IsSupervisor(ClaimsPrincipal p) => Roles.AtLeast(Roles.Supervisor).Any(p.IsInRole);
    internal static bool IsTechnician(ClaimsPrincipal p) => Roles.AtLeast(Roles.Editor).Any(p.IsInRole);

    internal static async Task<string> DisplayNameAsync(AppDbContext db, string userId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) is { Length: > 0 } name ? name : "Personal municipal";

    /// <summary>Who may see a ticket: supervisors all; technicians theirs and the unassigned ones; everyone what they reported.</summary>
    internal static IQueryable<Ticket> Visible(AppDbContext db, ClaimsPrincipal user)
    {
        var me = UserId(user);
        if (IsSupervisor(user)) return db.MaintenanceTickets;
        if (IsTechnician(user)) return db.MaintenanceTickets.Where(t => t.AssigneeId == me || t.ReportedById == me || t.AssigneeId == null);
        return db.MaintenanceTickets.Where(t => t.ReportedById == me);
    }

    internal static async Task<Ticket> FindVisibleAsync(AppDbContext db, ClaimsPrincipal user, long id, CancellationToken ct) =>
        await Visible(db, user).FirstOrDefaultAsync(t => t.Id == id, ct)
        ?? throw new BadRequestException($"No ticket {id} that your account may see", $"No hay un ticket {id} que su cuenta pueda ver", "id", 404);

    internal static TicketView View(Ticket t, string me, DateTime now) => new(t.Id, t.Kind, t.Source, t.Title, t.Description, t.Urgency, t.Impact,
        t.Priority, Priority.Names[t.Priority], t.State, t.Subject, t.Location?.X, t.Location?.Y, t.ReportedByName, t.AssigneeName, t.AssigneeId == me,
        t.ReportedAt, t.AssignedAt, t.ResolvedAt, t.ClosedAt, t.AssignDueAt, t.ResolveDueAt,
        (t.AssignedAt ?? now) > t.AssignDueAt, (t.ResolvedAt ?? t.ClosedAt ?? now) > t.ResolveDueAt);

    private static BadRequestException Bad(string en, string es, string field) => new(en, es, field);

    private static async Task<Created<TicketView>> Create(TicketReport body, ClaimsPrincipal user, AppDbContext db, Tickets tickets, CancellationToken ct)
    {
        var kind = body.Kind ?? TicketKind.Corrective;
        if (!TicketKind.All.Contains(kind))
            throw Bad("'kind' must be corrective or preventive", "'kind' debe ser corrective (correctivo) o preventive (preventivo)", "kind");
        if (kind == TicketKind.Preventive && !IsSupervisor(user))
            throw new BadRequestException("Only supervisors open preventive tickets (the plans open the rest)", "Solo un supervisor abre tickets preventivos (los planes abren los demás)", "kind", 403);
        var title = StorableText.Clean(body.Title ?? "").Trim();
        if (title.Length is < 3 or > 200)
            throw Bad("'title' is required: what fails, 3 to 200 characters", "Falta 'title': qué falla, de 3 a 200 caracteres", "title");
        var description = StorableText.Clean(body.Description ?? "").Trim();
        if (description.Length > 4000) throw Bad("'description' is longer than 4,000 characters", "'description' tiene más de 4,000 caracteres", "description");
        foreach (var (name, v) in new[] { ("urgency", body.Urgency), ("impact", body.Impact) })
            if (v is < 1 or > 5) throw Bad($"'{name}' must be 1 (very low) to 5 (very high)", $"'{name}' debe ser de 1 (muy baja) a 5 (muy alta)", name);
        if ((body.Lon is null) != (body.Lat is null) || body.Lon is < -180 or > 180 || body.Lat is < -90 or > 90)
            throw Bad("'lon' and 'lat' go together, in degrees (WGS 84)", "'lon' y 'lat' van juntos, en grados (WGS 84)", "lon");
        var me = UserId(user);
        var opened = await tickets.OpenAsync(new NewTicket(kind, TicketSource.Staff, title, description, body.Urgency ?? 3, body.Impact ?? 3, null, body.Lon, body.Lat),
            me, await DisplayNameAsync(db, me, ct), ct);
        var t = await db.MaintenanceTickets.AsNoTracking().FirstAsync(x => x.Id == opened.Id, ct);
        return TypedResults.Created($"/api/maintenance/tickets/{t.Id}", View(t, me, DateTime.UtcNow));
    }

    private static async Task<Ok<List<TicketView>>> List(ClaimsPrincipal user, AppDbContext db, CancellationToken ct, string? scope = null, string? state = null)
    {
        var me = UserId(user);
        var q = Visible(db, user).AsNoTracking();
        q = scope switch
        {
            null or "" or "all" => q,
            "mine" => q.Where(t => t.AssigneeId == me),
            "queue" => q.Where(t => t.AssigneeId == null && TicketState.Open.Contains(t.State)),
            "reported" => q.Where(t => t.ReportedById == me),
            "open" => q.Where(t => TicketState.Open.Contains(t.State)),
            _ => throw Bad("'scope' must be mine, queue, reported, open or all", "'scope' debe ser mine, queue, reported, open o all", "scope"),
        };
        if (state is not null)
        {
            if (!TicketState.All.Contains(state)) throw Bad($"'state' must be one of {string.Join(", ", TicketState.All)}", $"'state' debe ser uno de {string.Join(", ", TicketState.All)}", "state");
            q = q.Where(t => t.State == state);
        }
        var now = DateTime.UtcNow;
        var rows = await q.OrderByDescending(t => t.Priority).ThenBy(t => t.ReportedAt).Take(500).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(t => View(t, me, now)).ToList());
    }

    private static async Task<Ok<TicketDetail>> Get(long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var t = await FindVisibleAsync(db, user, id, ct);
        var events = await db.MaintenanceTicketEvents.AsNoTracking().Where(e => e.TicketId == id).OrderBy(e => e.Id)
            .Select(e => new EventView(e.At, e.Kind, e.ActorName, e.FromState, e.ToState, e.Text)).ToListAsync(ct);
        var files = await db.MaintenanceAttachments.AsNoTracking().Where(a => a.TicketId == id).OrderBy(a => a.Id)
            .Select(a => new AttachmentView(a.Id, a.FileName, a.ContentType, a.Bytes, a.At)).ToListAsync(ct);
        return TypedResults.Ok(new TicketDetail(View(t, UserId(user), DateTime.UtcNow), events, files));
    }

    private static async Task<Ok<TicketView>> Move(long id, string action, string? assigneeEmail, string? note, ClaimsPrincipal user, AppDbContext db,
        Tickets tickets, UserManager<StaffUser> users, CancellationToken ct)
    {
        var me = UserId(user);
        var t = await FindVisibleAsync(db, user, id, ct);
        var supervisor = IsSupervisor(user);
        var mine = t.AssigneeId == me;
        var reporter = t.ReportedById == me;
        var allowed = action switch
        {
            TicketFlow.Assign => supervisor,
            TicketFlow.Take => true,
            TicketFlow.Start or TicketFlow.Resolve => mine || supervisor,
            _ => reporter || supervisor, // close, reopen
        };
        if (!allowed)
            throw new BadRequestException(action is TicketFlow.Start or TicketFlow.Resolve
                    ? "Only the assigned technician or a supervisor may do this" : "Only whoever reported the ticket or a supervisor may do this",
                action is TicketFlow.Start or TicketFlow.Resolve
                    ? "Solo el técnico asignado o un supervisor puede hacer esto" : "Solo quien reportó el ticket o un supervisor puede hacer esto", "id", 403);

        var from = t.State;
        var next = TicketFlow.Next(from, action, t.AssigneeId is not null);
        var now = DateTime.UtcNow;
        switch (action)
        {
            case TicketFlow.Assign:
                var email = assigneeEmail?.Trim() ?? "";
                var who = email.Length > 0 && email.Length < 256 ? await users.FindByEmailAsync(email) : null;
                if (who is null || !(await users.GetRolesAsync(who)).Any(Roles.AtLeast(Roles.Editor).Contains))
                    throw Bad("'assignee' must be the e-mail of a technician (an account with the editor role or above)",
                        "'assignee' debe ser el correo de un técnico (una cuenta con rol de editor o superior)", "assignee");
                (t.AssigneeId, t.AssigneeName) = (who.Id, who.DisplayName.Length > 0 ? who.DisplayName : "Personal municipal");
                t.AssignedAt ??= now;
                break;
            case TicketFlow.Take:
                (t.AssigneeId, t.AssigneeName) = (me, await DisplayNameAsync(db, me, ct));
                t.AssignedAt ??= now;
                break;
            case TicketFlow.Resolve:
                t.ResolvedAt = now;
                break;
            case TicketFlow.Close:
                t.ClosedAt = now;
                break;
            case TicketFlow.Reopen:
                (t.ResolvedAt, t.ClosedAt) = (null, null);
                t.ResolveDueAt = (await tickets.CalendarAsync(ct)).Add(now, TimeSpan.FromHours(tickets.TargetOf(t.Priority).ResolveHours));
                break;
        }
        t.State = next;
        var text = StorableText.Clean(note ?? "").Trim();
        if (text.Length > 4000) throw Bad("'note' is longer than 4,000 characters", "'note' tiene más de 4,000 caracteres", "note");
        db.MaintenanceTicketEvents.Add(new TicketEvent
        {
            TicketId = t.Id, At = now, Kind = "transition", ActorId = me, ActorName = await DisplayNameAsync(db, me, ct), FromState = from, ToState = next,
            Text = action == TicketFlow.Assign ? $"Asignado a {t.AssigneeName}" + (text.Length > 0 ? $". {text}" : "") : text.Length > 0 ? text : null,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainRuleException("The ticket changed meanwhile; reload it and try again", "El ticket cambió mientras tanto; vuelva a cargarlo e intente de nuevo");
        }
        return TypedResults.Ok(View(t, me, now));
    }

    private static async Task<Created<EventView>> Comment(long id, CommentRequest body, ClaimsPrincipal user, AppDbContext db, Tickets tickets, CancellationToken ct)
    {
        var t = await FindVisibleAsync(db, user, id, ct);
        var text = StorableText.Clean(body.Text ?? "").Trim();
        if (text.Length is < 1 or > 4000) throw Bad("'text' is required, up to 4,000 characters", "Falta 'text', hasta 4,000 caracteres", "text");
        var me = UserId(user);
        var name = await DisplayNameAsync(db, me, ct);
        await tickets.NoteAsync(t.Id, "comment", me, name, text, ct);
        return TypedResults.Created((string?)null, new EventView(DateTime.UtcNow, "comment", name, null, null, text));
    }
}
