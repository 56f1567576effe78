using System.Text.Json;
using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>Reads an uploaded GeoJSON FeatureCollection (RFC 7946, longitude/latitude); features are numbered from 1 in the report.</summary>
public static class GeoJsonUpload
{
    public static UploadedTable Read(byte[] bytes, ImportReport report)
    {
        JsonDocument doc;
        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try { doc = JsonDocument.Parse(bytes.AsMemory(start), new JsonDocumentOptions { MaxDepth = 256 }); }
        catch (JsonException e) { throw report.Refuse($"The file is not valid JSON (line {e.LineNumber + 1}): {e.Message}", $"El archivo no es JSON válido (línea {e.LineNumber + 1})."); }
        using (doc)
        {
            var root = doc.RootElement;
            var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type != "FeatureCollection")
                throw report.Refuse($"The GeoJSON must be a FeatureCollection; this one is {(type is null ? "not a GeoJSON object" : "a " + type)}.",
                    $"El GeoJSON debe ser una FeatureCollection; este {(type is null ? "no es un objeto GeoJSON" : "es un " + type)}.", "type");
            if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
                throw report.Refuse("The FeatureCollection has no features array.", "La FeatureCollection no tiene un arreglo features.", "features");

            var titles = new List<string>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var rows = new List<Dictionary<int, object?>>();
            var kept = new List<(long Row, Geometry Geometry)>();
            long n = 0;
            foreach (var f in features.EnumerateArray())
            {
                n++;
                if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("type", out var ft) || ft.ValueKind != JsonValueKind.String || ft.GetString() != "Feature")
                {
                    report.Reject(n, "type", "not a Feature");
                    continue;
                }
                Geometry? g = null;
                if (f.TryGetProperty("geometry", out var geometry) && geometry.ValueKind == JsonValueKind.Object)
                {
                    try { g = GeoJson.Read(geometry.GetRawText()); }
                    catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
                    {
                        report.Reject(n, "geometry", $"the geometry cannot be read: {e.Message}");
                        continue;
                    }
                }
                if (UploadGeometry.Prepare(g, n, report) is not { } ready) continue;
                List<(string Name, object? Value)> properties = [];
                try
                {
                    if (f.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
                        // a NUL in a name is removed here, so "a\u0000b" and "ab" are one column
                        properties = props.EnumerateObject().Select(p => (report.Storable(p.Name, n, p.Name), ValueTypes.FromJson(p.Value))).ToList();
                }
                catch (InvalidOperationException)
                {
                    report.Reject(n, "properties", "a property holds an escaped lone surrogate (\\uD800 to \\uDFFF), which is not text");
                    continue;
                }
                var values = new Dictionary<int, object?>();
                foreach (var (name, value) in properties)
                {
                    if (!index.TryGetValue(name, out var col)) { index[name] = col = titles.Count; titles.Add(name); }
                    values[col] = value;
                }
                rows.Add(values);
                kept.Add((n, ready));
            }
            var table = rows.Select(r => Enumerable.Range(0, titles.Count).Select(i => r.GetValueOrDefault(i)).ToArray()).ToList();
            return UploadTables.Build(table, titles, untypedText: false, kept, report);
        }
    }
}
