using System.Text;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Tiles;

/// <summary>
/// The one statement that builds a layer's Mapbox Vector Tile in PostGIS: the rows whose geometry meets the tile plus its
/// buffer (GiST index on the storage geometry), each transformed to EPSG:3857, simplified below
/// <see cref="TilesOptions.SimplifyBelowZoom"/>, clipped and quantised by ST_AsMVTGeom, encoded by ST_AsMVT with the feature
/// id. Identifiers come from the registry, values are parameters, and only the registry's public properties are read
/// (fewer below the layer's <c>tiles.fullFromZoom</c>).
/// </summary>
public static class TileSql
{
    public const int Extent = 4096, Buffer = 64;
    /// <summary>The buffer as a fraction of the tile: what a tile carries beyond its edges (and what invalidation widens by).</summary>
    public const double Margin = (double)Buffer / Extent;
    /// <summary>The largest feature id that survives a JavaScript number (2^53 − 1): the range of hashed text keys.</summary>
    public const long MaxSafeId = 9007199254740991;

    private static string Q(string id) => LayerDefinition.Quote(id);

    /// <summary>The public properties a tile at zoom z carries: all of them, or the key and the layer's low-zoom ones.</summary>
    public static IReadOnlyList<LayerPropertyManifest> Properties(LayerDefinition layer, int z) =>
        layer.Dataset.Layer?.Tiles is { } t && z < t.FullFromZoom
            ? layer.Properties.Where(p => p.Name == layer.KeyColumn || t.LowZoomProperties.Contains(p.Name)).ToList()
            : layer.Properties;

    /// <summary>The MVT feature id: an integer key as it is, any other key as a 53-bit hash of its text (the key itself is always an attribute).</summary>
    public static string FeatureId(LayerDefinition layer) => layer.KeyProperty.Type == "integer"
        ? $"t.{Q(layer.KeyColumn)}::bigint"
        : $"(hashtextextended(t.{Q(layer.KeyColumn)}::text, 0) & {MaxSafeId})";

    private static string Attribute(LayerPropertyManifest p) => p.Type switch
    {
        "integer" => $"t.{Q(p.Name)}::bigint",
        "number" => $"t.{Q(p.Name)}::double precision",
        _ => $"t.{Q(p.Name)}::text",
    } + " AS " + Q(p.Name);

    /// <summary>
    /// The CTEs "bounds", "features" and "tile" (one row, column mvt: the tile's bytes, empty when no feature meets it).
    /// Parameters @z, @x, @y, @layer are added to the command.
    /// </summary>
    public static string TileCte(NpgsqlCommand cmd, LayerDefinition layer, TileAddress t, TilesOptions o)
    {
        cmd.Parameters.Add(new NpgsqlParameter("z", NpgsqlDbType.Integer) { Value = t.Z });
        cmd.Parameters.Add(new NpgsqlParameter("x", NpgsqlDbType.Integer) { Value = t.X });
        cmd.Parameters.Add(new NpgsqlParameter("y", NpgsqlDbType.Integer) { Value = t.Y });
        cmd.Parameters.Add(new NpgsqlParameter("layer", NpgsqlDbType.Text) { Value = layer.Id });
        var geom = $"ST_Transform(t.{Q(layer.GeometryColumn)}, 3857)";
        if (t.Z < o.SimplifyBelowZoom)
        {
            // a tolerance of 1/512 of the tile (an eighth of a 4096-unit cell … 8 cells): invisible at that zoom
            cmd.Parameters.Add(new NpgsqlParameter("tolerance", NpgsqlDbType.Double) { Value = TileMath.TileSize(t.Z) / 512 });
            geom = $"ST_Simplify({geom}, @tolerance, true)";
        }
        var sb = new StringBuilder();
        sb.Append("bounds AS (SELECT ST_TileEnvelope(@z, @x, @y) AS env, ST_Transform(ST_TileEnvelope(@z, @x, @y, margin => ")
          .Append(Margin.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("), ").Append(layer.StorageSrid).Append(") AS area), ")
          .Append("features AS (SELECT ").Append(FeatureId(layer)).Append(" AS \"ov$fid\", ");
        foreach (var p in Properties(layer, t.Z)) sb.Append(Attribute(p)).Append(", ");
        sb.Append("ST_AsMVTGeom(").Append(geom).Append($", b.env, {Extent}, {Buffer}, true) AS \"ov$geom\"")
          .Append(" FROM ").Append(layer.QualifiedTable).Append(" t, bounds b WHERE t.").Append(Q(layer.GeometryColumn)).Append(" && b.area), ")
          .Append("tile AS (SELECT COALESCE((SELECT ST_AsMVT(f, @layer, ").Append(Extent)
          .Append(", 'ov$geom', 'ov$fid') FROM features f WHERE f.\"ov$geom\" IS NOT NULL), ''::bytea) AS mvt)");
        return sb.ToString();
    }

    /// <summary>The tile alone (column 0: its bytes); bench/run runs the same statement as the raw SQL the door is compared with.</summary>
    public static NpgsqlCommand Tile(NpgsqlConnection conn, LayerDefinition layer, TileAddress t, TilesOptions o)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = "WITH " + TileCte(cmd, layer, t, o) + " SELECT mvt FROM tile";
        return cmd;
    }
}
