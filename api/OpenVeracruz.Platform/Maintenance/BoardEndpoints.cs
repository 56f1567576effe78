using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Maintenance;

public sealed record StateCount(string Kind, string State, int Tickets);

/// <summary>The supervisor's board: the backlog by kind and state, the open tickets past an SLA deadline, and the open tickets with a place (the map).</summary>
public sealed record Board(IReadOnlyList<StateCount> Backlog, IReadOnlyList<TicketView> Breaches, IReadOnlyList<TicketView> OnMap, IReadOnlyList<PlanMonth> Preventive);

/// <summary>The month's preventive plan: per plan and date, the tickets it opened and how many are done (resolved or closed).</summary>
public sealed record PlanMonth(int PlanId, string Title, DateOnly DueOn, int Tickets, int Done);

public static class BoardEndpoints
{
    public static IEndpointRouteBuilder MapBoardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/maintenance/board", Get).RequireAuthorization(Roles.Supervisor).WithTags("Mantenimiento / IT maintenance").WithName("MaintenanceBoard")
            .WithSummary("Tablero del supervisor: pendientes, incumplimientos de SLA, mapa / Supervisor's board");
        return app;
    }

    private static async Task<Ok<Board>> Get(ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var me = TicketEndpoints.UserId(user);
        var backlog = await db.MaintenanceTickets.AsNoTracking().GroupBy(t => new { t.Kind, t.State })
            .Select(g => new StateCount(g.Key.Kind, g.Key.State, g.Count())).ToListAsync(ct);
        var open = db.MaintenanceTickets.AsNoTracking().Where(t => TicketState.Open.Contains(t.State));
        var breaches = await open.Where(t => (t.AssignedAt == null && t.AssignDueAt < now) || t.ResolveDueAt < now)
            .OrderBy(t => t.ResolveDueAt).Take(200).ToListAsync(ct);
        var onMap = await open.Where(t => t.Location != null).OrderByDescending(t => t.Priority).Take(500).ToListAsync(ct);
        var today = PlanEndpoints.Today();
        var (first, next) = (new DateOnly(today.Year, today.Month, 1), new DateOnly(today.Year, today.Month, 1).AddMonths(1));
        var preventive = await db.MaintenanceTickets.AsNoTracking().Where(t => t.PlanId != null && t.DueOn >= first && t.DueOn < next)
            .Join(db.MaintenancePlans, t => t.PlanId, p => p.Id, (t, p) => new { p.Id, p.Title, t.DueOn, t.State })
            .GroupBy(x => new { x.Id, x.Title, x.DueOn })
            .Select(g => new PlanMonth(g.Key.Id, g.Key.Title, g.Key.DueOn!.Value, g.Count(), g.Count(x => x.State == TicketState.Resolved || x.State == TicketState.Closed)))
            .ToListAsync(ct);
        return TypedResults.Ok(new Board(backlog.OrderBy(b => b.Kind).ThenBy(b => Array.IndexOf(TicketState.All, b.State)).ToList(),
            breaches.Select(t => TicketEndpoints.View(t, me, now)).ToList(), onMap.Select(t => TicketEndpoints.View(t, me, now)).ToList(),
            preventive.OrderBy(p => p.DueOn).ThenBy(p => p.PlanId).ToList()));
    }
}
