using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using NetTopologySuite.Geometries;
using Npgsql;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>
/// One feature of a layer being written to a file: the public property values in registry order, typed as
/// <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="DateOnly"/> or null, and the geometry.
/// The same instance is refilled for every row: read it, never keep it.
/// </summary>
internal sealed class LayerRow(int propertyCount)
{
    public object?[] Values { get; } = new object?[propertyCount];
    public Geometry? Geometry { get; set; }

    /// <summary>Reads a whole layer ordered by key, one row at a time (never the whole layer in memory).</summary>
    public static async IAsyncEnumerable<LayerRow> ReadAsync(NpgsqlConnection conn, LayerDefinition layer, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = LayerSql.GeometryRows(conn, layer);
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        var props = layer.Properties;
        var row = new LayerRow(props.Count);
        while (await reader.ReadAsync(ct))
        {
            for (var i = 0; i < props.Count; i++)
                row.Values[i] = await reader.IsDBNullAsync(i, ct) ? null : props[i].Type switch
                {
                    "integer" => reader.GetInt64(i),
                    "number" => reader.GetDouble(i),
                    "date" => reader.GetFieldValue<DateOnly>(i),
                    _ => reader.GetString(i),
                };
            row.Geometry = await reader.IsDBNullAsync(props.Count, ct) ? null : reader.GetFieldValue<Geometry>(props.Count);
            yield return row;
        }
    }

    /// <summary>A value as culture-invariant text: doubles round-trip, dates as yyyy-MM-dd.</summary>
    public static string Text(object value) => value switch
    {
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
