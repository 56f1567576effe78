using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Maintenance;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Wifi;

public enum HealthAction { None, OpenTicket, Recovered }

public sealed record HealthStep(string Status, DateTime? ProblemSince, HealthAction Action);

/// <summary>
/// The health rule of one site, as openwisp-monitoring's alerts: a problem (silence, or connections far below the usual)
/// must last a tolerance time before the site becomes failing (and one ticket is opened); when it ends, the site operates again.
/// A site in maintenance is left alone: staff put it there and take it out.
/// </summary>
public static class HealthRules
{
    public static HealthStep Next(string status, DateTime? problemSince, bool problem, DateTime now, TimeSpan tolerance)
    {
        if (status == SiteStatus.Maintenance) return new(status, problemSince, HealthAction.None);
        if (!problem)
            return status == SiteStatus.Failing ? new(SiteStatus.Operating, null, HealthAction.Recovered) : new(status, null, HealthAction.None);
        var since = problemSince ?? now;
        if (status == SiteStatus.Operating && now - since >= tolerance) return new(SiteStatus.Failing, since, HealthAction.OpenTicket);
        return new(status, since, HealthAction.None);
    }

    /// <summary>Too few connections: below a fraction of the usual level, when the usual level is large enough to judge by.</summary>
    public static bool Low(double? sessions, double? usual, WifiOptions o) => usual is { } u && u >= o.MinUsualSessions && (sessions ?? 0) < o.LowFraction * u;

    /// <summary>The last hour whose report should have arrived by now.</summary>
    public static DateTime HourToJudge(DateTime now, WifiOptions o)
    {
        var t = now.AddMinutes(-o.ReportGraceMinutes).AddHours(-1);
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
    }

    public static string SubjectOf(string code) => "wifi:" + code;
}

/// <summary>Every few minutes (Hangfire "wifi-health"): judges every monitored site and moves its status; opens one ticket per failure.</summary>
public sealed class WifiHealthJob(NpgsqlDataSource ds, Tickets tickets, IOptions<WifiOptions> options, ILogger<WifiHealthJob> log)
{
    private sealed record Seen(int Id, string Code, string Name, string Status, DateTime? ProblemSince, double Lon, double Lat, bool Silent, int? Sessions, double? Usual);

    public Task RunAsync() => RunAsync(DateTime.UtcNow, CancellationToken.None);

    public async Task<int> RunAsync(DateTime now, CancellationToken ct)
    {
        var o = options.Value;
        var hour = HealthRules.HourToJudge(now, o);
        var seen = new List<Seen>();
        await using (var cmd = ds.CreateCommand("""
            SELECT s.id, s.code, s.name, s.status, s.problem_since, ST_X(s.geom), ST_Y(s.geom),
                   coalesce(s.last_heartbeat_at, s.monitored_since) < @now - make_interval(mins => @timeout),
                   (SELECT r.sessions FROM wifi.hourly_reports r WHERE r.site_id = s.id AND r.hour = @hour),
                   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY coalesce(r.sessions, 0))
                    FROM generate_series(1, 4) w LEFT JOIN wifi.hourly_reports r ON r.site_id = s.id AND r.hour = @hour - w * interval '7 days')
            FROM wifi.sites s WHERE s.monitored_since IS NOT NULL AND s.status <> 'maintenance' ORDER BY s.id
            """))
        {
            cmd.Parameters.AddWithValue("now", now);
            cmd.Parameters.AddWithValue("timeout", o.HeartbeatTimeoutMinutes);
            cmd.Parameters.AddWithValue("hour", hour);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                seen.Add(new Seen(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetDateTime(4), r.GetDouble(5), r.GetDouble(6),
                    r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetInt32(8), r.IsDBNull(9) ? null : r.GetDouble(9)));
        }
        var changed = 0;
        foreach (var s in seen)
        {
            try
            {
                var low = HealthRules.Low(s.Sessions, s.Usual, o);
                var step = HealthRules.Next(s.Status, s.ProblemSince, s.Silent || low, now, TimeSpan.FromMinutes(o.ToleranceMinutes));
                if (step.Status == s.Status && step.ProblemSince == s.ProblemSince) continue;
                // the status moves only from the one we read: a supervisor who set maintenance meanwhile wins
                await using var up = ds.CreateCommand("""
                    UPDATE wifi.sites SET status = @status, problem_since = @since, status_since = CASE WHEN status <> @status THEN @now ELSE status_since END
                    WHERE id = @id AND status = @old
                    """);
                up.Parameters.AddWithValue("status", step.Status);
                up.Parameters.AddWithValue("since", (object?)step.ProblemSince ?? DBNull.Value);
                up.Parameters.AddWithValue("now", now);
                up.Parameters.AddWithValue("id", s.Id);
                up.Parameters.AddWithValue("old", s.Status);
                if (await up.ExecuteNonQueryAsync(ct) == 0) continue;
                changed++;
                if (step.Action == HealthAction.OpenTicket)
                {
                    var why = s.Silent
                        ? $"Sin latido ni reportes desde hace más de {o.HeartbeatTimeoutMinutes} minutos."
                        : $"Conexiones de la hora {hour:yyyy-MM-dd HH}:00 UTC: {s.Sessions ?? 0}, por debajo del {o.LowFraction:P0} de lo usual ({s.Usual:0.#}).";
                    await tickets.OpenAsync(new NewTicket(TicketKind.Corrective, TicketSource.WifiHealth, $"Espacio WiFi con falla: {s.Name}",
                        $"{why} Detectado por el monitoreo de la plataforma.", 4, 3, HealthRules.SubjectOf(s.Code), s.Lon, s.Lat), null, "Monitoreo WiFi", ct);
                }
                else if (step.Action == HealthAction.Recovered)
                    await tickets.NoteOnOpenAsync(HealthRules.SubjectOf(s.Code), $"El sitio volvió a reportar: de nuevo en operación ({now:yyyy-MM-dd HH:mm} UTC).", ct);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                log.LogWarning(e, "WiFi health check of {Site} failed; the next run tries again", s.Code);
            }
        }
        return changed;
    }
}

public sealed record FaultRequest(string? Description);
public sealed record FaultReported(string Site, long Ticket, bool Created);

/// <summary>Staff report that a WiFi space fails: the site's one open corrective ticket (opened now, or the one already open).</summary>
public static class FaultEndpoints
{
    public static IEndpointRouteBuilder MapFaultEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/wifi/sites/{code}/faults", Report).RequireAuthorization(Roles.Viewer).WithTags("Espacios WiFi / WiFi spaces").WithName("ReportWifiFault")
            .WithSummary("Reporta una falla del sitio: abre su ticket correctivo, o se suma al abierto / Report a fault of the site");
        return app;
    }

    private static async Task<Results<Created<FaultReported>, Ok<FaultReported>>> Report(string code, FaultRequest? body, ClaimsPrincipal user,
        AppDbContext db, Tickets tickets, CancellationToken ct)
    {
        var site = await SiteKeyEndpoints.FindSiteAsync(db, code, ct);
        var text = StorableText.Clean(body?.Description ?? "").Trim();
        if (text.Length > 4000) throw new BadRequestException("'description' is longer than 4,000 characters", "'description' tiene más de 4,000 caracteres", "description");
        var me = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var opened = await tickets.OpenAsync(new NewTicket(TicketKind.Corrective, TicketSource.Staff, $"Espacio WiFi con falla: {site.Name}",
            text, 4, 3, HealthRules.SubjectOf(site.Code), site.Geom.X, site.Geom.Y), me, await TicketEndpoints.DisplayNameAsync(db, me, ct), ct);
        var result = new FaultReported(site.Code, opened.Id, opened.Created);
        return opened.Created ? TypedResults.Created($"/api/maintenance/tickets/{opened.Id}", result) : TypedResults.Ok(result);
    }
}
