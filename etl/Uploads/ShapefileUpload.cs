using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Shapefiles.Readers;
using Npgsql;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Catalog.Uploads;
using ProjNet.CoordinateSystems.Transformations;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>
/// Reads a zipped Shapefile: unpacked with the zip-bomb limits, the DBF in the .cpg's encoding (Windows-1252 when
/// there is none), coordinates reprojected from the .prj (or the EPSG code given) to longitude/latitude.
/// </summary>
public static class ShapefileUpload
{
    static ShapefileUpload() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The encoding a .cpg names; Windows-1252 when it names none the platform knows.</summary>
    public static Encoding CodePage(string? cpg, ImportReport report)
    {
        if (string.IsNullOrWhiteSpace(cpg)) return Encoding.GetEncoding(1252);
        var name = cpg.Trim().ToUpperInvariant().Replace("ANSI ", "").Replace("CP", "");
        if (name is "UTF-8" or "UTF8" or "65001") return new UTF8Encoding(false);
        if (name is "88591" or "ISO-8859-1" or "ISO88591" or "LATIN1") return Encoding.Latin1;
        try { return int.TryParse(name, out var page) ? Encoding.GetEncoding(page) : Encoding.GetEncoding(cpg.Trim()); }
        catch (ArgumentException)
        {
            report.Note(0, "cpg", $"the .cpg names an unknown encoding '{cpg.Trim()}'; the DBF was read as Windows-1252");
            return Encoding.GetEncoding(1252);
        }
    }

    public static async Task<UploadedTable> ReadAsync(string zipPath, int? epsg, UploadOptions options, NpgsqlDataSource db, ImportReport report, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ov-shp-" + Guid.NewGuid().ToString("N"));
        try
        {
            string shp;
            try { shp = UploadInspector.ExtractShapefile(zipPath, folder, options); }
            catch (BadRequestException e) { throw report.Refuse(e.Message, e.MessageEs); }
            var cpg = Path.ChangeExtension(shp, ".cpg");
            var prj = Path.ChangeExtension(shp, ".prj");
            var encoding = CodePage(File.Exists(cpg) ? await File.ReadAllTextAsync(cpg, ct) : null, report);
            MathTransform? transform = null;
            if (epsg is { } code) transform = UploadGeometry.TransformFrom(await UploadGeometry.EpsgWktAsync(db, code, report, ct), $"EPSG:{code}", report);
            else if (File.Exists(prj)) transform = UploadGeometry.TransformFrom(await File.ReadAllTextAsync(prj, ct), ".prj", report);

            var titles = new List<string>();
            var values = new List<object?[]>();
            var kept = new List<(long Row, Geometry Geometry)>();
            using var reader = Shapefile.OpenRead(shp, new ShapefileReaderOptions { Encoding = encoding, GeometryBuilderMode = GeometryBuilderMode.IgnoreInvalidShapes });
            for (var i = 0; i < reader.Fields.Count; i++) titles.Add(reader.Fields[i].Name);
            if (transform is null && epsg is null && !File.Exists(prj) && !LooksGeographic(reader.BoundingBox))
                throw report.Refuse("The shapefile has no .prj and its coordinates are not longitudes and latitudes. " + UploadGeometry.AskEpsg,
                    "El shapefile no tiene .prj y sus coordenadas no son longitudes y latitudes. " + UploadGeometry.AskEpsgEs, "crs");
            long n = 0;
            while (reader.Read(out var deleted))
            {
                n++;
                if (deleted) continue;
                if (UploadGeometry.Prepare(reader.Geometry, n, report, transform) is not { } ready) continue;
                var row = new object?[titles.Count];
                for (var i = 0; i < row.Length; i++) row[i] = ValueTypes.FromClr(reader.Fields[i].Value);
                values.Add(row);
                kept.Add((n, ready));
            }
            return UploadTables.Build(values, titles, untypedText: false, kept, report);
        }
        // what the .shp, .shx and .dbf readers throw on a damaged or foreign file (an unknown dBASE version is NotSupported):
        // the file will never read better, so it is refused, not retried
        catch (Exception e) when (e is ShapefileException or NotSupportedException or InvalidDataException or EndOfStreamException or ArgumentException
                                  or FormatException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            throw report.Refuse($"The shapefile cannot be read (.shp, .shx or .dbf): {e.Message}", $"El shapefile no se puede leer (.shp, .shx o .dbf): {e.Message}");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static bool LooksGeographic(Envelope box) =>
        box.IsNull || box.MinX >= -180 && box.MaxX <= 180 && box.MinY >= -90 && box.MaxY <= 90;
}
