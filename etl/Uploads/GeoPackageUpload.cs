using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using OpenVeracruz.Platform.Shared;
using ProjNet.CoordinateSystems.Transformations;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>
/// Reads the first feature table of a GeoPackage (gpkg_contents, gpkg_geometry_columns), its geometries from the
/// GeoPackage binary encoding (header + WKB), reprojected from the table's srs_id when it is not EPSG:4326.
/// </summary>
public static class GeoPackageUpload
{
    private static string Q(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    /// <summary>The geometry of a GeoPackage binary blob; null for an empty geometry.</summary>
    public static Geometry? ParseBinary(byte[] blob)
    {
        if (blob.Length < 8 || blob[0] != (byte)'G' || blob[1] != (byte)'P') throw new FormatException("not a GeoPackage geometry (no GP header)");
        var flags = blob[3];
        if ((flags & 0x10) != 0) return null;
        var envelope = ((flags >> 1) & 0x07) switch
        {
            0 => 0,
            1 => 32,
            2 or 3 => 48,
            4 => 64,
            var e => throw new FormatException($"invalid envelope indicator {e}"),
        };
        var offset = 8 + envelope;
        if (blob.Length <= offset) throw new FormatException("the geometry blob ends in its header");
        return new WKBReader(GeoJson.Factory.GeometryServices).Read(blob.AsSpan(offset).ToArray());
    }

    public static async Task<UploadedTable> ReadAsync(string path, int? epsg, NpgsqlDataSource db, ImportReport report, CancellationToken ct)
    {
        try
        {
            await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await conn.OpenAsync(ct);
            var tables = new List<(string Table, string Column, int Srs)>();
            await using (var cmd = conn.CreateCommand())
            {
                cmd.CommandText = "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name";
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) tables.Add((r.GetString(0), r.GetString(1), r.GetInt32(2)));
            }
            if (tables.Count == 0) throw report.Refuse("The GeoPackage holds no feature table (gpkg_contents lists none with data_type 'features').",
                "El GeoPackage no contiene ninguna tabla de elementos (gpkg_contents no lista ninguna con data_type 'features').");
            var (table, geometryColumn, srs) = tables[0];
            if (tables.Count > 1) report.Note(0, "table", $"only the first feature table '{table}' was imported; the file also holds {string.Join(", ", tables.Skip(1).Select(t => t.Table))}");

            MathTransform? transform = null;
            if (epsg is { } code) transform = UploadGeometry.TransformFrom(await UploadGeometry.EpsgWktAsync(db, code, report, ct), $"EPSG:{code}", report);
            else if (srs is not (4326 or 0 or -1)) transform = UploadGeometry.TransformFrom(await SrsDefinitionAsync(conn, srs, db, report, ct), $"srs_id {srs}", report);

            var columns = new List<(string Name, string Type)>();
            await using (var info = conn.CreateCommand())
            {
                info.CommandText = $"PRAGMA table_info({Q(table)})";
                await using var r = await info.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    var (name, type, pk) = (r.GetString(1), r.GetString(2).ToUpperInvariant(), r.GetInt32(5));
                    if (name == geometryColumn || pk > 0 && type == "INTEGER") continue; // the geometry and the row id (fid)
                    columns.Add((name, type));
                }
            }
            var values = new List<object?[]>();
            var kept = new List<(long Row, Geometry Geometry)>();
            await using (var select = conn.CreateCommand())
            {
                select.CommandText = $"SELECT {string.Join("", columns.Select(c => Q(c.Name) + ", "))}{Q(geometryColumn)} FROM {Q(table)}";
                await using var r = await select.ExecuteReaderAsync(ct);
                long n = 0;
                while (await r.ReadAsync(ct))
                {
                    n++;
                    Geometry? g;
                    try { g = r.IsDBNull(columns.Count) ? null : ParseBinary((byte[])r.GetValue(columns.Count)); }
                    catch (Exception e) when (e is FormatException or ParseException or ArgumentException or InvalidCastException)
                    {
                        report.Reject(n, geometryColumn, $"the geometry cannot be read: {e.Message}");
                        continue;
                    }
                    if (UploadGeometry.Prepare(g, n, report, transform) is not { } ready) continue;
                    var row = new object?[columns.Count];
                    for (var i = 0; i < row.Length; i++)
                        row[i] = columns[i].Type == "DATE" && r.GetValue(i) is string s ? ValueTypes.Parse(s) : ValueTypes.FromClr(r.GetValue(i));
                    values.Add(row);
                    kept.Add((n, ready));
                }
            }
            return UploadTables.Build(values, columns.Select(c => c.Name).ToList(), untypedText: false, kept, report);
        }
        catch (SqliteException e) { throw report.Refuse($"The GeoPackage cannot be read: {e.Message}", $"El GeoPackage no se puede leer: {e.Message}"); }
    }

    /// <summary>The WKT of a GeoPackage srs_id: its gpkg_spatial_ref_sys definition, else the EPSG code it names.</summary>
    private static async Task<string> SrsDefinitionAsync(SqliteConnection conn, int srs, NpgsqlDataSource db, ImportReport report, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT definition, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = $id";
        cmd.Parameters.AddWithValue("$id", srs);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw report.Refuse($"srs_id {srs} is not in gpkg_spatial_ref_sys. " + UploadGeometry.AskEpsg, $"srs_id {srs} no está en gpkg_spatial_ref_sys. " + UploadGeometry.AskEpsgEs, "crs");
        if (r.GetString(1).Equals("EPSG", StringComparison.OrdinalIgnoreCase) && Crs.Supported.Any(c => c.Srid == r.GetInt32(2)))
            return await UploadGeometry.EpsgWktAsync(db, r.GetInt32(2), report, ct);
        return r.GetString(0);
    }
}
