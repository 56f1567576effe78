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
public sealed record Board(IReadOnlyList<StateCount> Backlog, IReadOnlyList<TicketView> Breaches, IReadOnlyList<TicketView> OnMap);

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
        return TypedResults.Ok(new Board(backlog.OrderBy(b => b.Kind).ThenBy(b => Array.IndexOf(TicketState.All, b.State)).ToList(),
            breaches.Select(t => TicketEndpoints.View(t, me, now)).ToList(), onMap.Select(t => TicketEndpoints.View(t, me, now)).ToList()));
    }
}
