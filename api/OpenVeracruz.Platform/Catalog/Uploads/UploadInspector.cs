using System.IO.Compression;
using System.Text;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>A file format the importer reads.</summary>
public sealed record UploadFormat(string Code, string Label, string MimeType);

/// <summary>
/// Checks an upload before anything is saved: its format (by extension or the format given, confirmed by its first
/// bytes), and for a zip the shapefile parts and the zip-bomb limits (entry count, uncompressed size).
/// </summary>
public static class UploadInspector
{
    public static readonly UploadFormat Csv = new("csv", "CSV", "text/csv");
    public static readonly UploadFormat GeoJson = new("geojson", "GeoJSON", "application/geo+json");
    public static readonly UploadFormat Shapefile = new("shapefile", "SHP", "application/zip");
    public static readonly UploadFormat GeoPackage = new("gpkg", "GeoPackage", "application/geopackage+sqlite3");
    public static readonly IReadOnlyList<UploadFormat> All = [Csv, GeoJson, Shapefile, GeoPackage];

    public const string Accepted = "CSV (.csv), GeoJSON (.geojson, .json), a zipped Shapefile (.zip with .shp, .shx and .dbf; .prj and .cpg optional) or GeoPackage (.gpkg)";
    public const string AcceptedEs = "CSV (.csv), GeoJSON (.geojson, .json), Shapefile comprimido (.zip con .shp, .shx y .dbf; .prj y .cpg opcionales) o GeoPackage (.gpkg)";

    private static readonly byte[] SqliteMagic = Encoding.ASCII.GetBytes("SQLite format 3\0");
    /// <summary>An OLE2 compound file: a legacy Excel .xls (or Word .doc).</summary>
    private static readonly byte[] Ole2Magic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    public static UploadFormat? Find(string code) => All.FirstOrDefault(f => f.Code == code);

    private static UploadFormat? ByName(string fileName, string? format)
    {
        var byExtension = Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".csv" or ".txt" or ".tsv" => Csv,
            ".geojson" or ".json" => GeoJson,
            ".zip" => Shapefile,
            ".gpkg" => GeoPackage,
            _ => null,
        };
        return byExtension ?? (format ?? "").Trim().ToLowerInvariant() switch
        {
            "csv" => Csv,
            "geojson" or "json" => GeoJson,
            "shp" or "shapefile" or "zip" => Shapefile,
            "gpkg" or "geopackage" => GeoPackage,
            _ => null,
        };
    }

    private static BadRequestException Reject(string message, string messageEs) => new(message, messageEs, "upload");

    /// <summary>The format of the upload; throws a <see cref="BadRequestException"/> on the "upload" field when it is not accepted.</summary>
    public static UploadFormat Inspect(string fileName, Stream content, long length, string? format, UploadOptions options)
    {
        if (length == 0) throw Reject("The file is empty.", "El archivo está vacío.");
        if (length > options.MaxUploadBytes)
            throw Reject($"The file is larger than the upload limit of {UploadOptions.MegaBytes(options.MaxUploadBytes)}.",
                         $"El archivo supera el límite de {UploadOptions.MegaBytes(options.MaxUploadBytes)}.");
        var kind = ByName(fileName, format)
            ?? throw Reject($"The format of '{fileName}' is not accepted. Accepted formats: {Accepted}.", $"El formato de '{fileName}' no se acepta. Formatos aceptados: {AcceptedEs}.");
        var head = new byte[64 * 1024];
        content.Position = 0;
        var n = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        content.Position = 0;
        var start = head.AsSpan(0, n);
        void Mismatch(string what) => throw Reject($"'{fileName}' does not hold {what}. Accepted formats: {Accepted}.", $"'{fileName}' no contiene {what}. Formatos aceptados: {AcceptedEs}.");
        if (kind == Csv)
        {
            var utf16 = start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]);
            // a stray NUL in a text export is removed at import and listed; many of them, or a zip, spreadsheet or database, are not text
            var binary = start.Count((byte)0) * 10 > n || start.StartsWith("PK"u8) || start.StartsWith(Ole2Magic) || start.StartsWith(SqliteMagic);
            if (!utf16 && binary) Mismatch("text (CSV)");
        }
        else if (kind == GeoJson)
        {
            var text = start.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? start[3..] : start;
            var i = 0;
            while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
            if (i == text.Length || text[i] != (byte)'{') Mismatch("a GeoJSON object");
        }
        else if (kind == GeoPackage)
        {
            if (!start.StartsWith(SqliteMagic)) Mismatch("a GeoPackage (SQLite) database");
        }
        else
        {
            if (!start.StartsWith("PK"u8)) Mismatch("a zip archive");
            CheckShapefileZip(fileName, content, options);
            content.Position = 0;
        }
        return kind;
    }

    /// <summary>The zip-bomb limits and the shapefile parts, read from the zip's directory (nothing is unpacked).</summary>
    public static string CheckShapefileZip(string fileName, Stream content, UploadOptions options)
    {
        try
        {
            using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > options.MaxZipEntries)
                throw Reject($"The zip holds {zip.Entries.Count} entries; at most {options.MaxZipEntries} are accepted.",
                             $"El zip contiene {zip.Entries.Count} archivos; se aceptan como máximo {options.MaxZipEntries}.");
            var declared = zip.Entries.Sum(e => e.Length);
            if (declared > options.MaxZipUncompressedBytes)
                throw Reject($"The zip unpacks to {UploadOptions.MegaBytes(declared)}; at most {UploadOptions.MegaBytes(options.MaxZipUncompressedBytes)} are accepted.",
                             $"El zip se descomprime a {UploadOptions.MegaBytes(declared)}; se aceptan como máximo {UploadOptions.MegaBytes(options.MaxZipUncompressedBytes)}.");
            var files = zip.Entries.Where(e => e.Name.Length > 0 && !e.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal)).Select(e => e.FullName).ToList();
            var shps = files.Where(f => f.EndsWith(".shp", StringComparison.OrdinalIgnoreCase)).ToList();
            if (shps.Count == 0)
                throw Reject($"The zip '{fileName}' holds no .shp file: a zipped Shapefile needs its .shp, .shx and .dbf.",
                             $"El zip '{fileName}' no contiene un archivo .shp: un Shapefile comprimido necesita sus .shp, .shx y .dbf.");
            if (shps.Count > 1)
                throw Reject($"The zip holds {shps.Count} shapefiles ({string.Join(", ", shps)}); upload one per resource.",
                             $"El zip contiene {shps.Count} shapefiles ({string.Join(", ", shps)}); suba uno por recurso.");
            var stem = shps[0][..^4];
            var missing = new[] { ".shx", ".dbf" }.Where(ext => !files.Any(f => f.Equals(stem + ext, StringComparison.OrdinalIgnoreCase))).ToList();
            if (missing.Count > 0)
                throw Reject($"The shapefile {shps[0]} lacks its {string.Join(" and ", missing)} file.", $"Al shapefile {shps[0]} le falta {string.Join(" y ", missing)}.");
            return shps[0];
        }
        catch (InvalidDataException)
        {
            throw Reject($"'{fileName}' is not a readable zip archive.", $"'{fileName}' no es un archivo zip legible.");
        }
    }

    /// <summary>
    /// Unpacks the shapefile's parts (same stem as the .shp) flat into a folder, counting the bytes really written:
    /// a zip that lies about its sizes is stopped at the limit. Returns the path of the .shp.
    /// </summary>
    public static string ExtractShapefile(string zipPath, string folder, UploadOptions options)
    {
        using var file = File.OpenRead(zipPath);
        var shp = CheckShapefileZip(Path.GetFileName(zipPath), file, options);
        file.Position = 0;
        using var zip = new ZipArchive(file, ZipArchiveMode.Read);
        var stem = shp[..^4];
        long written = 0;
        var buffer = new byte[81920];
        Directory.CreateDirectory(folder);
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith(stem + ".", StringComparison.OrdinalIgnoreCase) && e.FullName.LastIndexOf('.') == stem.Length))
        {
            // flat, fixed names: nothing in the zip chooses where a file lands
            var target = Path.Combine(folder, "layer" + Path.GetExtension(entry.FullName).ToLowerInvariant());
            using var input = entry.Open();
            using var output = File.Create(target);
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                written += read;
                if (written > options.MaxZipUncompressedBytes)
                    throw Reject($"The zip unpacks to more than {UploadOptions.MegaBytes(options.MaxZipUncompressedBytes)}.",
                                 $"El zip se descomprime a más de {UploadOptions.MegaBytes(options.MaxZipUncompressedBytes)}.");
                output.Write(buffer, 0, read);
            }
        }
        return Path.Combine(folder, "layer.shp");
    }
}
