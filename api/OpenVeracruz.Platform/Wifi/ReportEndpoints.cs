using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Wifi;

public sealed record ReportAccepted(string Site, DateTime Hour, int Sessions, int UniqueDevices, long BytesIn, long BytesOut, bool Replaced);

public sealed record HeartbeatAccepted(string Site, DateTime ReceivedAt);

/// <summary>
/// What access controllers (or a captive portal) send, authenticated by their site's key: hourly connection counts
/// and a heartbeat. Both are one SQL statement keyed by the key's hash, so a revoked key stops at once.
/// </summary>
public static class ReportEndpoints
{
    /// <summary>The only fields a report may carry: counts, never an identifier of a person or a device.</summary>
    private static readonly string[] Fields = ["hour", "sessions", "uniqueDevices", "bytesIn", "bytesOut"];
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/wifi").WithTags("Espacios WiFi / WiFi spaces");
        g.MapPost("/reports", Report).WithName("WifiHourlyReport")
            .WithSummary("Conexiones de una hora (Authorization: Bearer ovw_…) / One hour of connections, by the site's key; a resent hour replaces it");
        g.MapPost("/heartbeat", Heartbeat).WithName("WifiHeartbeat")
            .WithSummary("Latido del controlador (Authorization: Bearer ovw_…) / The controller is alive");
        return app;
    }

    private static string? KeyOf(HttpRequest req) => DeviceKeys.KeyOf(req, WifiSiteKey.Scheme);

    private static ProblemHttpResult Unauthorized(HttpContext http, bool missing) =>
        DeviceKeys.Unauthorized(http, "wifi-site", WifiSiteKey.Scheme, "site", "del sitio", missing);

    private static BadRequestException Bad(string en, string es, string field) => new(en, es, field);

    internal sealed record Counts(DateTime Hour, int Sessions, int UniqueDevices, long BytesIn, long BytesOut);

    /// <summary>Reads and checks a report; any unknown field (a MAC list, an IP…) is refused rather than ignored.</summary>
    internal static Counts Parse(JsonElement body, DateTime now, int retentionDays)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw Bad("The body must be a JSON object: {\"hour\", \"sessions\", \"uniqueDevices\", \"bytesIn\", \"bytesOut\"}",
                "El cuerpo debe ser un objeto JSON: {\"hour\", \"sessions\", \"uniqueDevices\", \"bytesIn\", \"bytesOut\"}", "body");
        foreach (var p in body.EnumerateObject())
            if (!Fields.Contains(p.Name))
                throw Bad($"Unknown field '{p.Name}': a report carries only counts ({string.Join(", ", Fields)}); no MAC address, IP or other identifier is accepted",
                    $"Campo desconocido '{p.Name}': un reporte lleva solo conteos ({string.Join(", ", Fields)}); no se acepta dirección MAC, IP ni otro identificador", p.Name);

        if (!body.TryGetProperty("hour", out var h) || h.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(h.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var hourOffset)
            || !h.GetString()!.Contains('T'))
            throw Bad("'hour' is required: the start of the hour in ISO 8601 with its offset, e.g. 2026-05-01T13:00:00-06:00",
                "Falta 'hour': el inicio de la hora en ISO 8601 con su desfase, p. ej. 2026-05-01T13:00:00-06:00", "hour");
        var hour = hourOffset.UtcDateTime;
        if (hour.Minute != 0 || hour.Second != 0 || hour.Millisecond != 0 || hour.Ticks % TimeSpan.TicksPerSecond != 0)
            throw Bad("'hour' must be the start of an hour (minutes and seconds zero)", "'hour' debe ser el inicio de una hora (minutos y segundos en cero)", "hour");
        if (hour > now + ClockSkew)
            throw Bad("'hour' is in the future: report an hour once it has started", "'hour' está en el futuro: reporte una hora cuando ya empezó", "hour");
        if (hour < now.AddDays(-retentionDays))
            throw Bad($"'hour' is older than {retentionDays} days, the longest a controller may resend", $"'hour' tiene más de {retentionDays} días, lo más que un controlador puede reenviar", "hour");

        var sessions = (int)Count(body, "sessions", int.MaxValue, required: true);
        var devices = (int)Count(body, "uniqueDevices", int.MaxValue, required: true);
        if (devices > sessions)
            throw Bad("'uniqueDevices' cannot exceed 'sessions': every device starts at least one session",
                "'uniqueDevices' no puede ser mayor que 'sessions': cada dispositivo inicia al menos una sesión", "uniqueDevices");
        return new Counts(hour, sessions, devices, Count(body, "bytesIn", long.MaxValue, false), Count(body, "bytesOut", long.MaxValue, false));
    }

    private static long Count(JsonElement body, string name, long max, bool required)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return required ? throw Bad($"'{name}' is required: a whole number, zero or more", $"Falta '{name}': un número entero, cero o más", name) : 0;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n) || n < 0 || n > max)
            throw Bad($"'{name}' must be a whole number, zero or more", $"'{name}' debe ser un número entero, cero o más", name);
        return n;
    }

    // one statement: the key finds the site, the hour is upserted (xmax = 0: a new row), the report is also a heartbeat
    private const string UpsertSql = """
        WITH site AS (
            SELECT k.site_id FROM wifi.site_keys k WHERE k.hash = @hash AND k.revoked_at IS NULL
        ), up AS (
            INSERT INTO wifi.hourly_reports AS r (site_id, hour, sessions, unique_devices, bytes_in, bytes_out, received_at, source)
            SELECT site_id, @hour, @sessions, @devices, @bytes_in, @bytes_out, now(), 'controller' FROM site
            ON CONFLICT (site_id, hour) DO UPDATE SET sessions = excluded.sessions, unique_devices = excluded.unique_devices,
                bytes_in = excluded.bytes_in, bytes_out = excluded.bytes_out, received_at = excluded.received_at, source = excluded.source
            RETURNING (xmax = 0) AS inserted
        ), beat AS (
            UPDATE wifi.sites s SET last_heartbeat_at = now() FROM site
            WHERE s.id = site.site_id AND (s.last_heartbeat_at IS NULL OR s.last_heartbeat_at < now() - interval '10 seconds')
        )
        SELECT s.code, (SELECT inserted FROM up) FROM wifi.sites s JOIN site ON s.id = site.site_id
        """;

    private static async Task<Results<Created<ReportAccepted>, Ok<ReportAccepted>, ProblemHttpResult>> Report(
        JsonElement body, HttpContext http, NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<WifiOptions> options, CancellationToken ct)
    {
        if (KeyOf(http.Request) is not { } key) return Unauthorized(http, missing: true);
        var c = Parse(body, DateTime.UtcNow, options.Value.ReportRetentionDays);
        await using var cmd = db.CreateCommand(UpsertSql);
        cmd.Parameters.AddWithValue("hash", WifiSiteKey.HashOf(key));
        cmd.Parameters.AddWithValue("hour", c.Hour);
        cmd.Parameters.AddWithValue("sessions", c.Sessions);
        cmd.Parameters.AddWithValue("devices", c.UniqueDevices);
        cmd.Parameters.AddWithValue("bytes_in", c.BytesIn);
        cmd.Parameters.AddWithValue("bytes_out", c.BytesOut);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return Unauthorized(http, missing: false);
        var accepted = new ReportAccepted(r.GetString(0), c.Hour, c.Sessions, c.UniqueDevices, c.BytesIn, c.BytesOut, Replaced: !r.GetBoolean(1));
        return accepted.Replaced ? TypedResults.Ok(accepted) : TypedResults.Created((string?)null, accepted);
    }

    private static async Task<Results<Ok<HeartbeatAccepted>, ProblemHttpResult>> Heartbeat(HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (KeyOf(http.Request) is not { } key) return Unauthorized(http, missing: true);
        await using var cmd = db.CreateCommand("""
            UPDATE wifi.sites s SET last_heartbeat_at = now() FROM wifi.site_keys k
            WHERE k.hash = @hash AND k.revoked_at IS NULL AND s.id = k.site_id
            RETURNING s.code, s.last_heartbeat_at
            """);
        cmd.Parameters.AddWithValue("hash", WifiSiteKey.HashOf(key));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return Unauthorized(http, missing: false);
        return TypedResults.Ok(new HeartbeatAccepted(r.GetString(0), r.GetDateTime(1)));
    }
}
