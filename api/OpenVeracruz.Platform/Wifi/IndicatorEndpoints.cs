using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Wifi;

public sealed record MonthConnections(string Month, long Sessions);

/// <summary>C1A1 "Mantener en funcionamiento los diferentes espacios con internet": connections in a year against the goal.</summary>
public sealed record ConnectionsIndicator(string Activity, int Year, long Connections, int Goal, double Percent, int SitesReporting,
    bool IncludesIllustrativeData, IReadOnlyList<MonthConnections> Months);

public static class IndicatorEndpoints
{
    public const int YearlyGoal = 21_500;

    public static IEndpointRouteBuilder MapIndicatorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/wifi/indicator", Indicator).WithTags("Espacios WiFi / WiFi spaces").WithName("WifiIndicator")
            .WithSummary("Indicador C1A1: conexiones del año contra la meta de 21,500 / Connections in a year against the C1A1 goal");
        return app;
    }

    private static async Task<Ok<ConnectionsIndicator>> Indicator(NpgsqlDataSource db, CancellationToken ct, int? year = null)
    {
        var y = year ?? TimeZoneInfo.ConvertTimeBySystemTimeZoneId(DateTime.UtcNow, "America/Mexico_City").Year;
        if (y is < 2000 or > 2100) throw new BadRequestException("'year' must be between 2000 and 2100", "'year' debe estar entre 2000 y 2100", "year");
        // the year of the municipality: hours counted in local time
        await using var cmd = db.CreateCommand("""
            SELECT to_char(hour AT TIME ZONE 'America/Mexico_City', 'YYYY-MM') AS month, sum(sessions)::bigint,
                   count(DISTINCT site_id)::int, bool_or(source = 'synthetic')
            FROM wifi.hourly_reports
            WHERE hour >= (make_date(@y, 1, 1)::timestamp AT TIME ZONE 'America/Mexico_City')
              AND hour < (make_date(@y + 1, 1, 1)::timestamp AT TIME ZONE 'America/Mexico_City')
            GROUP BY ROLLUP (1) ORDER BY 1 NULLS LAST
            """);
        cmd.Parameters.AddWithValue("y", y);
        var months = new List<MonthConnections>();
        long total = 0;
        int sites = 0;
        var illustrative = false;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (r.IsDBNull(0)) (total, sites, illustrative) = (r.GetInt64(1), r.GetInt32(2), r.GetBoolean(3));
            else months.Add(new MonthConnections(r.GetString(0), r.GetInt64(1)));
        }
        return TypedResults.Ok(new ConnectionsIndicator("C1A1", y, total, YearlyGoal, Math.Round(100.0 * total / YearlyGoal, 1), sites, illustrative, months));
    }
}
