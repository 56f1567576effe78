using Npgsql;

namespace OpenVeracruz.Platform.Maintenance;

/// <summary>
/// Municipal buildings of the city of Veracruz, placed by hand with approximate coordinates (about 150 m): the layer
/// municipal_buildings. Their inventories are not bundled: staff import them (CSV).
/// </summary>
public static class MaintenanceSeed
{
    public sealed record Site(string Code, string Name, string Kind, string Address, double Lon, double Lat);

    public static readonly Site[] Buildings =
    [
        new("ED-01", "Palacio Municipal", "oficinas", "Plaza de Armas (Zócalo), Centro Histórico", -96.1338, 19.2008),
        new("ED-02", "Mercado Hidalgo (administración)", "mercado", "Calle Hernán Cortés y Av. Madero, Centro", -96.1422, 19.1903),
        new("ED-03", "Mercado Unidad Veracruzana (administración)", "mercado", "Av. Hidalgo y Calle Juan Soto, Centro", -96.1415, 19.1890),
        new("ED-04", "Mercado Malibrán (administración)", "mercado", "Av. Miguel Alemán, Malibrán", -96.1500, 19.1742),
    ];

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        foreach (var b in Buildings)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO maintenance.buildings (code, name, kind, address, location, geom)
                VALUES ($1, $2, $3, $4, 'aproximada', ST_SetSRID(ST_MakePoint($5, $6), 4326)) ON CONFLICT (code) DO NOTHING
                """);
            foreach (var v in new object[] { b.Code, b.Name, b.Kind, b.Address, b.Lon, b.Lat }) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }
}
