using Npgsql;

namespace OpenVeracruz.Platform.Wifi;

/// <summary>
/// Real public spaces of the city of Veracruz, placed by hand with approximate coordinates (to within about 150 m).
/// Their equipment (access points, radius, hours) and connection history are illustrative, generated deterministically.
/// </summary>
public static class WifiSeed
{
    public sealed record Site(string Code, string Name, string Place, string Address, double Lon, double Lat, int RadiusM, string Hours, int AccessPoints, double Weight);

    public static readonly Site[] Sites =
    [
        new("WIFI-01", "Zócalo (Plaza de Armas)", "plaza", "Av. Independencia y Zamora, Centro Histórico", -96.1369, 19.1993, 120, "06:00–23:00", 4, 1.2),
        new("WIFI-02", "Parque Zamora", "parque", "Av. Independencia y Av. Zaragoza, Centro", -96.1378, 19.1912, 100, "06:00–22:00", 3, 0.8),
        new("WIFI-03", "Malecón (Paseo del Malecón)", "malecón", "Paseo del Malecón, Centro Histórico", -96.1330, 19.1985, 150, "06:00–23:00", 5, 1.0),
        new("WIFI-04", "Macroplaza del Malecón", "plaza", "Blvd. Manuel Ávila Camacho, frente al Faro Venustiano Carranza", -96.1345, 19.2025, 150, "06:00–23:00", 4, 0.7),
        new("WIFI-05", "Biblioteca del IVEC (ex convento Betlehemita)", "biblioteca", "Canal y Zaragoza, Centro Histórico", -96.1357, 19.1958, 60, "09:00–19:00", 2, 0.4),
        new("WIFI-06", "Mercado Hidalgo", "mercado", "Calle Hernán Cortés y Av. Madero, Centro", -96.1422, 19.1903, 80, "07:00–18:00", 2, 0.4),
        new("WIFI-07", "Mercado Unidad Veracruzana", "mercado", "Av. Hidalgo y Calle Juan Soto, Centro", -96.1415, 19.1890, 80, "07:00–18:00", 2, 0.3),
        new("WIFI-08", "Bulevar Ávila Camacho (playa Villa del Mar)", "paseo", "Blvd. Manuel Ávila Camacho, Villa del Mar", -96.1270, 19.1770, 150, "06:00–22:00", 3, 0.5),
        new("WIFI-09", "Mercado Malibrán", "mercado", "Av. Miguel Alemán, Malibrán", -96.1500, 19.1742, 80, "07:00–18:00", 2, 0.2),
    ];

    /// <summary>First and last hour of the illustrative history (UTC; local 2025-01-01 00:00 to 2026-10-31 23:00).</summary>
    public static readonly DateTime HistoryFrom = new(2025, 1, 1, 6, 0, 0, DateTimeKind.Utc), HistoryTo = new(2026, 11, 1, 5, 0, 0, DateTimeKind.Utc);

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var inserted = new List<(int Id, double Weight)>();
        foreach (var s in Sites)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO wifi.sites (code, name, place, address, status, status_since, coverage_radius_m, hours, access_points, location, geom)
                VALUES (@code, @name, @place, @address, 'operating', now(), @radius, @hours, @aps, 'aproximada', ST_SetSRID(ST_MakePoint(@lon, @lat), 4326))
                ON CONFLICT (code) DO NOTHING RETURNING id
                """, conn, tx);
            cmd.Parameters.AddWithValue("code", s.Code);
            cmd.Parameters.AddWithValue("name", s.Name);
            cmd.Parameters.AddWithValue("place", s.Place);
            cmd.Parameters.AddWithValue("address", s.Address);
            cmd.Parameters.AddWithValue("radius", s.RadiusM);
            cmd.Parameters.AddWithValue("hours", s.Hours);
            cmd.Parameters.AddWithValue("aps", s.AccessPoints);
            cmd.Parameters.AddWithValue("lon", s.Lon);
            cmd.Parameters.AddWithValue("lat", s.Lat);
            if (await cmd.ExecuteScalarAsync(ct) is int id) inserted.Add((id, s.Weight));
        }
        if (inserted.Count > 0)
        {
            // sessions per hour from a multiplicative hash of (hour, site): integers only, so every machine generates the
            // same rows; open 08:00–21:00 local, scaled so the whole programme is near its 21,500 connections a year
            await using var history = new NpgsqlCommand("""
                INSERT INTO wifi.hourly_reports (site_id, hour, sessions, unique_devices, bytes_in, bytes_out, received_at, source)
                SELECT v.site_id, v.h, v.n, ceil(v.n * 0.8)::int, v.n * 18000000::bigint, v.n * 2500000::bigint, v.h + interval '1 hour', 'synthetic'
                FROM (
                    SELECT s.id AS site_id, h,
                           floor((1 + 1.53 * s.weight) * (((((extract(epoch FROM h)::bigint / 3600) * 31 + s.id * 7919) * 2654435761) % 4294967296) / 4294967296.0))::int AS n
                    FROM unnest(@ids, @weights) AS s(id, weight)
                    CROSS JOIN generate_series(@from, @to, interval '1 hour') h
                    WHERE extract(hour FROM h AT TIME ZONE 'America/Mexico_City') BETWEEN 8 AND 21
                ) v
                WHERE v.n > 0
                ON CONFLICT DO NOTHING
                """, conn, tx);
            history.Parameters.AddWithValue("ids", inserted.Select(i => i.Id).ToArray());
            history.Parameters.AddWithValue("weights", inserted.Select(i => i.Weight).ToArray());
            history.Parameters.AddWithValue("from", HistoryFrom);
            history.Parameters.AddWithValue("to", HistoryTo);
            await history.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}
