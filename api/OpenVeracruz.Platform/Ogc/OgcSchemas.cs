using System.Text.Json.Nodes;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>
/// JSON Schemas of a collection, so that clients type each property as the registry declares it instead of guessing from
/// its values (GDAL and QGIS read the clave "001-0001-001" as a date when nothing tells them otherwise):
/// the queryables (Part 3), the schema of the returned properties (Part 5, read by QGIS ≥ 3.40) and the schema of a
/// GeoJSON Feature that the collection's "describedBy" link points to (read by GDAL's OAPIF driver since 3.1).
/// Each property has one "type" (and "format" for dates): it is all both clients read.
/// </summary>
public static class OgcSchemas
{
    public const string MediaType = "application/schema+json";
    private const string Draft2020 = "https://json-schema.org/draft/2020-12/schema";

    public static string JsonType(LayerPropertyManifest p) => p.Type switch { "integer" => "integer", "number" => "number", _ => "string" };

    private static JsonObject Property(LayerPropertyManifest p)
    {
        var o = new JsonObject { ["title"] = p.Title, ["type"] = JsonType(p) };
        if (p.Type == "date") o["format"] = "date";
        if (p.Description is { Length: > 0 } d) o["description"] = d;
        return o;
    }

    private static JsonObject Properties(LayerDefinition l, Func<LayerPropertyManifest, int, JsonObject> each)
    {
        var props = new JsonObject();
        var i = 0;
        foreach (var p in l.Properties) props[p.Name] = each(p, i++);
        return props;
    }

    private static JsonObject Document(string schema, string id, LayerDefinition l, JsonObject properties, bool closed) => new()
    {
        ["$schema"] = schema,
        ["$id"] = id,
        ["type"] = "object",
        ["title"] = l.Title,
        ["properties"] = properties,
        ["additionalProperties"] = !closed,
    };

    /// <summary>Part 3: what the items request filters by (each property, by equality) and the geometry (by bbox).</summary>
    public static JsonObject Queryables(string id, LayerDefinition l)
    {
        var props = new JsonObject { [l.GeometryColumn] = new JsonObject { ["$ref"] = $"https://geojson.org/schema/{l.GeometryType}.json" } };
        foreach (var p in l.Properties) props[p.Name] = Property(p);
        return Document("https://json-schema.org/draft/2019-09/schema", id, l, props, closed: true);
    }

    /// <summary>Part 5: the returned properties in their order, the key with role "id", the geometry with role "primary-geometry".</summary>
    public static JsonObject Returnables(string id, LayerDefinition l)
    {
        var props = Properties(l, (p, i) =>
        {
            var o = Property(p);
            o["x-ogc-propertySeq"] = i + 1;
            if (p.Name == l.KeyColumn) o["x-ogc-role"] = "id";
            return o;
        });
        var format = l.GeometryType == "Geometry" ? "geometry-any" : "geometry-" + l.GeometryType.ToLowerInvariant();
        props[l.GeometryColumn] = new JsonObject { ["format"] = format, ["x-ogc-role"] = "primary-geometry" };
        return Document(Draft2020, id, l, props, closed: false);
    }

    /// <summary>A GeoJSON Feature of the collection, as GDAL's OAPIF driver reads it: the field types are properties.properties.*.type.</summary>
    public static JsonObject Feature(string id, LayerDefinition l)
    {
        var geometryType = new JsonObject { ["type"] = "string" };
        if (l.GeometryType != "Geometry") geometryType["const"] = l.GeometryType;
        var geometry = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("type"),
            ["properties"] = new JsonObject { ["type"] = geometryType, ["coordinates"] = new JsonObject { ["type"] = "array" } },
        };
        var feature = Document(Draft2020, id, l, new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("Feature") },
            ["id"] = new JsonObject { ["type"] = JsonType(l.KeyProperty) },
            ["geometry"] = geometry,
            ["properties"] = new JsonObject { ["type"] = "object", ["properties"] = Properties(l, (p, _) => Property(p)) },
        }, closed: false);
        feature["required"] = new JsonArray("type", "geometry", "properties");
        return feature;
    }
}
