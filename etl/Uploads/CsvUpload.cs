using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>
/// Reads an uploaded CSV: encoding (UTF-8 with or without BOM, else Windows-1252), delimiter (, ; tab |), header,
/// geometry from longitude/latitude columns or a WKT column, column types. Bad rows are rejected into the report.
/// </summary>
public static class CsvUpload
{
    private static readonly string[] LonNames = ["lon", "lng", "long", "longitud", "longitude", "x"];
    private static readonly string[] LatNames = ["lat", "latitud", "latitude", "y"];
    private static readonly string[] WktNames = ["wkt", "geometry", "geom", "the_geom", "geometria"];

    static CsvUpload() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>UTF-8 (BOM or valid UTF-8), UTF-16 with a BOM, else Windows-1252 (a superset of Latin-1's letters).</summary>
    public static string Decode(byte[] bytes)
    {
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2);
        return System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.GetEncoding(1252).GetString(bytes);
    }

    /// <summary>The delimiter that appears most often in the header line outside quotes (comma on a tie).</summary>
    public static char Delimiter(string text)
    {
        var counts = new Dictionary<char, int> { [','] = 0, [';'] = 0, ['\t'] = 0, ['|'] = 0 };
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && c is '\n' or '\r') break;
            else if (!quoted && counts.ContainsKey(c)) counts[c]++;
        }
        return counts.OrderByDescending(kv => kv.Value).First().Key;
    }

    /// <summary>RFC 4180 records with the line each starts on; blank lines are skipped. An unclosed quote refuses the file.</summary>
    public static IEnumerable<(long Line, List<string> Fields)> Records(string text, char delimiter, ImportReport report)
    {
        var i = 0;
        long line = 1;
        while (i < text.Length)
        {
            var start = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            var atFieldStart = true;
            var ended = false;
            while (i < text.Length && !ended)
            {
                var c = text[i++];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i < text.Length && text[i] == '"') { field.Append('"'); i++; }
                        else quoted = false;
                    }
                    else
                    {
                        if (c == '\n' || c == '\r' && (i >= text.Length || text[i] != '\n')) line++;
                        field.Append(c);
                    }
                }
                else if (c == '"' && atFieldStart) { quoted = true; atFieldStart = false; }
                else if (c == delimiter) { fields.Add(field.ToString()); field.Clear(); atFieldStart = true; }
                else if (c is '\r' or '\n')
                {
                    if (c == '\r' && i < text.Length && text[i] == '\n') i++;
                    line++;
                    ended = true;
                }
                else { field.Append(c); atFieldStart = false; }
            }
            if (quoted)
                throw report.Refuse($"Line {start}: a quoted field is never closed (a \" is missing before the end of the file).",
                    $"Línea {start}: un campo entre comillas nunca se cierra (falta una \" antes del final del archivo).", "file");
            fields.Add(field.ToString());
            if (fields.Count == 1 && fields[0].Length == 0) continue;
            yield return (start, fields);
        }
    }

    private static int Find(IReadOnlyList<string> plainHeader, string[] names)
    {
        foreach (var n in names)
        {
            var i = plainHeader.ToList().IndexOf(n);
            if (i >= 0) return i;
        }
        return -1;
    }

    /// <summary>A coordinate, with a decimal comma accepted when it is the only separator (19,17 in a ;-separated file).</summary>
    private static bool Coordinate(string text, out double value)
    {
        var s = text.Trim();
        if (s.Contains(',') && !s.Contains('.') && s.Count(c => c == ',') == 1) s = s.Replace(',', '.');
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private static string Shown(string s) => s.Length > 40 ? s[..40] + "…" : s;

    public static UploadedTable Read(byte[] bytes, ImportReport report)
    {
        var text = Decode(bytes);
        var delimiter = Delimiter(text);
        using var records = Records(text, delimiter, report).GetEnumerator();
        if (!records.MoveNext())
            throw report.Refuse("The file has no header line: the first line must name the columns.", "El archivo no tiene encabezado: la primera línea debe nombrar las columnas.", "header");
        var header = records.Current.Fields.Select(h => report.Storable(h.Trim(), records.Current.Line, h.Trim())).ToList();
        if (header.All(h => h.Length == 0)) throw report.Refuse("The header line names no column.", "El encabezado no nombra ninguna columna.", "header");
        var plain = header.Select(ColumnNames.Plain).ToList();
        int lon = Find(plain, LonNames), lat = Find(plain, LatNames), wkt = -1;
        if (lon < 0 || lat < 0)
        {
            (lon, lat) = (-1, -1);
            wkt = Find(plain, WktNames);
            if (wkt < 0)
                throw report.Refuse($"No geometry columns: name them longitude and latitude (or lon/lat, longitud/latitud, x/y), or give the geometry as WKT in a column named wkt. The header has: {string.Join(", ", header)}.",
                    $"No hay columnas de geometría: nómbrelas longitud y latitud (o lon/lat, longitude/latitude, x/y), o dé la geometría en WKT en una columna llamada wkt. El encabezado tiene: {string.Join(", ", header)}.", "header");
        }
        var geometryColumns = new HashSet<int> { lon, lat, wkt };
        var keep = Enumerable.Range(0, header.Count).Where(i => !geometryColumns.Contains(i)).ToList();
        var wktReader = new WKTReader(GeoJson.Factory.GeometryServices);
        var values = new List<object?[]>();
        var kept = new List<(long Line, Geometry Geometry)>();
        while (records.MoveNext())
        {
            var line = records.Current.Line;
            // a NUL is never data: removed (and listed) before the coordinates are read, so the row still loads
            var fields = records.Current.Fields.Select((v, i) => report.Storable(v, line, i < header.Count ? header[i] : "")).ToList();
            if (fields.Count > header.Count && fields.Skip(header.Count).All(f => f.Trim().Length == 0)) fields = fields[..header.Count];
            if (fields.Count != header.Count)
            {
                report.Reject(line, "", $"the row has {fields.Count} fields, the header {header.Count}");
                continue;
            }
            Geometry? g;
            if (wkt >= 0)
            {
                try { g = wktReader.Read(fields[wkt]); }
                catch (Exception e) when (e is ParseException or ArgumentException or FormatException)
                {
                    report.Reject(line, header[wkt], $"'{Shown(fields[wkt])}' is not WKT");
                    continue;
                }
            }
            else
            {
                if (!Coordinate(fields[lon], out var x)) { report.Reject(line, header[lon], $"'{Shown(fields[lon])}' is not a longitude"); continue; }
                if (!Coordinate(fields[lat], out var y)) { report.Reject(line, header[lat], $"'{Shown(fields[lat])}' is not a latitude"); continue; }
                if (y is < -90 or > 90) { report.Reject(line, header[lat], $"latitude {y.ToString(CultureInfo.InvariantCulture)} is outside -90..90"); continue; }
                if (x is < -180 or > 180) { report.Reject(line, header[lon], $"longitude {x.ToString(CultureInfo.InvariantCulture)} is outside -180..180"); continue; }
                g = GeoJson.Factory.CreatePoint(new Coordinate(x, y));
            }
            if (UploadGeometry.Prepare(g, line, report) is not { } ready) continue;
            values.Add(keep.Select(i => (object?)fields[i]).ToArray());
            kept.Add((line, ready));
        }
        return UploadTables.Build(values, keep.Select(i => header[i]).ToList(), untypedText: true, kept, report);
    }
}

/// <summary>The last step every reader shares: column types, the layer's geometry type, the rows.</summary>
public static class UploadTables
{
    public static UploadedTable Build(List<object?[]> values, IReadOnlyList<string> titles, bool untypedText, List<(long Row, Geometry Geometry)> geometries, ImportReport report)
    {
        if (geometries.Count == 0)
            throw report.Rejected > 0
                ? report.Refuse($"No valid row remains: all {report.Rejected} rows were rejected (see the report).", $"No queda ninguna fila válida: las {report.Rejected} filas fueron rechazadas (vea el informe).", "file")
                : report.Refuse("The file holds no rows.", "El archivo no contiene filas.", "file");
        // the readers hand over text as the file had it: what PostgreSQL cannot store is removed here, for every format
        titles = titles.Select(t => report.Storable(t, 0, t)).ToList();
        for (var i = 0; i < values.Count; i++)
            for (var c = 0; c < values[i].Length; c++)
                if (values[i][c] is string s) values[i][c] = report.Storable(s, geometries[i].Row, titles[c]);
        var columns = ValueTypes.Resolve(values, titles, untypedText);
        var type = UploadGeometry.LayerType(geometries.Select(g => g.Geometry));
        var rows = new List<UploadedRow>(values.Count);
        for (var i = 0; i < values.Count; i++)
            rows.Add(new UploadedRow(geometries[i].Row, values[i], UploadGeometry.Conform(geometries[i].Geometry, type)));
        return new UploadedTable(columns, rows, type, report);
    }
}
