using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Tiles;

/// <summary>
/// OGC API – Tiles 1.0 for every layer (vector tilesets, Mapbox Vector Tiles) in the WebMercatorQuad tile matrix set,
/// plus TileJSON 3.0 for web map libraries. Tiles come from <see cref="TileCache"/> or are built by <see cref="TileSql"/>.
/// </summary>
public static class TileEndpoints
{
    public const string MvtType = "application/vnd.mapbox-vector-tile";
    public const string TileMatrixSetId = "WebMercatorQuad";
    public const string TileMatrixSetUri = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
    public const string Crs3857 = "http://www.opengis.net/def/crs/EPSG/0/3857";
    public const string TilesetsRel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
    public const string TilingSchemesRel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes";
    private const string TilingSchemeRel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";

    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
        "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
    ];

    public static IEndpointRouteBuilder MapTileEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/ogc").WithTags("OGC API – Tiles").ExcludeFromDescription();
        g.MapGet("/tileMatrixSets", (HttpRequest req) => Results.Json(new JsonObject
        {
            ["tileMatrixSets"] = new JsonArray(new JsonObject
            {
                ["id"] = TileMatrixSetId, ["title"] = "Google Maps Compatible for the World", ["uri"] = TileMatrixSetUri,
                ["links"] = new JsonArray(Link($"{Base(req)}/tileMatrixSets/{TileMatrixSetId}", "self", "application/json")),
            }),
            ["links"] = new JsonArray(Link($"{Base(req)}/tileMatrixSets", "self", "application/json")),
        }));
        g.MapGet("/tileMatrixSets/{tms}", (string tms) => Results.Json(TileMatrixSet(CheckTms(tms))));
        g.MapGet("/collections/{id}/tiles", Tilesets);
        g.MapGet("/collections/{id}/tiles/{tms}", Tileset);
        g.MapGet("/collections/{id}/tiles/{tms}/tilejson.json", TileJson);
        g.MapGet("/collections/{id}/tiles/{tms}/{z}/{y}/{x}", Tile);
        return app;
    }

    private static string Base(HttpRequest req) => $"{req.Scheme}://{req.Host}{req.PathBase}/ogc";

    private static JsonObject Link(string href, string rel, string type, string? title = null, bool templated = false)
    {
        var o = new JsonObject { ["href"] = href, ["rel"] = rel, ["type"] = type };
        if (title is not null) o["title"] = title;
        if (templated) o["templated"] = true;
        return o;
    }

    /// <summary>The tile links a collection document carries.</summary>
    public static JsonObject CollectionLink(string collectionUrl) => Link(collectionUrl + "/tiles", TilesetsRel, "application/json", "Teselas vectoriales (MVT)");

    private static LayerDefinition FindLayer(LayerRegistry reg, string id) =>
        reg.Find(id) ?? throw new BadRequestException($"Collection '{id}' does not exist", $"La colección '{id}' no existe", "collectionId", 404, "NotFound");

    private static string CheckTms(string tms) => tms == TileMatrixSetId ? tms
        : throw new BadRequestException($"Tile matrix set '{tms}' is not offered; use {TileMatrixSetId}", $"El conjunto de matrices de teselas '{tms}' no se ofrece; use {TileMatrixSetId}",
            "tileMatrixSetId", 404, "NotFound");

    /// <summary>The OGC 2D Tile Matrix Set 2.0 definition of WebMercatorQuad, zooms 0 to 24.</summary>
    public static JsonObject TileMatrixSet(string id) => new()
    {
        ["id"] = id,
        ["title"] = "Google Maps Compatible for the World",
        ["uri"] = TileMatrixSetUri,
        ["crs"] = Crs3857,
        ["orderedAxes"] = new JsonArray("X", "Y"),
        ["wellKnownScaleSet"] = "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        ["tileMatrices"] = new JsonArray(Enumerable.Range(0, TileMath.MaxZoom + 1).Select(z => (JsonNode)new JsonObject
        {
            ["id"] = z.ToString(CultureInfo.InvariantCulture),
            ["scaleDenominator"] = TileMath.ScaleDenominator0 / TileMath.TilesPerSide(z),
            ["cellSize"] = TileMath.CellSize0 / TileMath.TilesPerSide(z),
            ["cornerOfOrigin"] = "topLeft",
            ["pointOfOrigin"] = new JsonArray(-TileMath.Origin, TileMath.Origin),
            ["tileWidth"] = 256, ["tileHeight"] = 256,
            ["matrixWidth"] = TileMath.TilesPerSide(z), ["matrixHeight"] = TileMath.TilesPerSide(z),
        }).ToArray()),
    };

    private static string TileTemplate(HttpRequest req, LayerDefinition l, string z = "{tileMatrix}", string y = "{tileRow}", string x = "{tileCol}") =>
        $"{Base(req)}/collections/{l.Id}/tiles/{TileMatrixSetId}/{z}/{y}/{x}";

    private static IResult Tilesets(string id, HttpRequest req, LayerRegistry reg)
    {
        var l = FindLayer(reg, id);
        var self = $"{Base(req)}/collections/{l.Id}/tiles";
        return Results.Json(new JsonObject
        {
            ["links"] = new JsonArray(Link(self, "self", "application/json"), Link($"{Base(req)}/collections/{l.Id}", "collection", "application/json", l.Title)),
            ["tilesets"] = new JsonArray(new JsonObject
            {
                ["title"] = l.Title, ["dataType"] = "vector", ["crs"] = Crs3857, ["tileMatrixSetURI"] = TileMatrixSetUri,
                ["links"] = new JsonArray(
                    Link($"{self}/{TileMatrixSetId}", "self", "application/json", "Conjunto de teselas WebMercatorQuad"),
                    Link($"{Base(req)}/tileMatrixSets/{TileMatrixSetId}", TilingSchemeRel, "application/json", TileMatrixSetId)),
            }),
        });
    }

    private static async Task<IResult> Tileset(string id, string tms, HttpRequest req, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource ds)
    {
        var l = FindLayer(reg, id);
        CheckTms(tms);
        if (QueryArgs.Get(req, "f") is { } f)
        {
            if (f == "tilejson") return await TileJson(id, tms, req, reg, ds);
            if (f != "json") throw new BadRequestException($"Format '{f}' is not offered here; use f=json or f=tilejson", $"El formato '{f}' no se ofrece aquí; use f=json o f=tilejson", "f", 400, "InvalidParameterValue");
        }
        var e = await ExtentAsync(reg, ds, l);
        var self = $"{Base(req)}/collections/{l.Id}/tiles/{TileMatrixSetId}";
        return Results.Json(new JsonObject
        {
            ["title"] = l.Title,
            ["description"] = l.Description,
            ["dataType"] = "vector",
            ["crs"] = Crs3857,
            ["tileMatrixSetURI"] = TileMatrixSetUri,
            ["boundingBox"] = new JsonObject { ["lowerLeft"] = new JsonArray(e[0], e[1]), ["upperRight"] = new JsonArray(e[2], e[3]), ["crs"] = Crs.Crs84.Uri },
            ["attribution"] = l.Dataset.License.Attribution,
            ["layers"] = new JsonArray(new JsonObject
            {
                ["id"] = l.Id, ["title"] = l.Title, ["dataType"] = "vector",
                ["geometryDimension"] = l.GeometryType.Contains("Point") ? 0 : l.GeometryType.Contains("Line") ? 1 : 2,
                ["minTileMatrix"] = "0", ["maxTileMatrix"] = TileMath.MaxZoom.ToString(CultureInfo.InvariantCulture),
                ["propertiesSchema"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject(l.Properties.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)new JsonObject
                    {
                        ["title"] = p.Title,
                        ["type"] = p.Type switch { "integer" => "integer", "number" => "number", _ => "string" },
                    }))),
                },
            }),
            ["links"] = new JsonArray(
                Link(self, "self", "application/json", l.Title),
                Link(self + "/tilejson.json", "alternate", "application/json", "TileJSON 3.0"),
                Link($"{Base(req)}/tileMatrixSets/{TileMatrixSetId}", TilingSchemeRel, "application/json", TileMatrixSetId),
                Link($"{Base(req)}/collections/{l.Id}", "collection", "application/json", l.Title),
                Link(TileTemplate(req, l), "item", MvtType, "Tesela vectorial (Mapbox Vector Tile)", templated: true)),
        });
    }

    private static async Task<IResult> TileJson(string id, string tms, HttpRequest req, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource ds)
    {
        var l = FindLayer(reg, id);
        CheckTms(tms);
        var e = await ExtentAsync(reg, ds, l);
        var thinning = l.Dataset.Layer?.Tiles;
        return Results.Json(new JsonObject
        {
            ["tilejson"] = "3.0.0",
            ["name"] = l.Title,
            ["description"] = l.Description,
            ["attribution"] = l.Dataset.License.Attribution,
            ["scheme"] = "xyz",
            ["tiles"] = new JsonArray(TileTemplate(req, l, "{z}", "{y}", "{x}")),
            ["minzoom"] = 0,
            ["maxzoom"] = TileMath.MaxZoom,
            ["bounds"] = new JsonArray(e.Select(v => (JsonNode)v).ToArray()),
            ["center"] = new JsonArray(Math.Round((e[0] + e[2]) / 2, 6), Math.Round((e[1] + e[3]) / 2, 6), Math.Max(l.MinZoom, 10)),
            ["vector_layers"] = new JsonArray(new JsonObject
            {
                ["id"] = l.Id,
                ["description"] = thinning is null ? l.Title
                    : $"{l.Title}. Below zoom {thinning.FullFromZoom} the tiles carry only: {string.Join(", ", TileSql.Properties(l, 0).Select(p => p.Name))}",
                ["minzoom"] = 0,
                ["maxzoom"] = TileMath.MaxZoom,
                ["fields"] = new JsonObject(l.Properties.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)JsonValue.Create(
                    (p.Type switch { "integer" or "number" => "Number", _ => "String" }) + ": " + p.Title)))),
            }),
        });
    }

    private static async Task<double[]> ExtentAsync(LayerRegistry reg, NpgsqlDataSource ds, LayerDefinition layer) =>
        await reg.ExtentAsync(layer, async l =>
        {
            await using var conn = await ds.OpenConnectionAsync();
            await using var cmd = LayerSql.Extent(conn, l);
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            return r.IsDBNull(0) ? [-180, -85.0511, 180, 85.0511] : Enumerable.Range(0, 4).Select(i => Math.Round(r.GetDouble(i), 6)).ToArray();
        });

    /// <summary>The ETags in an If-None-Match header, without quotes or weakness (a weak match is enough for GET); "*" as itself.</summary>
    public static string[] ETagsOf(string? header) => (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(t => t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t).Select(t => t.Trim('"')).Where(t => t.Length is > 0 and <= 64).ToArray();

    private static async Task Tile(string id, string tms, string z, string y, string x, HttpContext http, LayerRegistry reg, TileCache cache,
        IOptions<TilesOptions> options, CancellationToken ct)
    {
        var l = FindLayer(reg, id);
        CheckTms(tms);
        var t = TileMath.Parse(z, y, x);
        if (QueryArgs.Get(http.Request, "f") is { } f && f != "mvt")
            throw new BadRequestException($"Format '{f}' is not offered for tiles; use f=mvt", $"El formato '{f}' no se ofrece para teselas; use f=mvt", "f", 400, "InvalidParameterValue");
        var known = ETagsOf(http.Request.Headers.IfNoneMatch);
        if (await cache.FindAsync(l, t, known, ct) is { } cached)
        {
            await AnswerAsync(http, l, cached, known, options.Value, ct);
            return;
        }
        // built: answered and cached side by side — the client does not wait for the cache write, and the write (which
        // ends the build's transaction and its shared lock) does not wait for a slow client, so edits never do either
        await using var pending = await cache.BuildAsync(l, t, ct);
        var store = pending.StoreAsync(CancellationToken.None);
        try
        {
            await AnswerAsync(http, l, pending.Tile, known, options.Value, ct);
        }
        finally
        {
            await store;
        }
    }

    private static async Task AnswerAsync(HttpContext http, LayerDefinition l, TileBytes tile, string[] known, TilesOptions o, CancellationToken ct)
    {
        var res = http.Response;
        var maxAge = l.Kind == "reference" ? o.ReferenceMaxAgeSeconds : o.EditableMaxAgeSeconds;
        res.Headers.ETag = $"\"{tile.ETag}\"";
        res.Headers.CacheControl = $"public, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}";
        res.Headers["X-Tile-Cache"] = tile.FromCache ? "hit" : "miss";
        if (known.Contains("*") || known.Contains(tile.ETag)) { res.StatusCode = StatusCodes.Status304NotModified; return; }
        if (tile.Bytes is not { Length: > 0 } bytes) { res.StatusCode = StatusCodes.Status204NoContent; return; }
        res.ContentType = MvtType;
        res.ContentLength = bytes.Length;
        await res.Body.WriteAsync(bytes, ct);
    }
}
