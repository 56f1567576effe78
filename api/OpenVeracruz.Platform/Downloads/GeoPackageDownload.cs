using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>
/// A layer as an OGC GeoPackage 1.3 (a SQLite file; 1.3 rather than 1.4 so that GDAL 3.6 opens it without a warning):
/// the three required metadata tables, one feature table named after the layer with an integer primary key <c>fid</c>,
/// typed public properties and GeoPackage binary geometries (header with envelope + little-endian WKB), and an
/// R-tree spatial index. Rows go from the PostgreSQL reader
/// straight into SQLite; the file is written to disk, never held in memory.
/// </summary>
internal static class GeoPackageDownload
{
    public const string ContentType = "application/geopackage+sqlite3";

    private const int Srid = Crs.StorageSrid;
    private const string Fid = "fid";
    private const string Geom = "geom";

    /// <summary>A public property and the column that holds it.</summary>
    private sealed record Column(int Index, LayerPropertyManifest Property, string Name);

    private static string Q(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string ColumnType(LayerPropertyManifest p) => p.Type switch
    {
        "integer" => "INTEGER",
        "number" => "REAL",
        "date" => "DATE",
        _ => "TEXT",
    };

    /// <summary>
    /// An integer key named <c>fid</c> becomes the primary key itself; any other property named like the
    /// primary key or the geometry column gets a numbered name that no other property has.
    /// </summary>
    private static (int? FidIndex, List<Column> Columns) Columns(LayerDefinition layer)
    {
        var props = layer.Properties;
        int? fidIndex = null;
        var taken = new HashSet<string>(props.Select(p => p.Name), StringComparer.OrdinalIgnoreCase) { Fid, Geom };
        var columns = new List<Column>();
        for (var i = 0; i < props.Count; i++)
        {
            var p = props[i];
            if (p.Name == Fid && p.Name == layer.KeyColumn && p.Type == "integer") { fidIndex = i; continue; }
            var name = p.Name;
            if (name.Equals(Fid, StringComparison.OrdinalIgnoreCase) || name.Equals(Geom, StringComparison.OrdinalIgnoreCase))
            {
                var n = 1;
                while (!taken.Add($"{p.Name}_{n}")) n++;
                name = $"{p.Name}_{n}";
            }
            columns.Add(new Column(i, p, name));
        }
        return (fidIndex, columns);
    }

    public static async Task WriteAsync(NpgsqlDataSource db, LayerDefinition layer, string path, CancellationToken ct)
    {
        var (fidIndex, columns) = Columns(layer);
        var table = layer.Id;
        var rtree = $"rtree_{table}_{Geom}";

        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // the file is sent and deleted right after: no pooled handle may keep it open
        }.ToString());
        await sqlite.OpenAsync(ct);
        // a scratch file: no journal, no fsync
        Execute(sqlite, null, "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
        await using var tx = (SqliteTransaction)await sqlite.BeginTransactionAsync(ct);
        Execute(sqlite, tx, MetadataTables);
        Execute(sqlite, tx, $"""
            INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description) VALUES
              ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
              ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
              ('WGS 84 geodetic', {Srid}, 'EPSG', {Srid}, $wkt, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES ($t, 'features', $title, $description, {Srid});
            INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES ($t, '{Geom}', $type, {Srid}, 0, 0);
            INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
              VALUES ($t, '{Geom}', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
            CREATE TABLE {Q(table)} ({Q(Fid)} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {Q(Geom)} {layer.GeometryType.ToUpperInvariant()}{string.Concat(columns.Select(c => $", {Q(c.Name)} {ColumnType(c.Property)}"))});
            CREATE VIRTUAL TABLE {Q(rtree)} USING rtree(id, minx, maxx, miny, maxy);
            """,
            ("$wkt", Crs.Crs84.Wkt), ("$t", table), ("$title", layer.Title), ("$description", layer.Description), ("$type", layer.GeometryType.ToUpperInvariant()));

        using var insert = sqlite.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = $"INSERT INTO {Q(table)} ({Q(Fid)}, {Q(Geom)}{string.Concat(columns.Select(c => ", " + Q(c.Name)))}) VALUES ($fid, $geom{string.Concat(columns.Select(c => $", $p{c.Index}"))})";
        var fidParam = insert.Parameters.Add("$fid", SqliteType.Integer);
        var geomParam = insert.Parameters.Add("$geom", SqliteType.Blob);
        var valueParams = columns.Select(c => insert.Parameters.Add($"$p{c.Index}", c.Property.Type switch
        {
            "integer" => SqliteType.Integer,
            "number" => SqliteType.Real,
            _ => SqliteType.Text,
        })).ToArray();
        insert.Prepare();

        using var index = sqlite.CreateCommand();
        index.Transaction = tx;
        index.CommandText = $"INSERT INTO {Q(rtree)} (id, minx, maxx, miny, maxy) VALUES ($id, $minx, $maxx, $miny, $maxy)";
        var indexParams = new[] { "$id", "$minx", "$maxx", "$miny", "$maxy" }.Select(n => index.Parameters.Add(n, SqliteType.Real)).ToArray();
        indexParams[0].SqliteType = SqliteType.Integer;
        index.Prepare();

        var wkb = new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false);
        var extent = new Envelope();
        long fid = 0;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            await foreach (var row in LayerRow.ReadAsync(conn, layer, ct))
            {
                fid = fidIndex is { } k ? (long)row.Values[k]! : fid + 1;
                fidParam.Value = fid;
                geomParam.Value = row.Geometry is { } g ? Blob(g, wkb) : DBNull.Value;
                for (var i = 0; i < columns.Count; i++)
                    valueParams[i].Value = row.Values[columns[i].Index] switch
                    {
                        null => DBNull.Value,
                        DateOnly d => LayerRow.Text(d),
                        var v => v,
                    };
                insert.ExecuteNonQuery();
                if (row.Geometry is { IsEmpty: false } geometry)
                {
                    var e = geometry.EnvelopeInternal;
                    extent.ExpandToInclude(e);
                    indexParams[0].Value = fid;
                    indexParams[1].Value = e.MinX;
                    indexParams[2].Value = e.MaxX;
                    indexParams[3].Value = e.MinY;
                    indexParams[4].Value = e.MaxY;
                    index.ExecuteNonQuery();
                }
            }
        }

        if (!extent.IsNull)
            Execute(sqlite, tx, "UPDATE gpkg_contents SET min_x = $minx, min_y = $miny, max_x = $maxx, max_y = $maxy WHERE table_name = $t",
                ("$minx", extent.MinX), ("$miny", extent.MinY), ("$maxx", extent.MaxX), ("$maxy", extent.MaxY), ("$t", table));
        // created after the bulk load: they keep the index right when someone edits the file in QGIS or GDAL,
        // which provide the ST_ functions they call
        Execute(sqlite, tx, RtreeTriggers(table, rtree));
        await tx.CommitAsync(ct);
    }

    /// <summary>GeoPackage binary: "GP", version 0, flags (little-endian, envelope [minx, maxx, miny, maxy] or empty), SRS id, envelope, WKB.</summary>
    internal static byte[] Blob(Geometry g, WKBWriter wkb)
    {
        var body = wkb.Write(g);
        var envelopeBytes = g.IsEmpty ? 0 : 32;
        var blob = new byte[8 + envelopeBytes + body.Length];
        blob[0] = (byte)'G';
        blob[1] = (byte)'P';
        blob[2] = 0;
        blob[3] = (byte)(g.IsEmpty ? 0b1_0001 : 0b0_0011); // bit 0 little-endian; bits 1-3 envelope kind (1 = xy); bit 4 empty
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(4), Srid);
        if (!g.IsEmpty)
        {
            var e = g.EnvelopeInternal;
            BinaryPrimitives.WriteDoubleLittleEndian(blob.AsSpan(8), e.MinX);
            BinaryPrimitives.WriteDoubleLittleEndian(blob.AsSpan(16), e.MaxX);
            BinaryPrimitives.WriteDoubleLittleEndian(blob.AsSpan(24), e.MinY);
            BinaryPrimitives.WriteDoubleLittleEndian(blob.AsSpan(32), e.MaxY);
        }
        body.CopyTo(blob, 8 + envelopeBytes);
        return blob;
    }

    private static void Execute(SqliteConnection sqlite, SqliteTransaction? tx, string sql, params (string Name, object Value)[] args)
    {
        using var cmd = sqlite.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }

    private const string MetadataTables = """
        CREATE TABLE gpkg_spatial_ref_sys (
          srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
          organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
        CREATE TABLE gpkg_contents (
          table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
          last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
          min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
          srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
        CREATE TABLE gpkg_geometry_columns (
          table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
          srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
          CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
          CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents (table_name),
          CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
        CREATE TABLE gpkg_extensions (
          table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
          CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
        """;

    /// <summary>The triggers of the R-tree extension: the index follows inserts, geometry and id updates, and deletes.</summary>
    private static string RtreeTriggers(string table, string rtree)
    {
        string t = Q(table), r = Q(rtree), f = Q(Fid), g = Q(Geom);
        var present = $"NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})";
        var absent = $"NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})";
        var upsert = $"INSERT OR REPLACE INTO {r} VALUES (NEW.{f}, ST_MinX(NEW.{g}), ST_MaxX(NEW.{g}), ST_MinY(NEW.{g}), ST_MaxY(NEW.{g}));";
        string Trigger(string suffix, string when, string body) =>
            $"CREATE TRIGGER {Q($"{rtree}_{suffix}")} AFTER {when} BEGIN {body} END;\n";
        return Trigger("insert", $"INSERT ON {t} WHEN ({present})", upsert)
             + Trigger("update1", $"UPDATE OF {g} ON {t} WHEN OLD.{f} = NEW.{f} AND ({present})", upsert)
             + Trigger("update2", $"UPDATE OF {g} ON {t} WHEN OLD.{f} = NEW.{f} AND ({absent})", $"DELETE FROM {r} WHERE id = OLD.{f};")
             + Trigger("update3", $"UPDATE ON {t} WHEN OLD.{f} != NEW.{f} AND ({present})", $"DELETE FROM {r} WHERE id = OLD.{f}; {upsert}")
             + Trigger("update4", $"UPDATE ON {t} WHEN OLD.{f} != NEW.{f} AND ({absent})", $"DELETE FROM {r} WHERE id IN (OLD.{f}, NEW.{f});")
             + Trigger("delete", $"DELETE ON {t} WHEN OLD.{g} NOT NULL", $"DELETE FROM {r} WHERE id = OLD.{f};");
    }
}
