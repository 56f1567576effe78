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

        Cql2Expr? tree = null;
        if (QueryArgs.Get(req, "filter") is { } text)
        {
            try
            {
                tree = lang == "cql2-json" ? Cql2Json.Parse(text) : Cql2Text.Parse(text);
                Cql2Sql.Check(l, crs, tree);
            }
            catch (Cql2Exception e) { throw Invalid("filter", e.Message, e.MessageEs); }
        }
        else if (req.Query.ContainsKey("filter-lang") || req.Query.ContainsKey("filter-crs"))
            throw Invalid(req.Query.ContainsKey("filter-lang") ? "filter-lang" : "filter-crs", "filter-lang and filter-crs go with a filter", "filter-lang y filter-crs acompañan a un filtro");

        if (Datetime(req, l) is { } during) tree = tree is null ? during : new Cql2Op("and", [tree, during], -1);
        Func<NpgsqlCommand, string>? condition = tree is null ? null : cmd => Cql2Sql.Condition(l, crs, tree, cmd);
        return new OgcFilter(condition, ReadSort(req, l), ReadSelect(req, l), tree is not null && Arithmetic(tree));
    }

    /// <summary>The one date property of a layer that keeps no versions: what Part 1's datetime selects on.</summary>
    public static LayerPropertyManifest? DateProperty(LayerDefinition l)
    {
        if (LayerSql.HasVersions(l)) return null;
        var dates = l.Properties.Where(p => p.Type == "date").Take(2).ToList();
        return dates.Count == 1 ? dates[0] : null;
    }

    /// <summary>
    /// Part 1's datetime on a dated layer (one date property, no versions): an instant, or an interval "start/end" whose
    /// ends may be open ("..", or nothing), selects the features whose date falls in it, ends included — as
    /// T_INTERSECTS(day, INTERVAL(start, end)). This is what QGIS 3.22 sends for the comparisons of its subset string on
    /// a date field ("day" &gt;= '2026-01-01' → datetime=2026-01-01/9999-12-31T00:00:00Z), dropping them from what it
    /// evaluates itself; it writes an open start as 0000-01-01T00:00:00Z, read here as open. A layer with several dates
    /// refuses datetime (which one it means is not known); versioned layers read it as an instant (OgcEndpoints.AsOf);
    /// layers without dates ignore it, as Part 1 lets a server do.
    /// </summary>
    private static Cql2Op? Datetime(HttpRequest req, LayerDefinition l)
    {
        if (QueryArgs.Get(req, "datetime") is not { } text || LayerSql.HasVersions(l)) return null;
        if (DateProperty(l) is not { } day)
        {
            var dates = l.Properties.Where(p => p.Type == "date").Select(p => p.Name).ToList();
            if (dates.Count == 0) return null;
            throw Invalid("datetime", $"'{l.Id}' has several dates ({string.Join(", ", dates)}): say which with filter=T_INTERSECTS({dates[0]}, INTERVAL('2026-01-01','2026-01-31'))",
                $"'{l.Id}' tiene varias fechas ({string.Join(", ", dates)}): indique cuál con filter=T_INTERSECTS({dates[0]}, INTERVAL('2026-01-01','2026-01-31'))");
        }
        var ends = text.Split('/');
        if (ends.Length > 2 || ends.All(e => e is "" or ".."))
            throw BadDatetime(text);
        try
        {
            Cql2Expr End(string e) => e is "" or ".." || (ends.Length == 2 && e.StartsWith("0000-", StringComparison.Ordinal))
                ? new Cql2Literal(null, Cql2LiteralKind.Unbounded, -1)
                : Cql2Instants.Parse(e, null, Cql2Where.Path("datetime"), -1);
            Cql2Expr period = ends.Length == 1 ? End(ends[0]) : new Cql2Interval(End(ends[0]), End(ends[1]), -1);
            var during = new Cql2Op("t_intersects", [new Cql2Property(day.Name, -1), period], -1);
            Cql2Sql.Check(l, Crs.Crs84, during);
            return during;
        }
        catch (Cql2Exception) { throw BadDatetime(text); }
    }

    private static BadRequestException BadDatetime(string text)
    {
        var shown = text.Length > 60 ? text[..60] : text;
        return Invalid("datetime", $"datetime '{shown}' must be a date (2026-01-31), an RFC 3339 instant (2026-01-31T12:00:00Z) or an interval of them (2026-01-01/2026-01-31, '..' an open end)",
            $"datetime '{shown}' debe ser una fecha (2026-01-31), un instante RFC 3339 (2026-01-31T12:00:00Z) o un intervalo de ellos (2026-01-01/2026-01-31, '..' un extremo abierto)");
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
