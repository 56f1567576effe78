using Microsoft.Extensions.Logging;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Etl;

/// <summary>Loads every bundled dataset: data-defined layers first, then the synthetic cadastre that is laid out on them.</summary>
public sealed class DatasetLoader(NpgsqlDataSource db, LayerRegistry registry, ILogger<DatasetLoader> log)
{
    public const int MaxParcels = 1_000_000;
    /// <summary>The layer whose urban localities of the municipality of Veracruz (cve_mun 193) receive the parcels.</summary>
    public const string LocalitiesLayer = "localities";

    public async Task<IReadOnlyList<LoadReport>> LoadAllAsync(int? parcelCount = null, CancellationToken ct = default, bool regenerate = false)
    {
        var reports = new List<LoadReport>();
        foreach (var layer in registry.All.Where(l => l.Dataset.Layer!.Files.Length > 0))
            reports.Add(await LayerLoader.LoadAsync(db, layer, log, ct));
        foreach (var layer in registry.All.Where(l => l.Dataset.Generator is { Name: "synthetic-parcels" }))
            reports.Add(await LoadParcelsAsync(layer, parcelCount ?? layer.Dataset.Generator!.Count, ct, regenerate));
        registry.ForgetExtents();
        return reports;
    }

    /// <summary>Loads the one bundled dataset in <paramref name="folder"/> (datasets/&lt;id&gt;), whatever the others.</summary>
    public async Task<LoadReport> LoadFolderAsync(string folder, int? parcelCount = null, CancellationToken ct = default, bool regenerate = false)
    {
        var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        var layer = registry.All.FirstOrDefault(l => Path.GetFullPath(l.DatasetFolder).TrimEnd(Path.DirectorySeparatorChar) == full)
            ?? throw new ArgumentException($"{folder} is not the folder of a bundled layer dataset (datasets/<id> with a dataset.json that has a layer)");
        var report = layer.Dataset.Generator is { Name: "synthetic-parcels" } g
            ? await LoadParcelsAsync(layer, parcelCount ?? g.Count, ct, regenerate)
            : await LayerLoader.LoadAsync(db, layer, log, ct);
        registry.ForgetExtents();
        return report;
    }

    /// <summary>
    /// Generates the synthetic cadastre when its inputs changed (generator, count, localities). A cadastre that staff have
    /// worked on (edits, new versions) is never wiped by that alone: it is kept, with a warning, unless
    /// <paramref name="regenerate"/> is set (<c>etl -- load --regenerate</c>).
    /// </summary>
    public async Task<LoadReport> LoadParcelsAsync(LayerDefinition layer, int count, CancellationToken ct = default, bool regenerate = false)
    {
        var generator = layer.Dataset.Generator!;
        if (count < 1 || count > Math.Min(generator.MaxCount, MaxParcels))
            throw new ArgumentOutOfRangeException(nameof(count), $"parcel count must be between 1 and {Math.Min(generator.MaxCount, MaxParcels)}");
        var localitiesLayer = registry.Find(LocalitiesLayer) ?? throw new InvalidOperationException("the localities layer is not registered");
        await using var conn = await db.OpenConnectionAsync(ct);
        // only what shapes the rows counts: editing the dataset's title or description does not regenerate the cadastre
        var hash = LayerLoader.Hash(SyntheticParcels.Version, count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            System.Text.Json.JsonSerializer.Serialize(generator), layer.Schema + "." + layer.Table, System.Text.Json.JsonSerializer.Serialize(layer.Properties),
            await LayerLoader.LoadedHashAsync(conn, localitiesLayer.Dataset.Id, ct) ?? "");
        var loaded = await LayerLoader.LoadedHashAsync(conn, layer.Dataset.Id, ct);
        if (loaded == hash) return new LoadReport(layer.Dataset.Id, true, 0, 0, 0);
        if (loaded is not null && !regenerate && await HasStaffWorkAsync(conn, ct))
        {
            log.LogWarning("The synthetic cadastre's inputs changed, but staff have edited it: kept as it is. To discard the edits and generate it again: " +
                           "dotnet run --project etl -- load --regenerate / Los datos del catastro sintético cambiaron, pero el personal lo ha editado: se conserva.");
            return new LoadReport(layer.Dataset.Id, true, 0, 0, 0);
        }

        var localities = new List<UrbanLocality>();
        await using (var cmd = new NpgsqlCommand($"SELECT cvegeo, nom_loc, geom FROM {localitiesLayer.QualifiedTable} WHERE cve_mun = '193' AND ambito = 'URBANO' ORDER BY cvegeo", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                localities.Add(new UrbanLocality(r.GetString(0), r.GetString(1), r.GetFieldValue<Geometry>(2)));

        var started = DateTime.UtcNow;
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var z in SyntheticParcels.Zones)
            await Upsert(conn, tx, "INSERT INTO cadastre.valuation_zones (code, name, land_value_per_m2) VALUES (@c, @n, @v) ON CONFLICT (code) DO UPDATE SET name = excluded.name, land_value_per_m2 = excluded.land_value_per_m2, version = valuation_zones.version + 1 WHERE (valuation_zones.name, valuation_zones.land_value_per_m2) IS DISTINCT FROM (excluded.name, excluded.land_value_per_m2)", z.Code, z.Name, z.LandValuePerM2, ct);
        foreach (var c in SyntheticParcels.Constructions)
            await Upsert(conn, tx, "INSERT INTO cadastre.construction_types (code, name, value_per_m2) VALUES (@c, @n, @v) ON CONFLICT (code) DO UPDATE SET name = excluded.name, value_per_m2 = excluded.value_per_m2, version = construction_types.version + 1 WHERE (construction_types.name, construction_types.value_per_m2) IS DISTINCT FROM (excluded.name, excluded.value_per_m2)", c.Code, c.Name, c.ValuePerM2, ct);
        await LayerLoader.Exec(conn, tx, "TRUNCATE cadastre.parcels, cadastre.parcel_versions, cadastre.parcel_lineage, cadastre.parcel_edits RESTART IDENTITY CASCADE; CREATE TEMP TABLE owner_load (clave text, full_name text, curp text, phone text, email text) ON COMMIT DROP;", ct);

        long n = 0;
        var owners = new List<string[]>();
        await using (var parcels = await conn.BeginBinaryImportAsync("COPY cadastre.parcels (clave, zone, block, lot, locality_cvegeo, locality, land_use, land_area_m2, built_area_m2, valuation_zone, construction_type, land_value, construction_value, cadastral_value, geom) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (p, o) in SyntheticParcels.Generate(localities, count, generator.Seed))
            {
                await parcels.StartRowAsync(ct);
                await parcels.WriteAsync(p.Clave, NpgsqlDbType.Varchar, ct);
                await parcels.WriteAsync(p.Zone, NpgsqlDbType.Integer, ct);
                await parcels.WriteAsync(p.Block, NpgsqlDbType.Integer, ct);
                await parcels.WriteAsync(p.Lot, NpgsqlDbType.Integer, ct);
                await parcels.WriteAsync(p.LocalityCvegeo, NpgsqlDbType.Varchar, ct);
                await parcels.WriteAsync(p.LocalityName, NpgsqlDbType.Text, ct);
                await parcels.WriteAsync(p.LandUse, NpgsqlDbType.Varchar, ct);
                await parcels.WriteAsync(p.LandAreaM2, NpgsqlDbType.Double, ct);
                await parcels.WriteAsync(p.BuiltAreaM2, NpgsqlDbType.Double, ct);
                await parcels.WriteAsync(p.ValuationZoneCode, NpgsqlDbType.Varchar, ct);
                await parcels.WriteAsync(p.ConstructionTypeCode, NpgsqlDbType.Varchar, ct);
                await parcels.WriteAsync(p.LandValue, NpgsqlDbType.Numeric, ct);
                await parcels.WriteAsync(p.ConstructionValue, NpgsqlDbType.Numeric, ct);
                await parcels.WriteAsync(p.CadastralValue, NpgsqlDbType.Numeric, ct);
                await parcels.WriteAsync((Geometry)p.Geom, NpgsqlDbType.Geometry, ct);
                owners.Add([p.Clave, o.FullName, o.Curp, o.Phone, o.Email]);
                if (++n % 100_000 == 0) log.LogInformation("Synthetic parcels: {N} of {Count}", n, count);
            }
            await parcels.CompleteAsync(ct);
        }
        // one COPY at a time per connection: the private owners follow the parcels, joined on the clave
        await using (var ownerCopy = await conn.BeginBinaryImportAsync("COPY owner_load (clave, full_name, curp, phone, email) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var row in owners)
            {
                await ownerCopy.StartRowAsync(ct);
                foreach (var v in row) await ownerCopy.WriteAsync(v, NpgsqlDbType.Text, ct);
            }
            await ownerCopy.CompleteAsync(ct);
        }
        await LayerLoader.Exec(conn, tx, "INSERT INTO private.owners (parcel_id, clave, full_name, curp, phone, email) SELECT p.id, p.clave, o.full_name, o.curp, o.phone, o.email FROM owner_load o JOIN cadastre.parcels p USING (clave); " +
            OpenVeracruz.Platform.Cadastre.ParcelVersionSql.InitialVersions + OpenVeracruz.Platform.Cadastre.TariffVersionSql.Sync + " ANALYZE cadastre.parcels; ANALYZE cadastre.parcel_versions;", ct);
        await LayerLoader.RecordLoadAsync(conn, tx, layer.Dataset.Id, hash, n, ct);
        await OpenVeracruz.Platform.Tiles.TileCache.ForgetLayerAsync(conn, tx, layer.Id, ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Generated {N} synthetic parcels in {Seconds:F1} s", n, (DateTime.UtcNow - started).TotalSeconds);
        return new LoadReport(layer.Dataset.Id, false, n, 0, 0);
    }

    private static async Task<bool> HasStaffWorkAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM cadastre.parcel_edits) OR EXISTS (SELECT 1 FROM cadastre.parcel_versions WHERE version > 1)", conn);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task Upsert(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, string code, string name, decimal value, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue("c", code);
        cmd.Parameters.AddWithValue("n", name);
        cmd.Parameters.AddWithValue("v", value);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
