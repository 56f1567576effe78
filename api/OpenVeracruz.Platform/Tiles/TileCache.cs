using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
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
/// <see cref="ForgetLayerAsync"/>), inside the transaction of the change. In front of it, the hot tiles in memory.
/// </summary>
/// <remarks>
/// A tile built while an edit commits must not be cached with the old rows after the edit emptied the cache: a build holds
/// the layer's advisory lock shared (taken in a statement of its own, so the build's snapshot comes after it) and the
/// change holds it exclusively until it commits. An edit waits for the builds in flight; builds wait for the edit.
/// </remarks>
public sealed class TileCache(NpgsqlDataSource ds, IOptions<TilesOptions> options) : IDisposable
{
    private long _writtenSinceTrim;
    private const string LockKey = "hashtextextended('ov-tiles:' || @layer, 0)";

    /// <summary>
    /// Hot tiles in memory (bounded by <see cref="TilesOptions.MemoryMaxBytes"/>), each checked against tiles.cache again
    /// once it is older than <see cref="TilesOptions.MemoryRecheckMilliseconds"/> (by its ETag: no bytes travel when it
    /// still holds). A change made through this instance empties it at once (<see cref="ForgetHot"/>); a change made
    /// through another instance shows here within the recheck interval.
    /// </summary>
    private readonly MemoryCache _hot = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.MemoryMaxBytes) });
    /// <summary>Bumped by <see cref="ForgetHot"/>: a tile read from the database before it is not kept in memory after it.</summary>
    private long _epoch;

    private sealed record HotTile(byte[] Bytes, string ETag, long CheckedAt);

    /// <summary>
    /// The cached tile (from memory, or from tiles.cache), or null on a miss. Bytes are not read when one of
    /// <paramref name="known"/> is its ETag. A tile last used more than a minute ago is marked used now (the bound trims
    /// the least recently used first).
    /// </summary>
    public async Task<TileBytes?> FindAsync(LayerDefinition layer, TileAddress t, string[] known, CancellationToken ct)
    {
        var o = options.Value;
        var key = (layer.Id, t.Z, t.X, t.Y);
        var hot = o.MemoryMaxBytes > 0 && _hot.TryGetValue(key, out HotTile? h) ? h : null;
        if (hot is not null && Environment.TickCount64 - hot.CheckedAt < o.MemoryRecheckMilliseconds)
            return new TileBytes(known.Contains(hot.ETag) ? null : hot.Bytes, hot.ETag, true);
        var epoch = Interlocked.Read(ref _epoch);
        var found = await FindStoredAsync(layer, t, hot is null ? known : [.. known, hot.ETag], ct);
        if (found is null)
        {
            if (hot is not null) _hot.Remove(key);
            return null;
        }
        var bytes = found.Bytes ?? (hot?.ETag == found.ETag ? hot.Bytes : null);
        if (bytes is not null && o.MemoryMaxBytes > 0 && Interlocked.Read(ref _epoch) == epoch)
            _hot.Set(key, new HotTile(bytes, found.ETag, Environment.TickCount64), new MemoryCacheEntryOptions { Size = bytes.Length + 128 });
        return new TileBytes(known.Contains(found.ETag) ? null : bytes, found.ETag, true);
    }

    /// <summary>After a change through this instance has committed: the tiles in memory are read from tiles.cache again.</summary>
    public void ForgetHot()
    {
        Interlocked.Increment(ref _epoch);
        _hot.Compact(1.0);
    }

    public void Dispose() => _hot.Dispose();

    private async Task<TileBytes?> FindStoredAsync(LayerDefinition layer, TileAddress t, string[] known, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        TileBytes tile;
        await using (var cmd = new NpgsqlCommand("""
            SELECT etag, CASE WHEN etag = ANY(@known) THEN NULL ELSE bytes END, used_at < now() - interval '1 minute'
            FROM tiles.cache WHERE layer = @layer AND z = @z AND x = @x AND y = @y
            """, conn))
        {
            Key(cmd, layer, t);
            cmd.Parameters.Add(new NpgsqlParameter("known", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = known });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            tile = new TileBytes(r.IsDBNull(1) ? null : r.GetFieldValue<byte[]>(1), r.GetString(0), true);
            if (!r.GetBoolean(2)) return tile;
        }
        await using (var touch = new NpgsqlCommand("UPDATE tiles.cache SET used_at = now() WHERE layer = @layer AND z = @z AND x = @x AND y = @y", conn))
        {
            Key(touch, layer, t);
            await touch.ExecuteNonQueryAsync(ct);
        }
        return tile;
    }

    /// <summary>
    /// Builds the tile in PostGIS under the layer's shared lock (one round trip: the lock, then the tile in a statement of
    /// its own, so its snapshot comes after the lock). The caller sends the bytes, then <see cref="PendingTile.StoreAsync"/>
    /// writes them to the cache and ends the transaction: the client does not wait for the cache.
    /// </summary>
    public async Task<PendingTile> BuildAsync(LayerDefinition layer, TileAddress t, CancellationToken ct)
    {
        var conn = await ds.OpenConnectionAsync(ct);
        try
        {
            var tx = await conn.BeginTransactionAsync(ct);
            await using var cmd = TileSql.Tile(conn, layer, t, options.Value);
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT pg_advisory_xact_lock_shared({LockKey}); " + cmd.CommandText;
            byte[] bytes;
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                await r.NextResultAsync(ct);
                await r.ReadAsync(ct);
                bytes = r.GetFieldValue<byte[]>(0);
            }
            return new PendingTile(this, conn, tx, layer.Id, t, bytes, ETagOf(bytes));
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>The ETag of a tile's bytes: hex of the first 16 bytes of their SHA-256.</summary>
    public static string ETagOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..32];

    /// <summary>A tile built and not yet cached: its connection holds the layer's shared lock until it is stored or dropped.</summary>
    public sealed class PendingTile(TileCache cache, NpgsqlConnection conn, NpgsqlTransaction tx, string layer, TileAddress t, byte[] bytes, string etag) : IAsyncDisposable
    {
        public TileBytes Tile { get; } = new(bytes, etag, false);

        /// <summary>Writes the tile to the cache, commits (releasing the lock) and trims the cache when a tenth of its bound was written since the last trim.</summary>
        public async Task StoreAsync(CancellationToken ct)
        {
            await using (var cmd = new NpgsqlCommand("""
                INSERT INTO tiles.cache (layer, z, x, y, bytes, size, etag, created, used_at)
                VALUES (@layer, @z, @x, @y, @bytes, @size, @etag, now(), now())
                ON CONFLICT (layer, z, x, y) DO UPDATE SET bytes = excluded.bytes, size = excluded.size, etag = excluded.etag,
                    created = excluded.created, used_at = excluded.used_at
                """, conn, tx))
            {
                cmd.Parameters.Add(new NpgsqlParameter("layer", NpgsqlDbType.Text) { Value = layer });
                cmd.Parameters.Add(new NpgsqlParameter("z", NpgsqlDbType.Integer) { Value = t.Z });
                cmd.Parameters.Add(new NpgsqlParameter("x", NpgsqlDbType.Integer) { Value = t.X });
                cmd.Parameters.Add(new NpgsqlParameter("y", NpgsqlDbType.Integer) { Value = t.Y });
                cmd.Parameters.Add(new NpgsqlParameter("bytes", NpgsqlDbType.Bytea) { Value = bytes });
                cmd.Parameters.Add(new NpgsqlParameter("size", NpgsqlDbType.Integer) { Value = bytes.Length });
                cmd.Parameters.Add(new NpgsqlParameter("etag", NpgsqlDbType.Text) { Value = etag });
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            await cache.WrittenAsync(bytes.Length + 64, ct);
        }

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }

    /// <summary>Counts bytes written to the cache and trims it when a tenth of its bound was written since the last trim.</summary>
    private async Task WrittenAsync(long written, CancellationToken ct)
    {
        var max = options.Value.CacheMaxBytes;
        if (Interlocked.Add(ref _writtenSinceTrim, written) <= max / 10) return;
        Interlocked.Exchange(ref _writtenSinceTrim, 0);
        await TrimAsync(max, ct);
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
