using Microsoft.AspNetCore.Http;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>
/// Part 3's parameters of the items request: filter (CQL2-text or CQL2-JSON), filter-lang, filter-crs, and the two that
/// shape the answer: sortby (+/- queryable properties) and properties (a subset of the public properties). Everything is
/// read and type-checked here, before a connection is opened: a bad filter is a 400 with where it went wrong.
/// </summary>
public sealed record OgcFilter(Func<NpgsqlCommand, string>? Condition, IReadOnlyList<(LayerPropertyManifest, bool)>? Sort, IReadOnlyList<LayerPropertyManifest>? Select,
    bool HasArithmetic = false)
{
    /// <summary>
    /// Arithmetic can fail on a row the database reaches late (an overflow): such a filter is counted before the page is
    /// written, so the failure is a 400 and never a response cut in the middle.
    /// </summary>
    private static bool Arithmetic(Cql2Expr e) => e switch
    {
        Cql2Op { Op: "+" or "-" or "*" or "/" or "%" or "div" or "^" } => true,
        Cql2Op op => op.Args.Any(Arithmetic),
        Cql2List list => list.Items.Any(Arithmetic),
        Cql2Interval iv => Arithmetic(iv.Start) || Arithmetic(iv.End),
        _ => false,
    };

    public static readonly string[] Parameters = ["filter", "filter-lang", "filter-crs", "sortby", "properties"];

    /// <summary>The languages of filter-lang; "cql-text" is what GDAL 3.6's OAPIF driver asks for (CQL2-text for what it sends).</summary>
    public static readonly string[] Languages = ["cql2-text", "cql2-json", "cql-text"];

    private static BadRequestException Invalid(string parameter, string en, string es) => new(en, es, parameter, 400, "InvalidParameterValue");

    public static OgcFilter Read(HttpRequest req, LayerDefinition l)
    {
        var lang = QueryArgs.Get(req, "filter-lang") ?? "cql2-text";
        if (!Languages.Contains(lang))
            throw Invalid("filter-lang", $"filter-lang '{lang}' is not offered; use cql2-text or cql2-json", $"filter-lang '{lang}' no se ofrece; use cql2-text o cql2-json");
        var crsText = QueryArgs.Get(req, "filter-crs");
        var crs = crsText is null ? Crs.Crs84 : Crs.Find(crsText) ?? throw Invalid("filter-crs",
            $"CRS '{crsText}' is not supported; use one of: {string.Join(", ", Crs.Supported.Select(c => c.Uri))}",
            $"El sistema de referencia '{crsText}' no está soportado; use uno de: {string.Join(", ", Crs.Supported.Select(c => c.Uri))}");

        Func<NpgsqlCommand, string>? condition = null;
        var arithmetic = false;
        if (QueryArgs.Get(req, "filter") is { } text)
        {
            try
            {
                var tree = lang == "cql2-json" ? Cql2Json.Parse(text) : Cql2Text.Parse(text);
                Cql2Sql.Check(l, crs, tree);
                condition = cmd => Cql2Sql.Condition(l, crs, tree, cmd);
                arithmetic = Arithmetic(tree);
            }
            catch (Cql2Exception e) { throw Invalid("filter", e.Message, e.MessageEs); }
        }
        else if (req.Query.ContainsKey("filter-lang") || req.Query.ContainsKey("filter-crs"))
            throw Invalid(req.Query.ContainsKey("filter-lang") ? "filter-lang" : "filter-crs", "filter-lang and filter-crs go with a filter", "filter-lang y filter-crs acompañan a un filtro");

        return new OgcFilter(condition, ReadSort(req, l), ReadSelect(req, l), arithmetic);
    }

    private static LayerPropertyManifest Property(LayerDefinition l, string parameter, string name) =>
        l.Properties.FirstOrDefault(p => p.Name == name) ?? throw Invalid(parameter,
            $"'{(name.Length > 60 ? name[..60] : name)}' is not a property of '{l.Id}'; the properties are {string.Join(", ", l.Properties.Select(p => p.Name))}",
            $"'{(name.Length > 60 ? name[..60] : name)}' no es una propiedad de '{l.Id}'; las propiedades son {string.Join(", ", l.Properties.Select(p => p.Name))}");

    private static List<(LayerPropertyManifest, bool)>? ReadSort(HttpRequest req, LayerDefinition l)
    {
        if (QueryArgs.Get(req, "sortby") is not { } text) return null;
        var sort = new List<(LayerPropertyManifest, bool)>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            // "+" arrives as a space when the client did not encode it
            var descending = raw.StartsWith('-');
            var name = raw.TrimStart('+', '-', ' ');
            var p = Property(l, "sortby", name);
            if (sort.Any(s => s.Item1 == p)) throw Invalid("sortby", $"sortby names '{name}' twice", $"sortby nombra '{name}' dos veces");
            sort.Add((p, descending));
        }
        return sort;
    }

    private static List<LayerPropertyManifest>? ReadSelect(HttpRequest req, LayerDefinition l)
    {
        if (QueryArgs.Get(req, "properties") is not { } text) return null;
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToHashSet();
        foreach (var n in names) Property(l, "properties", n);
        return l.Properties.Where(p => names.Contains(p.Name)).ToList();
    }
}
