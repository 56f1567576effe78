using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CsvHelper;
using Microsoft.Extensions.Logging;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Tiles;

namespace OpenVeracruz.Etl;

/// <summary>What a load did: rows written, values left empty, geometries repaired.</summary>
public sealed record LoadReport(string DatasetId, bool Skipped, long Rows, int EmptyValues, int RepairedGeometries);

/// <summary>
/// Loads a data-defined layer (GeoJSON files, optionally joined to a CSV on a key) into its PostGIS table:
/// read → validate → convert → binary COPY into a fresh table → swap, all in one transaction, so readers see
/// the old rows or the new ones and never half of them. A rerun with unchanged content is skipped.
/// </summary>
public static class LayerLoader
{
    /// <summary>Bump when the loading logic changes what lands in the tables.</summary>
    public const string Version = "layer-loader-1";

    public static string ContentHash(LayerDefinition layer, params string[] extra)
    {
        using var sha = SHA256.Create();
        void Add(byte[] b) => sha.TransformBlock(b, 0, b.Length, null, 0);
        Add(System.Text.Encoding.UTF8.GetBytes(Version + string.Join("|", extra)));
        Add(WithoutODataNames(File.ReadAllBytes(Path.Combine(layer.DatasetFolder, "dataset.json"))));
        var manifest = layer.Dataset.Layer!;
        foreach (var f in manifest.Files) Add(File.ReadAllBytes(Path.Combine(layer.DatasetFolder, f.Path)));
        if (manifest.Join is { } j) Add(File.ReadAllBytes(Path.Combine(layer.DatasetFolder, j.Path)));
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexString(sha.Hash!);
    }

    /// <summary>SHA-256 of the parts, as hex.</summary>
    public static string Hash(params string[] parts) =>
        Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\u001f", parts))));

    /// <summary>
    /// dataset.json without the layer's "odata" block (and the comma before it). The block only names the layer on the
    /// OData door: renaming there must not reload the data (for the cadastre, a reload regenerates the parcels and drops
    /// their edits). The other bytes stay as they are, so a load hashed before the block was added still matches.
    /// </summary>
    public static byte[] WithoutODataNames(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var inLayer = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.CurrentDepth == 1) inLayer = reader.ValueTextEquals("layer");
            else if (inLayer && reader.CurrentDepth == 2 && reader.ValueTextEquals("odata"))
            {
                var start = (int)reader.TokenStartIndex;
                reader.Read();
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                var before = json.AsSpan(0, start).LastIndexOf((byte)',');
                var after = json.AsSpan(end).TrimStart(" \t\r\n"u8);
                // the last member takes the comma before it; a member followed by others takes the comma after it
                return after.Length > 0 && after[0] == (byte)','
                    ? [.. json.AsSpan(0, start), .. after[1..]]
                    : [.. json.AsSpan(0, before), .. json.AsSpan(end)];
            }
        }
        return json;
    }

    public static async Task<string?> LoadedHashAsync(NpgsqlConnection conn, string datasetId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT content_hash FROM catalog.dataset_loads WHERE dataset_id = @id", conn);
        cmd.Parameters.AddWithValue("id", datasetId);
        return (string?)await cmd.ExecuteScalarAsync(ct);
    }

    public static async Task RecordLoadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string datasetId, string hash, long rows, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO catalog.dataset_loads (dataset_id, content_hash, row_count, loaded_at) VALUES (@id, @h, @n, now())
            ON CONFLICT (dataset_id) DO UPDATE SET content_hash = excluded.content_hash, row_count = excluded.row_count, loaded_at = excluded.loaded_at
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", datasetId);
        cmd.Parameters.AddWithValue("h", hash);
        cmd.Parameters.AddWithValue("n", rows);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<LoadReport> LoadAsync(NpgsqlDataSource db, LayerDefinition layer, ILogger log, CancellationToken ct = default)
    {
        var manifest = layer.Dataset.Layer!;
        var hash = ContentHash(layer);
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await LoadedHashAsync(conn, layer.Dataset.Id, ct) == hash && await TableExistsAsync(conn, layer, ct))
            return new LoadReport(layer.Dataset.Id, true, 0, 0, 0);

        var join = manifest.Join is { } j ? ReadJoin(Path.Combine(layer.DatasetFolder, j.Path), j.CsvKey) : null;
        var rows = new List<(object?[] Values, Geometry Geometry)>();
        int empty = 0, repaired = 0, index = 0;
        foreach (var file in manifest.Files)
        {
            if (file.Format != "geojson") throw new InvalidDataException($"{layer.Dataset.Id}: format '{file.Format}' is not supported by the bundled loader");
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layer.DatasetFolder, file.Path)));
            if (!doc.RootElement.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection")
                throw new InvalidDataException($"{file.Path} is not a GeoJSON FeatureCollection");
            foreach (var feature in doc.RootElement.GetProperty("features").EnumerateArray())
            {
                index++;
                var props = feature.GetProperty("properties");
                Dictionary<string, string>? joined = null;
                if (join is not null && props.TryGetProperty(manifest.Join!.FeatureKey, out var k))
                    join.TryGetValue(k.ToString(), out joined);
                var values = new object?[layer.Properties.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    var p = layer.Properties[i];
                    string? raw = p.Source == "$index" ? index.ToString(CultureInfo.InvariantCulture)
                        : props.TryGetProperty(p.Source ?? p.Name, out var v) && v.ValueKind != JsonValueKind.Null ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())
                        : joined is not null && joined.TryGetValue(p.Source ?? p.Name, out var jv) ? jv
                        : null;
                    values[i] = raw is null ? null : LayerSql.ParseValue(p, raw.Trim());
                    if (values[i] is null) empty++;
                }
                var geometry = GeoJson.Read(feature.GetProperty("geometry").GetRawText())
                    ?? throw new InvalidDataException($"{file.Path}: feature {index} has no geometry");
                if (!geometry.IsValid) { geometry = GeometryFixer.Fix(geometry); repaired++; }
                geometry = Conform(geometry, layer.GeometryType)
                    ?? throw new InvalidDataException($"{file.Path}: feature {index} is a {geometry.GeometryType}, the layer holds {layer.GeometryType}");
                geometry.SRID = layer.StorageSrid;
                rows.Add((values, geometry));
            }
        }
        var keys = rows.Select(r => r.Values[layer.Properties.ToList().FindIndex(p => p.Name == layer.KeyColumn)]).ToList();
        if (keys.Any(k => k is null) || keys.Distinct().Count() != keys.Count)
            throw new InvalidDataException($"{layer.Dataset.Id}: key '{layer.KeyColumn}' must be present and unique in every feature");

        await using var tx = await conn.BeginTransactionAsync(ct);
        await ReplaceTableAsync(conn, tx, layer, rows, null, ct);
        await RecordLoadAsync(conn, tx, layer.Dataset.Id, hash, rows.Count, ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Loaded {Dataset}: {Rows} rows into {Table} ({Empty} empty values, {Repaired} geometries repaired)",
            layer.Dataset.Id, rows.Count, layer.QualifiedTable, empty, repaired);
        return new LoadReport(layer.Dataset.Id, false, rows.Count, empty, repaired);
    }

    /// <summary>
    /// Writes the rows (values in the order of the layer's properties, then the geometry) into a fresh staging table
    /// by binary COPY and swaps it in for the layer's table, inside the caller's transaction: readers see the old
    /// rows or the new ones, never half of them. <paramref name="progress"/> hears the count every 5,000 rows.
    /// </summary>
    public static async Task<long> ReplaceTableAsync(NpgsqlConnection conn, NpgsqlTransaction tx, LayerDefinition layer,
        IEnumerable<(object?[] Values, Geometry Geometry)> rows, Func<long, Task>? progress, CancellationToken ct)
    {
        var q = LayerDefinition.Quote;
        var staging = layer.Table + "__load";
        await Exec(conn, tx, $"DROP TABLE IF EXISTS {q(layer.Schema)}.{q(staging)}; " + LayerSql.CreateTable(layer, staging), ct);
        var columns = string.Join(", ", layer.Properties.Select(p => q(p.Name)).Append(q(layer.GeometryColumn)));
        long n = 0;
        await using (var writer = await conn.BeginBinaryImportAsync($"COPY {q(layer.Schema)}.{q(staging)} ({columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (values, geometry) in rows)
            {
                await writer.StartRowAsync(ct);
                for (var i = 0; i < values.Length; i++)
                {
                    if (values[i] is null) await writer.WriteNullAsync(ct);
                    else await writer.WriteAsync(values[i], LayerSql.DbType(layer.Properties[i]), ct);
                }
                await writer.WriteAsync(geometry, NpgsqlDbType.Geometry, ct);
                if (++n % 5000 == 0 && progress is not null) await progress(n);
            }
            await writer.CompleteAsync(ct);
        }
        // CASCADE: the datastore views on the old table go with it; the caller (or the catalog sync) recreates them
        await Exec(conn, tx, $"DROP TABLE IF EXISTS {layer.QualifiedTable} CASCADE; ALTER TABLE {q(layer.Schema)}.{q(staging)} RENAME TO {q(layer.Table)}; ANALYZE {layer.QualifiedTable};", ct);
        // every cached vector tile of the layer goes with the old rows, in the same transaction
        await TileCache.ForgetLayerAsync(conn, tx, layer.Id, ct);
        return n;
    }

    /// <summary>Promotes single parts to the layer's multi type; null when the geometry cannot fit it.</summary>
    public static Geometry? Conform(Geometry g, string type) => (type, g) switch
    {
        ("MultiPolygon", Polygon p) => GeoJson.Factory.CreateMultiPolygon([p]),
        ("MultiLineString", LineString l) => GeoJson.Factory.CreateMultiLineString([l]),
        ("MultiPoint", Point p) => GeoJson.Factory.CreateMultiPoint([p]),
        _ when g.GeometryType == type => g,
        _ => null,
    };

    private static Dictionary<string, Dictionary<string, string>> ReadJoin(string path, string key)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        var result = new Dictionary<string, Dictionary<string, string>>();
        csv.Read();
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        while (csv.Read())
        {
            var row = header.ToDictionary(h => h, h => csv.GetField(h) ?? "");
            result[row[key]] = row;
        }
        return result;
    }

    internal static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        // bulk statements of a load (a million rows at most) are not held to the 30 s default of a web request
        await using var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<bool> TableExistsAsync(NpgsqlConnection conn, LayerDefinition layer, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", conn);
        cmd.Parameters.AddWithValue("t", layer.QualifiedTable);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
