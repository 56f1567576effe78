using System.Buffers;
using System.Data;
using System.Text;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace OpenVeracruz.Platform.Layers;

/// <summary>
/// Streams a GeoJSON FeatureCollection whose features PostGIS has already serialised: rows go from the
/// reader to the response buffer without being parsed or collected.
/// </summary>
public static class FeatureStream
{
    private const int FlushBytes = 64 * 1024;

    /// <summary>Counts the matches (so bad input fails before the first byte is sent) when asked.</summary>
    public static async Task<long> CountAsync(NpgsqlDataSource db, LayerDefinition layer, FeatureQuery query, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = LayerSql.Count(conn, layer, query);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Writes the collection; <paramref name="footer"/> receives the number of features written and whether the query had
    /// more, and returns further top-level members as a JSON fragment starting with a comma (numberReturned, links, …).
    /// With <paramref name="peek"/> one row more than the query's limit is read, and not written: it tells that there is more.
    /// </summary>
    public static async Task WriteAsync(HttpResponse response, NpgsqlDataSource db, LayerDefinition layer, FeatureQuery query,
        string contentType, Func<int, bool, string> footer, CancellationToken ct, bool peek = false)
    {
        var max = peek && query.Limit > 0 ? query.Limit : int.MaxValue;
        if (max != int.MaxValue) query = query with { Limit = query.Limit + 1 };
        var more = false;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = LayerSql.Features(conn, layer, query);
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        response.ContentType = contentType;
        var writer = response.BodyWriter;
        writer.Write("{\"type\":\"FeatureCollection\",\"features\":["u8);
        var n = 0;
        long pending = 0;
        while (await reader.ReadAsync(ct))
        {
            if (n == max) { more = true; break; }
            if (n++ > 0) { writer.Write(","u8); pending++; }
            // the feature's UTF-8 text as PostgreSQL sent it: copied, never decoded into a string and encoded again
            await using (var text = await reader.GetStreamAsync(0, ct))
                for (int read; (read = await text.ReadAsync(writer.GetMemory(4096), ct)) > 0; pending += read)
                    writer.Advance(read);
            if (pending >= FlushBytes)
            {
                await writer.FlushAsync(ct);
                pending = 0;
            }
        }
        Encoding.UTF8.GetBytes("]" + footer(n, more) + "}", writer);
        await writer.FlushAsync(ct);
    }
}
