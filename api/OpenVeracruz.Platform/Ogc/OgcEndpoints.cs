using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Tiles;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>OGC API – Features Part 1 (core, GeoJSON, OpenAPI 3.0), Part 2 (CRS) and Part 3 queryables, at /ogc.</summary>
public static class OgcEndpoints
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 10_000;
    public const string GeoJson = "application/geo+json";
    public const string OpenApiType = "application/vnd.oai.openapi+json;version=3.0";

    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
        .. Cql2Conformance.Classes,
        .. TileEndpoints.ConformanceClasses,
    ];

    private static readonly HashSet<string> ItemParams = ["limit", "offset", "bbox", "bbox-crs", "crs", "f", "datetime", .. OgcFilter.Parameters];

    public static IEndpointRouteBuilder MapOgcEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/ogc").WithTags("OGC API – Features").ExcludeFromDescription();
        g.MapGet("", Landing);
        g.MapGet("/conformance", () => Results.Json(new { conformsTo = ConformanceClasses }));
        g.MapGet("/api", (HttpRequest req, LayerRegistry reg) => Results.Text(OgcOpenApi.Build(Base(req), reg).ToJsonString(), OpenApiType, Encoding.UTF8));
        g.MapGet("/collections", Collections);
        g.MapGet("/collections/{id}", Collection);
        g.MapGet("/collections/{id}/queryables", (string id, HttpRequest req, LayerRegistry reg) => Schema(req, reg, id, "queryables", OgcSchemas.Queryables));
        g.MapGet("/collections/{id}/schema", (string id, HttpRequest req, LayerRegistry reg) => Schema(req, reg, id, "schema", OgcSchemas.Returnables));
        g.MapGet("/collections/{id}/feature-schema", (string id, HttpRequest req, LayerRegistry reg) => Schema(req, reg, id, "feature-schema", OgcSchemas.Feature));
        g.MapGet("/collections/{id}/items", Items).RequireRateLimiting(OgcFeature.QueryLimiter);
        g.MapGet("/collections/{id}/items/{featureId}", Item).RequireRateLimiting(OgcFeature.QueryLimiter);
        return app;
    }

    internal static string Base(HttpRequest req) => $"{req.Scheme}://{req.Host}{req.PathBase}/ogc";

    /// <summary>Appends a link object as <see cref="Link"/> writes it (same members, same escaping), with a comma before all but the first.</summary>
    private static void LinkJson(StringBuilder sb, string href, string rel, string type, string title)
    {
        if (sb.Length > 1) sb.Append(',');
        sb.Append("{\"href\":\"").Append(JsonEncodedText.Encode(href).Value).Append("\",\"rel\":\"").Append(JsonEncodedText.Encode(rel).Value)
          .Append("\",\"type\":\"").Append(JsonEncodedText.Encode(type).Value).Append("\",\"title\":\"").Append(JsonEncodedText.Encode(title).Value).Append("\"}");
    }

    private static JsonObject Link(string href, string rel, string type, string? title = null)
    {
        var o = new JsonObject { ["href"] = href, ["rel"] = rel, ["type"] = type };
        if (title is not null) o["title"] = title;
        return o;
    }

    private static IResult Landing(HttpRequest req)
    {
        var b = Base(req);
        return Results.Json(new JsonObject
        {
            ["title"] = "OpenVeracruz — OGC API – Features",
            ["description"] = "Capas geográficas abiertas del municipio de Veracruz: catastro (sintético), límites y localidades del INEGI.",
            ["links"] = new JsonArray(
                Link(b, "self", "application/json", "Esta página / This document"),
                Link(b + "/api", "service-desc", OpenApiType, "Definición OpenAPI 3.0"),
                Link(b + "/conformance", "conformance", "application/json", "Clases de conformidad"),
                Link(b + "/collections", "data", "application/json", "Colecciones"),
                Link(b + "/tileMatrixSets", TileEndpoints.TilingSchemesRel, "application/json", "Conjuntos de matrices de teselas")),
        });
    }

    private static LayerDefinition FindLayer(LayerRegistry reg, string id) =>
        reg.Find(id) ?? throw new BadRequestException($"Collection '{id}' does not exist", $"La colección '{id}' no existe", "collectionId", 404, "NotFound");

    internal static async Task<double[]> ExtentAsync(LayerRegistry reg, NpgsqlDataSource ds, LayerDefinition layer) =>
        await reg.ExtentAsync(layer, async l =>
        {
            await using var conn = await ds.OpenConnectionAsync();
            await using var cmd = LayerSql.Extent(conn, l);
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            return r.IsDBNull(0) ? [-180, -90, 180, 90] : [Math.Round(r.GetDouble(0), 6), Math.Round(r.GetDouble(1), 6), Math.Round(r.GetDouble(2), 6), Math.Round(r.GetDouble(3), 6)];
        });

    private static async Task<JsonObject> CollectionJson(string b, LayerRegistry reg, NpgsqlDataSource ds, LayerDefinition l)
    {
        var extent = await ExtentAsync(reg, ds, l);
        var self = $"{b}/collections/{l.Id}";
        return new JsonObject
        {
            ["id"] = l.Id,
            ["title"] = l.Title,
            ["description"] = l.Description,
            ["itemType"] = "feature",
            ["attribution"] = l.Dataset.License.Attribution,
            ["extent"] = new JsonObject
            {
                ["spatial"] = new JsonObject { ["bbox"] = new JsonArray(new JsonArray(extent.Select(v => (JsonNode)v).ToArray())), ["crs"] = Crs.Crs84.Uri },
            },
            ["crs"] = new JsonArray(Crs.Supported.Select(c => (JsonNode)c.Uri).ToArray()),
            ["storageCrs"] = Crs.Crs84.Uri,
            ["links"] = new JsonArray(
                Link(self, "self", "application/json", l.Title),
                Link(self + "/items", "items", GeoJson, "Elementos en GeoJSON"),
                Link(self + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", OgcSchemas.MediaType, "Propiedades consultables"),
                Link(self + "/schema", "http://www.opengis.net/def/rel/ogc/1.0/schema", OgcSchemas.MediaType, "Esquema de las propiedades"),
                // "describedBy" spelt as GDAL 3.6 compares it (relation types are case-insensitive, RFC 8288)
                Link(self + "/feature-schema", "describedBy", OgcSchemas.MediaType, "Esquema JSON de un elemento GeoJSON"),
                Link(l.Dataset.License.Url, "license", "text/html", l.Dataset.License.Title),
                TileEndpoints.CollectionLink(self)),
        };
    }

    private static async Task<IResult> Collections(HttpRequest req, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource ds)
    {
        var b = Base(req);
        var list = new JsonArray();
        foreach (var l in reg.All) list.Add(await CollectionJson(b, reg, ds, l));
        return Results.Json(new JsonObject
        {
            ["links"] = new JsonArray(Link(b + "/collections", "self", "application/json")),
            ["collections"] = list,
        });
    }

    private static async Task<IResult> Collection(string id, HttpRequest req, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource ds) =>
        Results.Json(await CollectionJson(Base(req), reg, ds, FindLayer(reg, id)));

    private static IResult Schema(HttpRequest req, LayerRegistry reg, string id, string path, Func<string, LayerDefinition, JsonObject> build)
    {
        var l = FindLayer(reg, id);
        return Results.Text(build($"{Base(req)}/collections/{l.Id}/{path}", l).ToJsonString(), OgcSchemas.MediaType, Encoding.UTF8);
    }

    private static BadRequestException Invalid(string parameter, string en, string es) => new(en, es, parameter, 400, "InvalidParameterValue");

    private static Crs ParseCrs(HttpRequest req, string name)
    {
        var text = QueryArgs.Get(req, name);
        if (text is null) return Crs.Crs84;
        return Crs.Find(text) ?? throw Invalid(name, $"CRS '{text}' is not supported; use one of: {string.Join(", ", Crs.Supported.Select(c => c.Uri))}",
            $"El sistema de referencia '{text}' no está soportado; use uno de: {string.Join(", ", Crs.Supported.Select(c => c.Uri))}");
    }

    private static async Task Items(string id, HttpContext http, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource ds, CancellationToken ct)
    {
        var req = http.Request;
        var l = FindLayer(reg, id);
        foreach (var key in req.Query.Keys)
            if (!ItemParams.Contains(key) && l.Properties.All(p => p.Name != key))
                throw Invalid(key, $"Unknown query parameter '{key}'; see {Base(req)}/collections/{l.Id}/queryables",
                    $"Parámetro desconocido '{key}'; consulte {Base(req)}/collections/{l.Id}/queryables");
        var f = QueryArgs.Get(req, "f");
        if (f is not null && f is not ("json" or "geojson"))
            throw Invalid("f", $"Format '{f}' is not offered here; use f=json", $"El formato '{f}' no se ofrece aquí; use f=json");

        int limit;
        long offset;
        try
        {
            limit = QueryArgs.OptionalInt(QueryArgs.Get(req, "limit"), "limit", DefaultLimit, 1, MaxLimit, clamp: true);
            offset = QueryArgs.OptionalInt(QueryArgs.Get(req, "offset"), "offset", 0, 0, int.MaxValue);
        }
        catch (BadRequestException e) { throw new BadRequestException(e.Message, e.MessageEs, e.Parameter, 400, "InvalidParameterValue"); }

        var crs = ParseCrs(req, "crs");
        var bboxCrs = ParseCrs(req, "bbox-crs");
        BBox? bbox = null;
        if (QueryArgs.Get(req, "bbox") is { } bboxText)
        {
            if (!BBox.TryParse(bboxText, bboxCrs, out var parsed, out var error, out var errorEs))
                throw Invalid("bbox", $"Invalid bbox '{bboxText}': {error}", $"bbox inválido '{bboxText}': {errorEs}");
            bbox = parsed;
        }
        else if (req.Query.ContainsKey("bbox-crs"))
            throw Invalid("bbox-crs", "bbox-crs was given without bbox", "Se indicó bbox-crs sin bbox");

        var filters = new List<PropertyFilter>();
        foreach (var p in l.Properties)
        {
            if (QueryArgs.Get(req, p.Name) is not { } value) continue;
            var typed = LayerSql.ParseValue(p, value)
                ?? throw Invalid(p.Name, $"'{value}' is not a valid {p.Type} for property '{p.Name}'", $"'{value}' no es un valor válido ({p.Type}) para la propiedad '{p.Name}'");
            filters.Add(new PropertyFilter(p, typed));
        }

        var asOf = AsOf(req, l);
        var filter = OgcFilter.Read(req, l);
        var query = new FeatureQuery(bbox, bboxCrs, crs, filters, Limit: limit, Offset: offset, AsOf: asOf,
            Condition: filter.Condition, Sort: filter.Sort, Select: filter.Select);
        // numberMatched only when it is cheap: a page that is not full tells it for free (offset + returned); a plain listing
        // counts (clients ask it once, with limit=1, for the size of a layer); a selection that fills its page omits it, and
        // one row read past the page says whether there is a next one (Part 1 lets a server omit numberMatched)
        long? matched = (bbox is null && filters.Count == 0 && asOf is null && filter.Condition is null) || filter.HasArithmetic
            ? await FeatureStream.CountAsync(ds, l, query, ct) : null;
        var self = $"{Base(req)}/collections/{l.Id}/items";
        http.Response.Headers["Content-Crs"] = $"<{crs.Uri}>";
        await FeatureStream.WriteAsync(http.Response, ds, l, query, GeoJson, (n, more) =>
        {
            // the links written directly (this runs on every page: no JSON document built for four small objects)
            var links = new StringBuilder("[");
            LinkJson(links, self + QueryString(req, null), "self", GeoJson, "Esta página");
            LinkJson(links, $"{Base(req)}/collections/{l.Id}", "collection", "application/json", l.Title);
            if (matched is { } m ? offset + n < m : more) LinkJson(links, self + QueryString(req, offset + limit), "next", GeoJson, "Página siguiente");
            if (offset > 0) LinkJson(links, self + QueryString(req, Math.Max(0, offset - limit)), "prev", GeoJson, "Página anterior");
            var count = matched ?? (more ? null : offset + n);
            return string.Create(CultureInfo.InvariantCulture,
                $"{(count is { } c ? $",\"numberMatched\":{c}" : "")},\"numberReturned\":{n},\"timeStamp\":\"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\",\"links\":{links.Append(']')}");
        }, ct, peek: true);
    }

    /// <summary>datetime: an instant selects the versions valid then, for layers that keep versions; on dated layers it is a filter (OgcFilter).</summary>
    private static DateTime? AsOf(HttpRequest req, LayerDefinition l)
    {
        if (QueryArgs.Get(req, "datetime") is not { } datetime || !LayerSql.HasVersions(l)) return null;
        if (datetime.Contains('/') || !Instants.TryParse(datetime, out var instant))
            throw Invalid("datetime", $"datetime '{datetime}' must be an RFC 3339 instant, e.g. 2026-06-01T00:00:00Z, or a date (the start of that day in Veracruz, UTC−6); intervals are not supported",
                $"datetime '{datetime}' debe ser un instante RFC 3339, p. ej. 2026-06-01T00:00:00Z, o una fecha (el inicio de ese día en Veracruz, UTC−6); no se admiten intervalos");
        return instant;
    }

    /// <summary>
    /// The request's query string as the client wrote it, with offset replaced (null keeps it as it was). Kept verbatim so a
    /// client that adds its own parameters to every URL (GDAL adds those of the connection string unless it finds them
    /// spelt the same) recognises them in the links and does not add them twice.
    /// </summary>
    private static string QueryString(HttpRequest req, long? offset)
    {
        var pairs = (req.QueryString.Value ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => offset is null || Uri.UnescapeDataString(pair.Split('=')[0]) != "offset")
            .ToList();
        if (offset is { } o) pairs.Add("offset=" + o.ToString(CultureInfo.InvariantCulture));
        return pairs.Count == 0 ? "" : "?" + string.Join("&", pairs);
    }

    private static async Task Item(string id, string featureId, HttpContext http, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource ds, CancellationToken ct)
    {
        var req = http.Request;
        var l = FindLayer(reg, id);
        var crs = ParseCrs(req, "crs");
        var notFound = new BadRequestException($"Feature '{featureId}' does not exist in '{l.Id}'", $"El elemento '{featureId}' no existe en '{l.Id}'", "featureId", 404, "NotFound");
        var key = LayerSql.ParseValue(l.KeyProperty, featureId) ?? throw notFound;
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var cmd = LayerSql.Features(conn, l, new FeatureQuery(OutputCrs: crs, FeatureId: key, Limit: 1, AsOf: AsOf(req, l)));
        var text = (string?)await cmd.ExecuteScalarAsync(ct) ?? throw notFound;
        var b = Base(req);
        var links = new JsonArray(
            Link($"{b}/collections/{l.Id}/items/{Uri.EscapeDataString(featureId)}", "self", GeoJson),
            Link($"{b}/collections/{l.Id}", "collection", "application/json", l.Title));
        http.Response.ContentType = GeoJson;
        http.Response.Headers["Content-Crs"] = $"<{crs.Uri}>";
        await http.Response.WriteAsync(text[..^1] + ",\"links\":" + links.ToJsonString() + "}", ct);
    }
}
