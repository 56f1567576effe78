using System.Text.Json.Nodes;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>
/// The OpenAPI 3.0 definition of the OGC door, one items path per collection of the registry. The shared parameters live in
/// components/parameters and the paths refer to them: QGIS reads the default and maximum page size only from
/// components/parameters/limit, GDAL ≥ 3.8 from the items path's "$ref" to it (both then ask for pages of 1000).
/// </summary>
public static class OgcOpenApi
{
    private static JsonObject Param(string name, string description, JsonObject schema, bool required = false, string @in = "query") => new()
    {
        ["name"] = name, ["in"] = @in, ["required"] = required, ["description"] = description, ["schema"] = schema,
        ["style"] = "form", ["explode"] = false,
    };

    private static JsonObject Json(string description, string type = "application/json") => new()
    {
        ["description"] = description,
        ["content"] = new JsonObject { [type] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } } },
    };

    private static JsonObject Get(string summary, string operationId, JsonArray parameters, string type = "application/json") => new()
    {
        ["get"] = new JsonObject
        {
            ["summary"] = summary,
            ["operationId"] = operationId,
            ["parameters"] = parameters,
            ["responses"] = new JsonObject
            {
                ["200"] = Json("OK", type),
                ["400"] = Json("Parámetro inválido / Invalid parameter", "application/problem+json"),
                ["404"] = Json("No encontrado / Not found", "application/problem+json"),
            },
        },
    };

    private static JsonObject Ref(string parameter) => new() { ["$ref"] = "#/components/parameters/" + parameter };

    public static JsonObject Build(string baseUrl, LayerRegistry registry)
    {
        var crsEnum = new JsonArray(Crs.Supported.Select(c => (JsonNode)c.Uri).ToArray());
        var parameters = new JsonObject
        {
            ["limit"] = Param("limit", $"Número máximo de elementos (1–{OgcEndpoints.MaxLimit}; los valores mayores se ajustan a {OgcEndpoints.MaxLimit})",
                new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = OgcEndpoints.MaxLimit, ["default"] = OgcEndpoints.DefaultLimit }),
            ["offset"] = Param("offset", "Elementos a saltar (paginación)", new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["default"] = 0 }),
            ["bbox"] = Param("bbox", "Caja envolvente minx,miny,maxx,maxy (en bbox-crs; CRS84 por omisión)",
                new JsonObject { ["type"] = "array", ["minItems"] = 4, ["maxItems"] = 6, ["items"] = new JsonObject { ["type"] = "number" } }),
            ["bbox-crs"] = Param("bbox-crs", "CRS de bbox", new JsonObject { ["type"] = "string", ["format"] = "uri", ["enum"] = crsEnum.DeepClone() }),
            ["crs"] = Param("crs", "CRS de la respuesta", new JsonObject { ["type"] = "string", ["format"] = "uri", ["enum"] = crsEnum.DeepClone() }),
            ["datetime"] = Param("datetime", "Instante RFC 3339 (o fecha): las versiones vigentes entonces, en capas con historial",
                new JsonObject { ["type"] = "string" }),
            ["datetime-date"] = Param("datetime", "Fecha, instante RFC 3339 o intervalo (inicio/fin, '..' abierto): los elementos cuya fecha cae en él, extremos incluidos",
                new JsonObject { ["type"] = "string" }),
            ["filter"] = Param("filter", "Filtro CQL2 (Part 3) sobre las propiedades consultables: texto (cql2-text) o JSON (cql2-json)", new JsonObject { ["type"] = "string" }),
            // GDAL 3.6 sends its -where to the server as a filter when this enum lists "cql-text"
            ["filter-lang"] = Param("filter-lang", "Lenguaje del filtro (cql-text: el nombre que usa GDAL 3.6 para CQL2-text)",
                new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(OgcFilter.Languages.Select(x => (JsonNode)x).ToArray()), ["default"] = "cql2-text" }),
            ["filter-crs"] = Param("filter-crs", "CRS de las geometrías del filtro (CRS84 por omisión)", new JsonObject { ["type"] = "string", ["format"] = "uri", ["enum"] = crsEnum.DeepClone() }),
            ["sortby"] = Param("sortby", "Orden: propiedades separadas por comas, con - para descendente (p. ej. -land_area_m2,clave)",
                new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } }),
            ["properties"] = Param("properties", "Propiedades a devolver, separadas por comas",
                new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } }),
        };
        var paths = new JsonObject
        {
            ["/"] = Get("Página de inicio", "getLandingPage", []),
            ["/conformance"] = Get("Clases de conformidad", "getConformance", []),
            ["/collections"] = Get("Colecciones", "getCollections", []),
        };
        foreach (var l in registry.All)
        {
            var itemParams = new JsonArray(Ref("limit"), Ref("offset"), Ref("bbox"), Ref("bbox-crs"), Ref("crs"),
                Ref("filter"), Ref("filter-lang"), Ref("filter-crs"), Ref("sortby"), Ref("properties"));
            if (LayerSql.HasVersions(l)) itemParams.Add(Ref("datetime"));
            else if (OgcFilter.DateProperty(l) is not null) itemParams.Add(Ref("datetime-date"));
            foreach (var p in l.Properties)
                itemParams.Add(Param(p.Name, $"Filtro por igualdad: {p.Title}", new JsonObject { ["type"] = OgcSchemas.JsonType(p) }));
            var idParam = Param("featureId", "Identificador del elemento", new JsonObject { ["type"] = "string" }, true, "path");
            idParam.Remove("style");
            idParam.Remove("explode");
            paths[$"/collections/{l.Id}"] = Get(l.Title, $"describe_{l.Id}", []);
            paths[$"/collections/{l.Id}/queryables"] = Get($"Propiedades consultables de {l.Title}", $"queryables_{l.Id}", [], OgcSchemas.MediaType);
            paths[$"/collections/{l.Id}/schema"] = Get($"Esquema de las propiedades de {l.Title}", $"schema_{l.Id}", [], OgcSchemas.MediaType);
            paths[$"/collections/{l.Id}/feature-schema"] = Get($"Esquema JSON de un elemento de {l.Title}", $"featureSchema_{l.Id}", [], OgcSchemas.MediaType);
            paths[$"/collections/{l.Id}/items"] = Get($"Elementos de {l.Title}", $"items_{l.Id}", itemParams, OgcEndpoints.GeoJson);
            paths[$"/collections/{l.Id}/items/{{featureId}}"] = Get($"Un elemento de {l.Title}", $"item_{l.Id}", [idParam], OgcEndpoints.GeoJson);
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "OpenVeracruz — OGC API – Features",
                ["version"] = "1.0.0",
                ["description"] = "Capas abiertas del municipio de Veracruz.",
                ["license"] = new JsonObject { ["name"] = "Datos: INEGI, términos de libre uso; predios sintéticos" },
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = baseUrl }),
            ["paths"] = paths,
            ["components"] = new JsonObject { ["parameters"] = parameters },
        };
    }
}
