using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>
/// Reads CQL2-JSON (OGC 21-065, its JSON Schema) into the same <see cref="Cql2Expr"/> as CQL2-text: {"op", "args"},
/// {"property"}, {"date"}, {"timestamp"}, {"interval"}, {"bbox"}, GeoJSON geometries, strings, numbers, booleans and
/// arrays (the list of "in"). Errors name the JSON path of the node (e.g. $.args[1].args[0]) or, for JSON that does not
/// parse, its line and byte. The reader's own depth limit stops a deep document before it is walked.
/// </summary>
public sealed class Cql2Json
{
    private int _nodes;

    public static Cql2Expr Parse(string text)
    {
        if (text.Length > Cql2Limits.MaxLength)
            throw new Cql2Exception($"The filter is longer than {Cql2Limits.MaxLength} characters", $"El filtro tiene más de {Cql2Limits.MaxLength} caracteres", "$");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = Cql2Limits.MaxDepth * 2 + 8 }); }
        catch (JsonException e)
        {
            var where = $"line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}";
            throw new Cql2Exception($"Invalid CQL2-JSON filter at {where}: not valid JSON, or nested too deeply",
                $"Filtro CQL2-JSON inválido en la línea {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: no es JSON válido o está anidado demasiado", where);
        }
        using (doc) return new Cql2Json().Read(doc.RootElement, "$");
    }

    private static Cql2Exception Bad(string path, string en, string es) =>
        new($"Invalid CQL2-JSON filter at {path}: {en}", $"Filtro CQL2-JSON inválido en {path}: {es}", path);

    private Cql2Expr Read(JsonElement e, string path)
    {
        if (++_nodes > Cql2Limits.MaxNodes)
            throw new Cql2Exception($"The filter has more than {Cql2Limits.MaxNodes} terms", $"El filtro tiene más de {Cql2Limits.MaxNodes} términos", path);
        switch (e.ValueKind)
        {
            case JsonValueKind.String: return new Cql2Literal(e.GetString(), Cql2LiteralKind.Text, -1);
            case JsonValueKind.True: return new Cql2Literal(true, Cql2LiteralKind.Boolean, -1);
            case JsonValueKind.False: return new Cql2Literal(false, Cql2LiteralKind.Boolean, -1);
            case JsonValueKind.Number:
                return e.TryGetDouble(out var d) && double.IsFinite(d)
                    ? new Cql2Literal(d, Cql2LiteralKind.Number, -1)
                    : throw Bad(path, "the number is out of range", "el número está fuera de rango");
            case JsonValueKind.Array:
                return new Cql2List(e.EnumerateArray().Select((x, i) => Read(x, $"{path}[{i}]")).ToList(), -1);
            case JsonValueKind.Object: return Object(e, path);
            default: throw Bad(path, "null is not a value of CQL2", "null no es un valor de CQL2");
        }
    }

    private Cql2Expr Object(JsonElement e, string path)
    {
        if (e.TryGetProperty("op", out var op))
        {
            if (op.ValueKind != JsonValueKind.String) throw Bad(path + ".op", "\"op\" is a string", "\"op\" es una cadena");
            var name = op.GetString()!;
            var args = e.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select((x, i) => Read(x, $"{path}.args[{i}]")).ToList()
                : throw Bad(path, "an operation has \"args\", an array", "una operación tiene \"args\", un arreglo");
            var lower = name.ToLowerInvariant();
            var (min, max) = lower switch
            {
                "and" or "or" => (2, int.MaxValue),
                "not" or "isnull" => (1, 1),
                "=" or "<>" or "<" or "<=" or ">" or ">=" or "like" or "in" or "+" or "-" or "*" or "/" or "%" or "div" or "^" => (2, 2),
                "between" => (3, 3),
                _ when Cql2Limits.Functions.TryGetValue(lower, out var arity) => arity,
                _ => throw Bad(path + ".op", $"unknown operator \"{(name.Length > 40 ? name[..40] : name)}\"", $"operador desconocido \"{(name.Length > 40 ? name[..40] : name)}\""),
            };
            if (args.Count < min || args.Count > max)
                throw Bad(path, $"\"{name}\" takes {(min == max ? min.ToString(CultureInfo.InvariantCulture) : $"at least {min}")} arguments, not {args.Count}",
                    $"\"{name}\" recibe {(min == max ? min.ToString(CultureInfo.InvariantCulture) : $"al menos {min}")} argumentos, no {args.Count}");
            if (lower == "in" && args[1] is not Cql2List)
                throw Bad(path + ".args[1]", "the second argument of \"in\" is an array", "el segundo argumento de \"in\" es un arreglo");
            return new Cql2Op(lower == "isnull" ? "isNull" : lower, args, -1);
        }
        if (e.TryGetProperty("property", out var p))
            return p.ValueKind == JsonValueKind.String ? new Cql2Property(p.GetString()!, -1) : throw Bad(path + ".property", "\"property\" is a string", "\"property\" es una cadena");
        if (e.TryGetProperty("date", out var date))
            return date.ValueKind == JsonValueKind.String ? Cql2Instants.Parse(date.GetString()!, true, Cql2Where.Path(path), -1) : throw Bad(path, "\"date\" is a string", "\"date\" es una cadena");
        if (e.TryGetProperty("timestamp", out var ts))
            return ts.ValueKind == JsonValueKind.String ? Cql2Instants.Parse(ts.GetString()!, false, Cql2Where.Path(path), -1) : throw Bad(path, "\"timestamp\" is a string", "\"timestamp\" es una cadena");
        if (e.TryGetProperty("interval", out var iv))
        {
            if (iv.ValueKind != JsonValueKind.Array || iv.GetArrayLength() != 2)
                throw Bad(path + ".interval", "\"interval\" is an array of 2 instants", "\"interval\" es un arreglo de 2 instantes");
            var ends = iv.EnumerateArray().Select((x, i) => x.ValueKind == JsonValueKind.String
                ? x.GetString() == ".." ? new Cql2Literal(null, Cql2LiteralKind.Unbounded, -1) : Cql2Instants.Parse(x.GetString()!, null, Cql2Where.Path($"{path}.interval[{i}]"), -1)
                : Read(x, $"{path}.interval[{i}]")).ToList();
            return new Cql2Interval(ends[0], ends[1], -1);
        }
        if (e.TryGetProperty("bbox", out var bbox))
        {
            if (bbox.ValueKind != JsonValueKind.Array || bbox.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !double.IsFinite(x.GetDouble())))
                throw Bad(path + ".bbox", "\"bbox\" is an array of numbers", "\"bbox\" es un arreglo de números");
            return new Cql2Geometry(Cql2Geometries.BBox(bbox.EnumerateArray().Select(x => x.GetDouble()).ToList(), Cql2Where.Path(path)), -1);
        }
        if (e.TryGetProperty("type", out _) && (e.TryGetProperty("coordinates", out _) || e.TryGetProperty("geometries", out _)))
        {
            Geometry? g;
            try { g = GeoJson.Read(e.GetRawText()); }
            catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException or IndexOutOfRangeException)
            { g = null; }
            if (g is null || g.IsEmpty || g.Coordinates.Any(c => !double.IsFinite(c.X) || !double.IsFinite(c.Y)))
                throw Bad(path, "not a valid GeoJSON geometry", "no es una geometría GeoJSON válida");
            if (g is Polygon or MultiPolygon && !((IEnumerable<Geometry>)(g is MultiPolygon mp ? mp.Geometries : [g])).All(x => ((Polygon)x).Shell.IsClosed))
                throw Bad(path, "each ring of a polygon is closed", "cada anillo de un polígono es cerrado");
            return new Cql2Geometry(g, -1);
        }
        throw Bad(path, "expected an operation {\"op\",\"args\"}, {\"property\"}, {\"date\"}, {\"timestamp\"}, {\"interval\"}, {\"bbox\"} or a GeoJSON geometry",
            "se esperaba una operación {\"op\",\"args\"}, {\"property\"}, {\"date\"}, {\"timestamp\"}, {\"interval\"}, {\"bbox\"} o una geometría GeoJSON");
    }
}
