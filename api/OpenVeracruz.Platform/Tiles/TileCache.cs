using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Tiles;

/// <summary>A tile's bytes (null when the client's ETag matched and the bytes were not read) and its ETag (hex, no quotes).</summary>
public sealed record TileBytes(byte[]? Bytes, string ETag, bool FromCache);

/// <summary>
/// The tile cache, a table in PostgreSQL (tiles.cache: layer, z, x, y → bytes, ETag): filled on a miss by the statement
/// that builds the tile, bounded by <see cref="TilesOptions.CacheMaxBytes"/> (least recently used first, trimmed after
/// every tenth of the bound written), and emptied for exactly the tiles a change touches (<see cref="ForgetAreasAsync"/>,
/// <see cref="ForgetLayerAsync"/>), inside the transaction of the change.
/// </summary>
/// <remarks>
/// A tile built while an edit commits must not be cached with the old rows after the edit emptied the cache: a build holds
/// the layer's advisory lock shared (taken in a statement of its own, so the build's snapshot comes after it) and the
/// change holds it exclusively until it commits. An edit waits for the builds in flight; builds wait for the edit.
/// </remarks>
public sealed class TileCache(NpgsqlDataSource ds, IOptions<TilesOptions> options)
{
    private long _writtenSinceTrim;
    private const string LockKey = "hashtextextended('ov-tiles:' || @layer, 0)";

    /// <summary>The cached tile, or null on a miss. Bytes are not read when one of <paramref name="known"/> is its ETag.</summary>
    public async Task<TileBytes?> FindAsync(LayerDefinition layer, TileAddress t, string[] known, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            WITH hit AS (SELECT etag, CASE WHEN etag = ANY(@known) THEN NULL ELSE bytes END AS bytes, used_at FROM tiles.cache
                         WHERE layer = @layer AND z = @z AND x = @x AND y = @y),
                 touch AS (UPDATE tiles.cache c SET used_at = now() FROM hit
                           WHERE c.layer = @layer AND c.z = @z AND c.x = @x AND c.y = @y AND hit.used_at < now() - interval '1 minute')
            SELECT etag, bytes FROM hit
            """, conn);
        Key(cmd, layer, t);
        cmd.Parameters.Add(new NpgsqlParameter("known", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = known });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new TileBytes(r.IsDBNull(1) ? null : r.GetFieldValue<byte[]>(1), r.GetString(0), true);
    }

    /// <summary>Builds the tile in PostGIS and stores it, in one statement after the layer's shared lock.</summary>
    public async Task<TileBytes> BuildAsync(LayerDefinition layer, TileAddress t, CancellationToken ct)
    {
        var o = options.Value;
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock_shared({LockKey})", conn, tx))
        {
            lockCmd.Parameters.Add(new NpgsqlParameter("layer", NpgsqlDbType.Text) { Value = layer.Id });
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = new NpgsqlCommand("", conn, tx);
        cmd.CommandText = "WITH " + TileSql.TileCte(cmd, layer, t, o) + """
            , stored AS (
                INSERT INTO tiles.cache (layer, z, x, y, bytes, size, etag, created, used_at)
                SELECT @layer, @z, @x, @y, mvt, octet_length(mvt), left(encode(sha256(mvt), 'hex'), 32), now(), now() FROM tile
                ON CONFLICT (layer, z, x, y) DO UPDATE SET bytes = excluded.bytes, size = excluded.size, etag = excluded.etag,
                    created = excluded.created, used_at = excluded.used_at
                RETURNING etag)
            SELECT tile.mvt, stored.etag FROM tile, stored
            """;
        byte[] bytes;
        string etag;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            bytes = r.GetFieldValue<byte[]>(0);
            etag = r.GetString(1);
        }
        await tx.CommitAsync(ct);
        if (Interlocked.Add(ref _writtenSinceTrim, bytes.Length + 64) > o.CacheMaxBytes / 10)
        {
            Interlocked.Exchange(ref _writtenSinceTrim, 0);
            await TrimAsync(o.CacheMaxBytes, CancellationToken.None);
        }
        return new TileBytes(bytes, etag, false);
    }

    /// <summary>Deletes the least recently used tiles until the cache holds at most <paramref name="maxBytes"/> bytes of tiles; returns how many went.</summary>
    public async Task<int> TrimAsync(long maxBytes, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            DELETE FROM tiles.cache c USING (
                SELECT layer, z, x, y FROM (SELECT layer, z, x, y, sum(size) OVER (ORDER BY used_at DESC, created DESC, layer, z, x, y) AS running
                                            FROM tiles.cache) s WHERE s.running > @max) d
            WHERE c.layer = d.layer AND c.z = d.z AND c.x = d.x AND c.y = d.y
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("max", NpgsqlDbType.Bigint) { Value = maxBytes });
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void Key(NpgsqlCommand cmd, LayerDefinition layer, TileAddress t)
    {
        cmd.Parameters.Add(new NpgsqlParameter("layer", NpgsqlDbType.Text) { Value = layer.Id });
        cmd.Parameters.Add(new NpgsqlParameter("z", NpgsqlDbType.Integer) { Value = t.Z });
        cmd.Parameters.Add(new NpgsqlParameter("x", NpgsqlDbType.Integer) { Value = t.X });
        cmd.Parameters.Add(new NpgsqlParameter("y", NpgsqlDbType.Integer) { Value = t.Y });
    }

    /// <summary>The tiles at every zoom whose area (with the tile buffer) meets one of the longitude/latitude boxes.</summary>
    public static List<TileRange> Touched(IEnumerable<(double West, double South, double East, double North)> boxes) =>
        boxes.SelectMany(b => Enumerable.Range(0, TileMath.MaxZoom + 1).Select(z => TileMath.Range(z, b.West, b.South, b.East, b.North, TileSql.Margin))).ToList();

    /// <summary>
    /// Inside the caller's transaction (an approved cadastral edit): forgets the cached tiles of the layer that the
    /// boxes (the old and new geometries' bounds, longitude/latitude) touch, at every zoom, and holds the layer's lock
    /// until the caller commits.
    /// </summary>
    public static async Task ForgetAreasAsync(AppDbContext db, string layer, IEnumerable<(double West, double South, double East, double North)> boxes, CancellationToken ct)
    {
        var ranges = Touched(boxes);
        if (ranges.Count == 0) return;
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({LockKey}); " + """
            DELETE FROM tiles.cache c USING unnest(@zs, @x1s, @x2s, @y1s, @y2s) AS r(z, x1, x2, y1, y2)
            WHERE c.layer = @layer AND c.z = r.z AND c.x BETWEEN r.x1 AND r.x2 AND c.y BETWEEN r.y1 AND r.y2
            """, [
                new NpgsqlParameter("layer", NpgsqlDbType.Text) { Value = layer },
                new NpgsqlParameter("zs", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = ranges.Select(r => r.Z).ToArray() },
                new NpgsqlParameter("x1s", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = ranges.Select(r => r.MinX).ToArray() },
                new NpgsqlParameter("x2s", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = ranges.Select(r => r.MaxX).ToArray() },
                new NpgsqlParameter("y1s", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = ranges.Select(r => r.MinY).ToArray() },
                new NpgsqlParameter("y2s", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = ranges.Select(r => r.MaxY).ToArray() },
            ], ct);
    }

    /// <summary>Inside the caller's transaction (a load or an import that replaced the layer's rows): forgets every cached tile of the layer.</summary>
    public static async Task ForgetLayerAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string layer, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({LockKey}); DELETE FROM tiles.cache WHERE layer = @layer", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter("layer", NpgsqlDbType.Text) { Value = layer });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
