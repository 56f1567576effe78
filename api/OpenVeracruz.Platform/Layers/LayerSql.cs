using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Layers;

/// <summary>A property equality filter, value already typed for its column.</summary>
public sealed record PropertyFilter(LayerPropertyManifest Property, object Value);

/// <summary>
/// What to read from a layer. Limit 0 means every matching feature. Condition adds a further SQL condition over the
/// columns of alias t (its values as parameters of the command it is given: a door's filter language); Sort orders by
/// public properties before the key; Select keeps only those properties in the output.
/// </summary>
public sealed record FeatureQuery(
    BBox? BBox = null,
    Crs? BBoxCrs = null,
    Crs? OutputCrs = null,
    IReadOnlyList<PropertyFilter>? Filters = null,
    string? IntersectsGeoJson = null,
    object? FeatureId = null,
    int Limit = 0,
    long Offset = 0,
    DateTime? AsOf = null,
    Func<NpgsqlCommand, string>? Condition = null,
    IReadOnlyList<(LayerPropertyManifest Property, bool Descending)>? Sort = null,
    IReadOnlyList<LayerPropertyManifest>? Select = null);

/// <summary>A tabular read of a layer (datastore): columns, equality filters (any of the values), text, sort, page.</summary>
public sealed record RecordQuery(
    IReadOnlyList<string> Columns,
    IReadOnlyList<(LayerPropertyManifest Property, IReadOnlyList<object> Values)> Filters,
    string? Text,
    IReadOnlyList<(string Column, bool Descending)> Sort,
    int Limit,
    long Offset);

/// <summary>How a CSV row carries its geometry.</summary>
public enum CsvGeometry { LonLat, Wkt, None }

/// <summary>
/// The one home of generic layer SQL. Identifiers come only from the registry (quoted), values are always
/// parameters, bboxes are transformed to the storage SRID so the GiST index is used, and GeoJSON is built
/// inside PostGIS so a page streams straight from the database to the client.
/// </summary>
public static class LayerSql
{
    private static string Q(string id) => LayerDefinition.Quote(id);

    /// <summary>
    /// A layer with an append-only versions table (its entry's <c>versions</c>: the same public columns plus valid_from /
    /// valid_to) answers an "as of" read from the versions valid at that instant instead of the current table.
    /// </summary>
    public static bool HasVersions(LayerDefinition layer) => layer.VersionsTable is not null;

    /// <summary>The table to read: the current one, or the versions valid at q.AsOf for layers that keep them.</summary>
    private static string Source(LayerDefinition layer, FeatureQuery q, NpgsqlCommand cmd)
    {
        if (q.AsOf is not { } at || layer.QualifiedVersionsTable is not { } versions)
            return layer.QualifiedTable;
        cmd.Parameters.Add(new NpgsqlParameter("asof", NpgsqlDbType.TimestampTz) { Value = DateTime.SpecifyKind(at, DateTimeKind.Utc) });
        return $"(SELECT * FROM {versions} v WHERE v.valid_from <= @asof AND (v.valid_to IS NULL OR v.valid_to > @asof))";
    }

    public static NpgsqlDbType DbType(LayerPropertyManifest p) => p.Type switch
    {
        "integer" => NpgsqlDbType.Bigint,
        "number" => NpgsqlDbType.Double,
        "date" => NpgsqlDbType.Date,
        _ => NpgsqlDbType.Text,
    };

    public static string SqlType(LayerPropertyManifest p) => p.Type switch
    {
        "integer" => "bigint",
        "number" => "double precision",
        "date" => "date",
        _ => "text",
    };

    /// <summary>Parses a query-string value into the property's type; null when it does not fit.</summary>
    public static object? ParseValue(LayerPropertyManifest p, string text) => p.Type switch
    {
        "integer" => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null,
        "number" => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null,
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt) ? dt : null,
        _ => text,
    };

    private static string Where(LayerDefinition layer, FeatureQuery q, NpgsqlCommand cmd)
    {
        var conditions = new List<string>();
        var geom = "t." + Q(layer.GeometryColumn);
        if (q.BBox is { } b)
        {
            var crs = q.BBoxCrs ?? Crs.Crs84;
            cmd.Parameters.Add(new NpgsqlParameter("bx1", b.MinX));
            cmd.Parameters.Add(new NpgsqlParameter("by1", b.MinY));
            cmd.Parameters.Add(new NpgsqlParameter("bx2", b.MaxX));
            cmd.Parameters.Add(new NpgsqlParameter("by2", b.MaxY));
            var env = crs.Srid == layer.StorageSrid
                ? $"ST_MakeEnvelope(@bx1, @by1, @bx2, @by2, {layer.StorageSrid})"
                : $"ST_Transform(ST_MakeEnvelope(@bx1, @by1, @bx2, @by2, {crs.Srid}), {layer.StorageSrid})";
            conditions.Add($"{geom} && {env} AND ST_Intersects({geom}, {env})");
        }
        if (q.IntersectsGeoJson is { } g)
        {
            cmd.Parameters.Add(new NpgsqlParameter("ig", NpgsqlDbType.Text) { Value = g });
            conditions.Add($"ST_Intersects({geom}, ST_SetSRID(ST_GeomFromGeoJSON(@ig), {layer.StorageSrid}))");
        }
        if (q.FeatureId is { } id)
        {
            cmd.Parameters.Add(new NpgsqlParameter("fid", DbType(layer.KeyProperty)) { Value = id });
            conditions.Add($"t.{Q(layer.KeyColumn)} = @fid");
        }
        var i = 0;
        foreach (var f in q.Filters ?? [])
        {
            var name = "pf" + i++;
            cmd.Parameters.Add(new NpgsqlParameter(name, DbType(f.Property)) { Value = f.Value });
            conditions.Add($"t.{Q(f.Property.Name)} = @{name}");
        }
        if (q.Condition is { } condition) conditions.Add("(" + condition(cmd) + ")");
        return conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
    }

    /// <summary>The geometry expression in the output CRS, with the authority's axis order.</summary>
    private static string OutputGeometry(LayerDefinition layer, Crs crs)
    {
        var g = "t." + Q(layer.GeometryColumn);
        if (crs.Srid != layer.StorageSrid) g = $"ST_Transform({g}, {crs.Srid})";
        if (crs.LatLonOrder) g = $"ST_FlipCoordinates({g})";
        return g;
    }

    /// <summary>The properties object as compact JSON text, built by concatenation (no 100-argument limit, no reparse).</summary>
    /// <summary>The SQL of a layer's properties object, built once per property list (a layer's own list lives as long as the registry).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<LayerPropertyManifest>, string> PropertiesSql = new();

    private static string PropertiesJson(IReadOnlyList<LayerPropertyManifest> properties) => PropertiesSql.GetValue(properties, BuildPropertiesJson);

    private static string BuildPropertiesJson(IReadOnlyList<LayerPropertyManifest> properties) =>
        properties.Count == 0 ? "'{}'" :
        string.Join(" || ", properties.Select((p, i) =>
            $"'{(i == 0 ? "{" : ",")}\"{p.Name}\":' || COALESCE(to_json(t.{Q(p.Name)})::text, 'null')")) + " || '}'";

    /// <summary>
    /// One row per feature, column 0 the Feature as GeoJSON text, ordered by key for stable paging. Geometries carry no
    /// GeoJSON-2008 "crs" member (ST_AsGeoJSON option 0): the CRS is the response's (Content-Crs), as RFC 7946 has it.
    /// </summary>
    public static NpgsqlCommand Features(NpgsqlConnection conn, LayerDefinition layer, FeatureQuery q)
    {
        var cmd = conn.CreateCommand();
        var crs = q.OutputCrs ?? Crs.Crs84;
        var sb = new StringBuilder();
        sb.Append("SELECT '{\"type\":\"Feature\",\"id\":' || to_json(t.").Append(Q(layer.KeyColumn)).Append(")::text")
          .Append(" || ',\"geometry\":' || COALESCE(ST_AsGeoJSON(").Append(OutputGeometry(layer, crs)).Append(", ").Append(crs.Decimals).Append(", 0), 'null')")
          .Append(" || ',\"properties\":' || ").Append(PropertiesJson(q.Select ?? layer.Properties)).Append(" || '}'")
          .Append(" FROM ");
        // page first, serialise after: PostgreSQL would otherwise build the JSON of every row OFFSET skips
        var key = string.Join(", ", (q.Sort ?? []).Select(s => $"t.{Q(s.Property.Name)}{(s.Descending ? " DESC" : "")}").Append("t." + Q(layer.KeyColumn)));
        if (q.Limit > 0 || q.Offset > 0)
        {
            sb.Append("(SELECT t.* FROM ").Append(Source(layer, q, cmd)).Append(" t").Append(Where(layer, q, cmd)).Append(" ORDER BY ").Append(key);
            if (q.Limit > 0) sb.Append(" LIMIT ").Append(q.Limit.ToString(CultureInfo.InvariantCulture));
            if (q.Offset > 0) sb.Append(" OFFSET ").Append(q.Offset.ToString(CultureInfo.InvariantCulture));
            sb.Append(") t");
        }
        else sb.Append(Source(layer, q, cmd)).Append(" t").Append(Where(layer, q, cmd));
        sb.Append(" ORDER BY ").Append(key);
        cmd.CommandText = sb.ToString();
        return cmd;
    }

    public static NpgsqlCommand Count(NpgsqlConnection conn, LayerDefinition layer, FeatureQuery q)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {Source(layer, q, cmd)} t{Where(layer, q with { Limit = 0, Offset = 0 }, cmd)}";
        return cmd;
    }

    /// <summary>Extent in CRS84 as [minx, miny, maxx, maxy]; null values when the layer is empty.</summary>
    public static NpgsqlCommand Extent(NpgsqlConnection conn, LayerDefinition layer)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(t.{Q(layer.GeometryColumn)}) e FROM {layer.QualifiedTable} t) s";
        return cmd;
    }

    /// <summary>Longitude (WGS 84, 7 decimals) of a point inside the geometry: how every tabular door places a feature.</summary>
    public static string PointLongitude(string geom) => $"round(ST_X(ST_PointOnSurface({geom}))::numeric, 7)::double precision";

    /// <summary>Latitude (WGS 84, 7 decimals) of the same point inside the geometry.</summary>
    public static string PointLatitude(string geom) => $"round(ST_Y(ST_PointOnSurface({geom}))::numeric, 7)::double precision";

    /// <summary>The geometry as WKT with 7 decimals (about a centimetre).</summary>
    public static string Wkt(string geom) => $"ST_AsText({geom}, 7)";

    /// <summary>Rows for tabular downloads: the public properties, then the geometry as lon/lat of a point on the surface, or WKT.</summary>
    public static NpgsqlCommand Rows(NpgsqlConnection conn, LayerDefinition layer, CsvGeometry geometry)
    {
        var cmd = conn.CreateCommand();
        var cols = layer.Properties.Select(p => "t." + Q(p.Name)).ToList();
        var g = "t." + Q(layer.GeometryColumn);
        switch (geometry)
        {
            case CsvGeometry.LonLat:
                cols.Add($"{PointLongitude(g)} AS longitude");
                cols.Add($"{PointLatitude(g)} AS latitude");
                break;
            case CsvGeometry.Wkt:
                cols.Add($"{Wkt(g)} AS wkt");
                break;
        }
        cmd.CommandText = $"SELECT {string.Join(", ", cols)} FROM {layer.QualifiedTable} t ORDER BY t.{Q(layer.KeyColumn)}";
        return cmd;
    }

    /// <summary>The datastore view of a layer: its public properties plus a point on the surface as longitude/latitude.</summary>
    public static IReadOnlyList<LayerPropertyManifest> RecordFields(LayerDefinition layer) =>
        [.. layer.Properties,
         new("longitude", "number", null, "Longitud (WGS 84) de un punto dentro del elemento", null),
         new("latitude", "number", null, "Latitud (WGS 84) de un punto dentro del elemento", null)];

    private static string RecordSource(LayerDefinition layer)
    {
        var g = "s." + Q(layer.GeometryColumn);
        return $"(SELECT {string.Join(", ", layer.Properties.Select(p => "s." + Q(p.Name)))}, " +
               $"{PointLongitude(g)} AS longitude, {PointLatitude(g)} AS latitude FROM {layer.QualifiedTable} s) t";
    }

    private static string RecordWhere(LayerDefinition layer, RecordQuery q, NpgsqlCommand cmd)
    {
        var conditions = new List<string>();
        for (var i = 0; i < q.Filters.Count; i++)
        {
            var (p, values) = q.Filters[i];
            var alternatives = values.Select((v, j) =>
            {
                var name = $"f{i}_{j}";
                cmd.Parameters.Add(new NpgsqlParameter(name, DbType(p)) { Value = v });
                return $"t.{Q(p.Name)} = @{name}";
            });
            conditions.Add("(" + string.Join(" OR ", alternatives) + ")");
        }
        if (!string.IsNullOrWhiteSpace(q.Text))
        {
            var escaped = q.Text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
            cmd.Parameters.Add(new NpgsqlParameter("txt", NpgsqlDbType.Text) { Value = "%" + escaped + "%" });
            var texts = RecordFields(layer).Where(p => p.Type == "text").Select(p => $"t.{Q(p.Name)} ILIKE @txt").ToList();
            conditions.Add(texts.Count == 0 ? "false" : "(" + string.Join(" OR ", texts) + ")");
        }
        return conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
    }

    public static NpgsqlCommand Records(NpgsqlConnection conn, LayerDefinition layer, RecordQuery q)
    {
        var cmd = conn.CreateCommand();
        var order = q.Sort.Select(s => $"t.{Q(s.Column)}{(s.Descending ? " DESC" : "")}").Append($"t.{Q(layer.KeyColumn)}");
        cmd.CommandText = $"SELECT {string.Join(", ", q.Columns.Select(c => "t." + Q(c)))} FROM {RecordSource(layer)}{RecordWhere(layer, q, cmd)} " +
                          $"ORDER BY {string.Join(", ", order)} LIMIT {q.Limit.ToString(CultureInfo.InvariantCulture)} OFFSET {q.Offset.ToString(CultureInfo.InvariantCulture)}";
        return cmd;
    }

    public static NpgsqlCommand RecordCount(NpgsqlConnection conn, LayerDefinition layer, RecordQuery q)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {RecordSource(layer)}{RecordWhere(layer, q, cmd)}";
        return cmd;
    }

    /// <summary>The role datastore_search_sql runs as: it may read the datastore views and nothing else.</summary>
    public const string DatastoreReaderRole = "ov_datastore_reader";

    /// <summary>DDL of the datastore view of a layer, named by the id of its datastore resource, readable by the reader role.</summary>
    public static string DatastoreView(LayerDefinition layer, Guid resourceId, bool grant)
    {
        var view = $"datastore.{Q(resourceId.ToString())}";
        return $"CREATE SCHEMA IF NOT EXISTS datastore; DROP VIEW IF EXISTS {view}; CREATE VIEW {view} AS SELECT * FROM {RecordSource(layer)};" +
               (grant ? $" GRANT USAGE ON SCHEMA datastore TO {DatastoreReaderRole}; GRANT SELECT ON {view} TO {DatastoreReaderRole};" : "");
    }

    /// <summary>DDL that withdraws a resource's datastore view (its dataset went private or was deleted, or the resource was).</summary>
    public static string DropDatastoreView(Guid resourceId) => $"DROP VIEW IF EXISTS datastore.{Q(resourceId.ToString())};";

    /// <summary>
    /// Rows for file downloads (GeoPackage, Shapefile, KML): the public properties cast to their manifest types
    /// (bigint, double precision, date, text), then the geometry in the storage CRS as an NTS geometry, ordered by key.
    /// </summary>
    public static NpgsqlCommand GeometryRows(NpgsqlConnection conn, LayerDefinition layer)
    {
        var cmd = conn.CreateCommand();
        var cols = layer.Properties.Select(p => $"t.{Q(p.Name)}::{SqlType(p)} AS {Q(p.Name)}").Append("t." + Q(layer.GeometryColumn));
        cmd.CommandText = $"SELECT {string.Join(", ", cols)} FROM {layer.QualifiedTable} t ORDER BY t.{Q(layer.KeyColumn)}";
        return cmd;
    }

    /// <summary>One row: the widest value of each public property written as text, in UTF-8 bytes (null when the layer is empty).</summary>
    public static NpgsqlCommand TextWidths(NpgsqlConnection conn, LayerDefinition layer)
    {
        var cmd = conn.CreateCommand();
        var cols = layer.Properties.Select(p => $"max(octet_length(t.{Q(p.Name)}::{SqlType(p)}::text))");
        cmd.CommandText = $"SELECT {string.Join(", ", cols)} FROM {layer.QualifiedTable} t";
        return cmd;
    }

    /// <summary>DDL of a generic (data-defined) layer table; managed layers such as the cadastre come from migrations.</summary>
    /// <summary>
    /// The layer's table for a bulk load, without its primary key or spatial index: the loader builds them after the
    /// COPY (<see cref="SpatialIndex"/>), much faster than row by row.
    /// </summary>
    public static string CreateTable(LayerDefinition layer, string table)
    {
        var cols = layer.Properties.Select(p => $"{Q(p.Name)} {SqlType(p)}");
        return $"CREATE SCHEMA IF NOT EXISTS {Q(layer.Schema)}; " +
               $"CREATE TABLE {Q(layer.Schema)}.{Q(table)} ({string.Join(", ", cols)}, {Q(layer.GeometryColumn)} geometry({layer.GeometryType}, {layer.StorageSrid}) NOT NULL);";
    }

    /// <summary>The GiST index on the geometry of the layer's <paramref name="table"/>.</summary>
    public static string SpatialIndex(LayerDefinition layer, string table) =>
        $"CREATE INDEX ON {Q(layer.Schema)}.{Q(table)} USING gist ({Q(layer.GeometryColumn)});";
}
