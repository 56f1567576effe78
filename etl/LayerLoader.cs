using System.Diagnostics;
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
/// features are streamed from the files (read → validate → convert, one at a time) straight into a binary COPY into a
/// fresh table, whose key and spatial index are then built and which is swapped in, all in one transaction, so readers
/// see the old rows or the new ones and never half of them. A rerun with unchanged content is skipped. Each phase is
/// logged with its time (<see cref="LoadPhases"/>).
/// </summary>
public static class LayerLoader
{
    /// <summary>Bump when the loading logic changes what lands in the tables.</summary>
    public const string Version = "layer-loader-1";

    /// <summary>The hash of what shapes a layer's rows: the loader's version, dataset.json (without its OData names), the data files and the join.</summary>
    public static string ContentHash(LayerDefinition layer, params string[] extra)
    {
        using var hasher = new ContentHasher(layer, extra);
        var manifest = layer.Dataset.Layer!;
        foreach (var path in manifest.Files.Select(f => f.Path).Concat(manifest.Join is { } j ? [j.Path] : []))
        {
            // the data files are hashed in chunks, never read whole into memory
            using var file = OpenSequential(Path.Combine(layer.DatasetFolder, path));
            new HashingStream(file, hasher).CopyTo(Stream.Null, 1 << 16);
        }
        return hasher.Finish();
    }

    private static FileStream OpenSequential(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);

    /// <summary>
    /// <see cref="ContentHash"/> built up piece by piece, so that a load can hash the data files as it reads them (one pass
    /// over their bytes) instead of before: the version and dataset.json first, then each file as it streams, the join last.
    /// </summary>
    private sealed class ContentHasher : IDisposable
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public ContentHasher(LayerDefinition layer, string[] extra)
        {
            Add(System.Text.Encoding.UTF8.GetBytes(Version + string.Join("|", extra)));
            Add(WithoutODataNames(File.ReadAllBytes(Path.Combine(layer.DatasetFolder, "dataset.json"))));
        }

        public void Add(ReadOnlySpan<byte> bytes) => _sha.AppendData(bytes);
        public string Finish() => Convert.ToHexString(_sha.GetHashAndReset());
        public void Dispose() => _sha.Dispose();
    }

    /// <summary>A read-only stream that hashes what is read through it.</summary>
    private sealed class HashingStream(Stream inner, ContentHasher hasher) : Stream
    {
        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            hasher.Add(buffer[..n]);
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
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
        var phases = new LoadPhases(log, layer.Dataset.Id);
        foreach (var file in manifest.Files)
            if (file.Format != "geojson") throw new InvalidDataException($"{layer.Dataset.Id}: format '{file.Format}' is not supported by the bundled loader");
        await using var conn = await db.OpenConnectionAsync(ct);
        string? hash = null;
        var loaded = await LoadedHashAsync(conn, layer.Dataset.Id, ct);
        if (loaded is not null && await TableExistsAsync(conn, layer, ct))
        {
            // the skip needs the hash before reading; a layer never loaded (or whose table is gone) is hashed as it is read
            hash = ContentHash(layer);
            phases.Done("content hash");
            if (hash == loaded)
            {
                phases.Done("unchanged, skipped");
                return new LoadReport(layer.Dataset.Id, true, 0, 0, 0);
            }
        }

        var joinBytes = manifest.Join is { } j ? File.ReadAllBytes(Path.Combine(layer.DatasetFolder, j.Path)) : null;
        var join = joinBytes is null ? null : ReadJoin(joinBytes, manifest.Join!.CsvKey);
        var stats = new ReadStats();
        using var hasher = hash is null ? new ContentHasher(layer, []) : null;
        await using var tx = await conn.BeginTransactionAsync(ct);
        var rows = await ReplaceTableAsync(conn, tx, layer, ReadRows(layer, join, stats, hasher), null, ct, phases);
        if (hasher is not null)
        {
            hasher.Add(joinBytes);
            hash = hasher.Finish();
        }
        await RecordLoadAsync(conn, tx, layer.Dataset.Id, hash!, rows, ct);
        await tx.CommitAsync(ct);
        phases.Done("commit");
        log.LogInformation("Loaded {Dataset}: {Rows} rows into {Table} ({Empty} empty values, {Repaired} geometries repaired); " +
                           "of the read and COPY, {Parse:F2} s parsing, {Validate:F2} s validating geometries; {Total:F2} s in all, {RowsPerSecond:N0} rows/s",
            layer.Dataset.Id, rows, layer.QualifiedTable, stats.Empty, stats.Repaired, stats.Parse.TotalSeconds, stats.Validate.TotalSeconds,
            phases.Total.TotalSeconds, rows / Math.Max(phases.Total.TotalSeconds, 1e-6));
        return new LoadReport(layer.Dataset.Id, false, rows, stats.Empty, stats.Repaired);
    }

    /// <summary>What reading the files found, and where its time went.</summary>
    private sealed class ReadStats
    {
        public int Empty, Repaired;
        public TimeSpan Parse, Validate;
    }

    /// <summary>
    /// The layer's rows, read feature by feature from its GeoJSON files (never a whole file in memory), joined to the
    /// CSV, typed, and with invalid geometries repaired: the caller writes each one to the COPY as it comes.
    /// </summary>
    private static IEnumerable<(object?[] Values, Geometry Geometry)> ReadRows(LayerDefinition layer, Dictionary<string, Dictionary<string, string>>? join,
        ReadStats stats, ContentHasher? hasher)
    {
        var manifest = layer.Dataset.Layer!;
        // the names read from each feature: every property's source, then the join key
        var wanted = layer.Properties.Select(p => p.Source ?? p.Name).Where(s => s != "$index").Distinct().ToList();
        var joinSlot = -1;
        if (manifest.Join is { } jm)
        {
            joinSlot = wanted.IndexOf(jm.FeatureKey);
            if (joinSlot < 0) { joinSlot = wanted.Count; wanted.Add(jm.FeatureKey); }
        }
        var slots = layer.Properties.Select(p => p.Source == "$index" ? -1 : wanted.IndexOf(p.Source ?? p.Name)).ToArray();
        var index = 0;
        foreach (var file in manifest.Files)
        {
            using var stream = OpenSequential(Path.Combine(layer.DatasetFolder, file.Path));
            Stream input = hasher is null ? stream : new HashingStream(stream, hasher);
            using var features = new GeoJsonFeatures(input, file.Path, wanted);
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (!features.Next()) break;
                index++;
                var raw = features.Values;
                Dictionary<string, string>? joined = null;
                if (join is not null && raw[joinSlot] is { } k) join.TryGetValue(k, out joined);
                var values = new object?[slots.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    var p = layer.Properties[i];
                    var text = slots[i] < 0 ? index.ToString(CultureInfo.InvariantCulture)
                        : raw[slots[i]] ?? (joined is not null && joined.TryGetValue(p.Source ?? p.Name, out var jv) ? jv : null);
                    values[i] = text is null ? null : LayerSql.ParseValue(p, text.Trim());
                    if (values[i] is null) stats.Empty++;
                }
                var geometry = features.Geometry ?? throw new InvalidDataException($"{file.Path}: feature {index} has no geometry");
                var parsed = Stopwatch.GetTimestamp();
                stats.Parse += Stopwatch.GetElapsedTime(started, parsed);
                // the full check only where the quick proof fails (a parcel's ring passes it in a fraction of the time)
                if (!QuickValidity.SurelyValid(geometry) && !geometry.IsValid) { geometry = GeometryFixer.Fix(geometry); stats.Repaired++; }
                geometry = Conform(geometry, layer.GeometryType)
                    ?? throw new InvalidDataException($"{file.Path}: feature {index} is a {geometry.GeometryType}, the layer holds {layer.GeometryType}");
                geometry.SRID = layer.StorageSrid;
                stats.Validate += Stopwatch.GetElapsedTime(parsed);
                yield return (values, geometry);
            }
            input.CopyTo(Stream.Null); // whatever follows the document is hashed too
        }
    }

    /// <summary>
    /// Writes the rows (values in the order of the layer's properties, then the geometry) into a fresh staging table
    /// by binary COPY and swaps it in for the layer's table, inside the caller's transaction: readers see the old
    /// rows or the new ones, never half of them. The rows are consumed as they are written (a streamed source stays
    /// streamed); the key and the spatial index are built after the COPY, which is much faster than row by row, and a
    /// missing or repeated key refuses the load. <paramref name="progress"/> hears the count every 5,000 rows.
    /// </summary>
    public static async Task<long> ReplaceTableAsync(NpgsqlConnection conn, NpgsqlTransaction tx, LayerDefinition layer,
        IEnumerable<(object?[] Values, Geometry Geometry)> rows, Func<long, Task>? progress, CancellationToken ct, LoadPhases? phases = null)
    {
        var q = LayerDefinition.Quote;
        var staging = layer.Table + "__load";
        var target = $"{q(layer.Schema)}.{q(staging)}";
        await Exec(conn, tx, $"DROP TABLE IF EXISTS {target}; " + LayerSql.CreateTable(layer, staging), ct);
        var columns = string.Join(", ", layer.Properties.Select(p => q(p.Name)).Append(q(layer.GeometryColumn)));
        var types = layer.Properties.Select(LayerSql.DbType).ToArray();
        long n = 0;
        // FREEZE: the table was made in this transaction, so its rows are written already visible to all (no later hint-bit rewrite)
        await using (var writer = await conn.BeginBinaryImportAsync($"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY, FREEZE)", ct))
        {
            foreach (var (values, geometry) in rows)
            {
                await writer.StartRowAsync(ct);
                for (var i = 0; i < values.Length; i++)
                {
                    if (values[i] is null) await writer.WriteNullAsync(ct);
                    else await writer.WriteAsync(values[i], types[i], ct);
                }
                await writer.WriteAsync(geometry, NpgsqlDbType.Geometry, ct);
                if (++n % 5000 == 0 && progress is not null) await progress(n);
            }
            await writer.CompleteAsync(ct);
        }
        phases?.Done("read and COPY", n);
        try
        {
            await Exec(conn, tx, $"ALTER TABLE {target} ADD PRIMARY KEY ({q(layer.KeyColumn)})", ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.NotNullViolation)
        {
            throw new InvalidDataException($"{layer.Dataset.Id}: key '{layer.KeyColumn}' must be present and unique in every feature", e);
        }
        phases?.Done("key index");
        await Exec(conn, tx, LayerSql.SpatialIndex(layer, staging), ct);
        phases?.Done("spatial index");
        // CASCADE: the datastore views on the old table go with it; the caller (or the catalog sync) recreates them
        await Exec(conn, tx, $"DROP TABLE IF EXISTS {layer.QualifiedTable} CASCADE; ALTER TABLE {target} RENAME TO {q(layer.Table)}; ANALYZE {layer.QualifiedTable};", ct);
        // every cached vector tile of the layer goes with the old rows, in the same transaction
        await TileCache.ForgetLayerAsync(conn, tx, layer.Id, ct);
        phases?.Done("swap, analyze, tile cache");
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

    private static Dictionary<string, Dictionary<string, string>> ReadJoin(byte[] bytes, string key)
    {
        using var reader = new StreamReader(new MemoryStream(bytes));
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

/// <summary>Times the phases of a load and logs each one at Information level, with rows/s where rows were counted.</summary>
public sealed class LoadPhases(ILogger log, string dataset)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _last = Stopwatch.GetTimestamp();

    public TimeSpan Total => Stopwatch.GetElapsedTime(_started);

    public void Done(string phase, long? rows = null)
    {
        var now = Stopwatch.GetTimestamp();
        var took = Stopwatch.GetElapsedTime(_last, now);
        _last = now;
        if (rows is { } n)
            log.LogInformation("{Dataset}: {Phase} {Seconds:F2} s, {Rows} rows, {RowsPerSecond:N0} rows/s", dataset, phase, took.TotalSeconds, n, n / Math.Max(took.TotalSeconds, 1e-6));
        else log.LogInformation("{Dataset}: {Phase} {Seconds:F2} s", dataset, phase, took.TotalSeconds);
    }
}
