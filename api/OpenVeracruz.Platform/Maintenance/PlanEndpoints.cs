using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Maintenance;

public sealed record PlanRequest(string? EquipmentType, string? Title, DateOnly? StartsOn, int? EveryMonths, int? DayOfMonth, int? Nth, string? Weekday, int? LeadDays);
public sealed record PlanView(int Id, string EquipmentType, string Title, DateOnly StartsOn, int EveryMonths, int? DayOfMonth, int? Nth, string? Weekday,
    int LeadDays, bool Active, IReadOnlyList<DateOnly> Next);

public sealed record KindStateCount(string Kind, string State, int Tickets);
public sealed record MonthlyReport(string Month, IReadOnlyList<KindStateCount> Tickets, int Resolved, int ResolvedWithinSla, double? SlaMetPercent,
    double? MeanBusinessHoursToResolve, int EquipmentPlanned, int EquipmentMaintained);

/// <summary>C9A1: reports (tickets) in a year against 1,560, and pieces of equipment maintained against 3,000 (baseline 250).</summary>
public sealed record MaintenanceIndicator(string Activity, int Year, int Reports, int ReportsGoal, double ReportsPercent,
    int EquipmentMaintained, int EquipmentBaseline, int EquipmentGoal, double EquipmentPercent);

/// <summary>Preventive plans, the job that turns them into tickets ahead of time, the monthly report and the C9A1 indicator.</summary>
public static class PlanEndpoints
{
    public const int ReportsGoal = 1_560, EquipmentGoal = 3_000, EquipmentBaseline = 250;

    public static IEndpointRouteBuilder MapPlanEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/maintenance").WithTags("Mantenimiento / IT maintenance");
        g.MapPost("/plans", Create).RequireAuthorization(Roles.Supervisor).WithName("CreatePreventivePlan")
            .WithSummary("Plan preventivo por tipo de equipo: cada N meses, un día del mes o «el primer lunes» / A preventive plan");
        g.MapGet("/plans", List).RequireAuthorization(Roles.Viewer).WithName("ListPreventivePlans")
            .WithSummary("Planes preventivos y sus próximas fechas / Preventive plans and their next dates");
        g.MapGet("/reports/monthly", Monthly).RequireAuthorization(Roles.Supervisor).WithName("MaintenanceMonthlyReport")
            .WithSummary("Informe del mes: tickets por tipo y estado, % SLA, tiempo medio de solución, equipos mantenidos vs planeados / Monthly report");
        g.MapGet("/indicator", Indicator).WithName("MaintenanceIndicator")
            .WithSummary("Indicador C9A1: reportes contra 1,560 y equipos mantenidos contra 3,000 / C9A1 indicator");
        return app;
    }

    private static BadRequestException Bad(string en, string es, string field) => new(en, es, field);

    private static PlanView View(PreventivePlan p, DateOnly today) => new(p.Id, p.EquipmentType, p.Title, p.StartsOn, p.EveryMonths, p.DayOfMonth, p.Nth,
        p.Weekday?.ToString().ToLowerInvariant(), p.LeadDays, p.Active, Recurrence.Between(p, today, today.AddYears(1)).Take(3).ToList());

    internal static DateOnly Today() => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(-6));

    private static async Task<Created<PlanView>> Create(PlanRequest body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var type = body.EquipmentType?.Trim().ToLowerInvariant();
        if (type is null || !EquipmentType.All.Contains(type))
            throw Bad($"'equipmentType' must be one of {string.Join(", ", EquipmentType.All)}", $"'equipmentType' debe ser uno de {string.Join(", ", EquipmentType.All)}", "equipmentType");
        var title = StorableText.Clean(body.Title ?? "").Trim();
        if (title.Length is < 3 or > 200) throw Bad("'title' is required, 3 to 200 characters", "Falta 'title', de 3 a 200 caracteres", "title");
        if (body.EveryMonths is < 1 or > 60) throw Bad("'everyMonths' must be 1 to 60", "'everyMonths' debe ser de 1 a 60", "everyMonths");
        if (body.LeadDays is < 0 or > 90) throw Bad("'leadDays' must be 0 to 90", "'leadDays' debe ser de 0 a 90", "leadDays");
        DayOfWeek? weekday = null;
        if (body.DayOfMonth is not null == (body.Nth is not null || body.Weekday is not null))
            throw Bad("Give either 'dayOfMonth' or 'nth' and 'weekday' (e.g. nth 1, weekday monday: the first Monday)",
                "Indique 'dayOfMonth' o bien 'nth' y 'weekday' (p. ej. nth 1, weekday monday: el primer lunes)", "dayOfMonth");
        if (body.DayOfMonth is < 1 or > 31) throw Bad("'dayOfMonth' must be 1 to 31 (the last day in shorter months)", "'dayOfMonth' debe ser de 1 a 31 (el último día en meses más cortos)", "dayOfMonth");
        if (body.DayOfMonth is null)
        {
            if (body.Nth is not (-1 or 1 or 2 or 3 or 4)) throw Bad("'nth' must be 1, 2, 3, 4 or -1 (the last)", "'nth' debe ser 1, 2, 3, 4 o -1 (el último)", "nth");
            if (!Enum.TryParse<DayOfWeek>(body.Weekday, ignoreCase: true, out var w) || !Enum.IsDefined(w) || int.TryParse(body.Weekday, out _))
                throw Bad("'weekday' must be monday … sunday", "'weekday' debe ser monday … sunday (lunes … domingo)", "weekday");
            weekday = w;
        }
        var plan = new PreventivePlan
        {
            EquipmentType = type, Title = title, StartsOn = body.StartsOn ?? Today(), EveryMonths = body.EveryMonths ?? 1, DayOfMonth = body.DayOfMonth,
            Nth = body.DayOfMonth is null ? body.Nth : null, Weekday = weekday, LeadDays = body.LeadDays ?? 7,
            CreatedBy = await TicketEndpoints.DisplayNameAsync(db, TicketEndpoints.UserId(user), ct),
        };
        db.MaintenancePlans.Add(plan);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/maintenance/plans/{plan.Id}", View(plan, Today()));
    }

    private static async Task<Ok<List<PlanView>>> List(AppDbContext db, CancellationToken ct)
    {
        var today = Today();
        return TypedResults.Ok((await db.MaintenancePlans.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct)).Select(p => View(p, today)).ToList());
    }

    private static (DateTime From, DateTime To) LocalRange(DateOnly first, DateOnly next) =>
        (first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddHours(6), next.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddHours(6));

    private static async Task<Ok<MonthlyReport>> Monthly(HttpRequest request, AppDbContext db, Tickets tickets, CancellationToken ct)
    {
        var text = QueryArgs.Get(request, "month");
        var today = Today();
        var month = new DateOnly(today.Year, today.Month, 1);
        if (text is not null && !DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out month))
            throw Bad("'month' must be YYYY-MM", "'month' debe ser AAAA-MM", "month");
        if (month.Year is < 2000 or > 2100) throw Bad("'month' must be between 2000 and 2100", "'month' debe estar entre 2000 y 2100", "month");
        var next = month.AddMonths(1);
        var (from, to) = LocalRange(month, next);
        var counts = await db.MaintenanceTickets.AsNoTracking().Where(t => t.ReportedAt >= from && t.ReportedAt < to)
            .GroupBy(t => new { t.Kind, t.State }).Select(g => new KindStateCount(g.Key.Kind, g.Key.State, g.Count())).ToListAsync(ct);
        var resolved = await db.MaintenanceTickets.AsNoTracking().Where(t => t.ResolvedAt >= from && t.ResolvedAt < to)
            .Select(t => new { t.ReportedAt, ResolvedAt = t.ResolvedAt!.Value, t.ResolveDueAt }).ToListAsync(ct);
        var calendar = await tickets.CalendarAsync(ct);
        var within = resolved.Count(t => t.ResolvedAt <= t.ResolveDueAt);
        double? mean = resolved.Count == 0 ? null : Math.Round(resolved.Average(t => calendar.Between(t.ReportedAt, t.ResolvedAt).TotalHours), 1);
        var planned = await db.MaintenanceTickets.AsNoTracking().Where(t => t.PlanId != null && t.DueOn >= month && t.DueOn < next)
            .Select(t => t.EquipmentId).Distinct().CountAsync(ct);
        var maintained = await db.MaintenanceTickets.AsNoTracking()
            .Where(t => t.PlanId != null && t.DueOn >= month && t.DueOn < next && (t.State == TicketState.Resolved || t.State == TicketState.Closed))
            .Select(t => t.EquipmentId).Distinct().CountAsync(ct);
        return TypedResults.Ok(new MonthlyReport(month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            counts.OrderBy(c => c.Kind).ThenBy(c => Array.IndexOf(TicketState.All, c.State)).ToList(), resolved.Count, within,
            resolved.Count == 0 ? null : Math.Round(100.0 * within / resolved.Count, 1), mean, planned, maintained));
    }

    private static async Task<Ok<MaintenanceIndicator>> Indicator(HttpRequest request, AppDbContext db, CancellationToken ct)
    {
        var year = QueryArgs.OptionalInt(QueryArgs.Get(request, "year"), "year", Today().Year, 2000, 2100);
        var (from, to) = LocalRange(new DateOnly(year, 1, 1), new DateOnly(year + 1, 1, 1));
        var reports = await db.MaintenanceTickets.AsNoTracking().CountAsync(t => t.ReportedAt >= from && t.ReportedAt < to, ct);
        var maintained = await db.MaintenanceTickets.AsNoTracking()
            .Where(t => t.EquipmentId != null && t.ResolvedAt >= from && t.ResolvedAt < to && (t.State == TicketState.Resolved || t.State == TicketState.Closed))
            .Select(t => t.EquipmentId).Distinct().CountAsync(ct);
        return TypedResults.Ok(new MaintenanceIndicator("C9A1", year, reports, ReportsGoal, Math.Round(100.0 * reports / ReportsGoal, 1),
            maintained, EquipmentBaseline, EquipmentGoal, Math.Round(100.0 * maintained / EquipmentGoal, 1)));
    }
}

/// <summary>
/// Daily (Hangfire "maintenance-preventive"): every active plan's dates within its lead time become one preventive ticket per
/// piece of equipment of its type; the unique (plan, equipment, date) makes a second run — or two at once — add nothing.
/// </summary>
public sealed class PreventivePlanJob(AppDbContext db, NpgsqlDataSource ds, Tickets tickets)
{
    public Task RunAsync() => RunAsync(PlanEndpoints.Today(), CancellationToken.None);

    public async Task<int> RunAsync(DateOnly today, CancellationToken ct)
    {
        var calendar = await tickets.CalendarAsync(ct);
        var now = DateTime.UtcNow;
        var opened = 0;
        foreach (var plan in await db.MaintenancePlans.AsNoTracking().Where(p => p.Active).ToListAsync(ct))
            foreach (var due in Recurrence.Between(plan, today, today.AddDays(plan.LeadDays)))
            {
                var priority = Priority.Of(2, 2);
                await using var cmd = ds.CreateCommand("""
                    WITH made AS (
                        INSERT INTO maintenance.tickets (kind, source, title, description, urgency, impact, priority, state, location, reported_by_name,
                                                         reported_at, assign_due_at, resolve_due_at, equipment_id, plan_id, due_on)
                        SELECT 'preventive', 'plan', left(@title || ': ' || e.inventory_number || ' (' || b.name || ')', 200),
                               'Mantenimiento preventivo programado para el ' || to_char(@due, 'DD/MM/YYYY') || '.', 2, 2, @priority, 'reported', b.geom,
                               'Plan preventivo', now(), @assign_due, greatest(@resolve_due, @assign_due), e.id, @plan, @due
                        FROM maintenance.equipment e JOIN maintenance.buildings b ON b.id = e.building_id
                        WHERE e.type = @type AND e.status <> 'retired'
                        ON CONFLICT (plan_id, equipment_id, due_on) WHERE plan_id IS NOT NULL DO NOTHING
                        RETURNING id
                    ), events AS (
                        INSERT INTO maintenance.ticket_events (ticket_id, at, kind, actor_name, to_state) SELECT id, now(), 'transition', 'Plan preventivo', 'reported' FROM made
                    )
                    SELECT count(*)::int FROM made
                    """);
                cmd.Parameters.AddWithValue("title", plan.Title);
                cmd.Parameters.AddWithValue("due", due);
                cmd.Parameters.AddWithValue("priority", priority);
                cmd.Parameters.AddWithValue("assign_due", calendar.Add(now, TimeSpan.FromHours(tickets.TargetOf(priority).AssignHours)));
                cmd.Parameters.AddWithValue("resolve_due", due.ToDateTime(new TimeOnly(15, 0), DateTimeKind.Utc).AddHours(6));
                cmd.Parameters.AddWithValue("plan", plan.Id);
                cmd.Parameters.AddWithValue("type", plan.EquipmentType);
                opened += (int)(await cmd.ExecuteScalarAsync(ct))!;
            }
        return opened;
    }
}
