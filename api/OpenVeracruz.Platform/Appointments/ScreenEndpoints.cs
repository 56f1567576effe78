using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Appointments;

public sealed record ScreenCall(long Id, string Code, string Desk, string Service, string State, int CallCount, DateTimeOffset CalledAt);
/// <summary>A service's queue on the screen; <c>Next</c> holds the codes called next, in order (codes only, never a name).</summary>
public sealed record ScreenQueue(int ServiceId, string Service, string Prefix, int Waiting, int EstimatedWaitMinutes, string[] Next);
public sealed record ScreenState(string Office, string OfficeName, ScreenCall[] Called, ScreenQueue[] Queues, DateTimeOffset Updated);

/// <summary>The waiting-room screen: turn codes, desks and waits (never a name), as JSON and as Server-Sent Events.</summary>
public static class ScreenEndpoints
{
    public static IEndpointRouteBuilder MapScreenEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/screens").WithTags("Turnos (Cero Filas) / Turns");
        g.MapGet("/{office}", async (string office, AppDbContext db, NpgsqlDataSource ds, IOptions<AppointmentsOptions> opt, CancellationToken ct) =>
            TypedResults.Ok(await StateAsync(ds, await OfficeAsync(db, office, ct), opt.Value.HeadsUpTurnsAhead, ct))).WithName("ScreenState").WithSummary("Pantalla de la sala de espera / Waiting-room screen");
        g.MapGet("/{office}/events", Events).WithName("ScreenEvents")
            .WithSummary("La pantalla en vivo (text/event-stream: «turns» en cada cambio) / Live screen as Server-Sent Events");
        return app;
    }

    private static async Task<Office> OfficeAsync(AppDbContext db, string code, CancellationToken ct) =>
        await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Code == code && o.Active, ct) ?? throw Fail.NotFound($"No office '{code}'", $"No existe la oficina '{code}'");

    public static async Task<ScreenState> StateAsync(NpgsqlDataSource ds, Office office, int next, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        var day = Slots.LocalDay(DateTime.UtcNow);
        var called = new List<ScreenCall>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT t.id, t.code, t.desk, s.name, t.state, t.call_count, t.called_at FROM appointments.turns t JOIN appointments.services s ON s.id = t.service_id
            WHERE t.office_id = @o AND t.day = @d AND t.state IN ('called', 'serving') ORDER BY t.called_at DESC LIMIT 10
            """, conn))
        {
            cmd.Parameters.AddWithValue("o", office.Id);
            cmd.Parameters.AddWithValue("d", day);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                called.Add(new ScreenCall(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? "" : r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), TurnEndpoints.Local(r.GetDateTime(6))));
        }
        var waiting = new List<(int Id, string Name, string Prefix, int Waiting, string[] Next)>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT s.id, s.name, s.prefix, (SELECT count(*)::int FROM appointments.turns t WHERE t.service_id = s.id AND t.day = @d AND t.state = 'waiting'),
                   ARRAY(SELECT t.code FROM appointments.turns t WHERE t.service_id = s.id AND t.day = @d AND t.state = 'waiting' ORDER BY {TurnOrder.Sql("t")} LIMIT @n)
            FROM appointments.services s WHERE s.office_id = @o AND s.active ORDER BY s.prefix
            """, conn))
        {
            cmd.Parameters.AddWithValue("o", office.Id);
            cmd.Parameters.AddWithValue("d", day);
            cmd.Parameters.AddWithValue("n", Math.Max(0, next));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) waiting.Add((r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetFieldValue<string[]>(4)));
        }
        var queues = new List<ScreenQueue>();
        foreach (var w in waiting)
        {
            var (minutes, desks) = await Waits.ServiceMinutesAndDesksAsync(conn, null, office.Id, w.Id, ct);
            queues.Add(new ScreenQueue(w.Id, w.Name, w.Prefix, w.Waiting, Waits.Estimate(w.Waiting, minutes, desks), w.Next));
        }
        return new ScreenState(office.Code, office.Name, [.. called], [.. queues], TurnEndpoints.Local(DateTime.UtcNow));
    }

    /// <summary>
    /// The state at once, then again at every change of the office's turns (LISTEN/NOTIFY through <see cref="TurnHub"/>),
    /// with a comment every 15 s so proxies keep the connection; EventSource reconnects by itself after a drop (retry 3 s).
    /// </summary>
    private static async Task Events(string office, HttpContext http, AppDbContext db, NpgsqlDataSource ds, TurnHub hub, IOptions<AppointmentsOptions> opt)
    {
        var ct = http.RequestAborted;
        var o = await OfficeAsync(db, office, ct);
        using var subscription = hub.Subscribe(o.Id);
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache, no-transform";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await http.Response.WriteAsync("retry: 3000\n\n", ct);
            while (!ct.IsCancellationRequested)
            {
                await http.Response.WriteAsync($"event: turns\ndata: {TurnEndpoints.Json(await StateAsync(ds, o, opt.Value.HeadsUpTurnsAhead, ct))}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
                while (!await subscription.WaitAsync(TimeSpan.FromSeconds(15), ct))
                {
                    await http.Response.WriteAsync(": ping\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { } // the screen went away
    }
}
