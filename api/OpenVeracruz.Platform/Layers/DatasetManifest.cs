using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace OpenVeracruz.Platform.Layers;

/// <summary>The <c>dataset.json</c> of a folder in <c>datasets/</c>: catalog metadata plus, for spatial data, its layer.</summary>
public sealed record DatasetManifest(
    string Id,
    string Title,
    string Description,
    string Organization,
    DatasetSource Source,
    DatasetLicense License,
    string Crs,
    string Date,
    bool Synthetic,
    string[] Tags,
    string[] Groups,
    string UpdateFrequency,
    LayerManifest? Layer,
    GeneratorManifest? Generator)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static DatasetManifest Read(string path)
    {
        var manifest = JsonSerializer.Deserialize<DatasetManifest>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path} is empty");
        manifest.Validate(path);
        return manifest;
    }

    private static readonly Regex Identifier = new("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant);
    private static readonly Regex ODataIdentifier = new("^[A-Za-z_][A-Za-z0-9_]{0,127}$", RegexOptions.CultureInvariant);

    private void Validate(string path)
    {
        if (Layer is null) return;
        var parts = Layer.Table.Split('.');
        if (parts.Length != 2 || !parts.All(Identifier.IsMatch))
            throw new InvalidDataException($"{path}: layer.table must be schema.table in lower-case letters, digits and _");
        if (!Identifier.IsMatch(Layer.Id)) throw new InvalidDataException($"{path}: layer.id '{Layer.Id}' is not a plain identifier");
        foreach (var p in Layer.Properties)
        {
            if (!Identifier.IsMatch(p.Name)) throw new InvalidDataException($"{path}: property '{p.Name}' is not a plain identifier");
            if (p.Type is not ("text" or "integer" or "number" or "date"))
                throw new InvalidDataException($"{path}: property '{p.Name}' has unknown type '{p.Type}'");
        }
        if (Layer.Versions is { } v && (v.Split('.') is not [var vs, var vt] || !Identifier.IsMatch(vs) || !Identifier.IsMatch(vt)))
            throw new InvalidDataException($"{path}: layer.versions must be schema.table in lower-case letters, digits and _");
        if (Layer.Properties.All(p => p.Name != Layer.Key)) throw new InvalidDataException($"{path}: layer.key must be one of its properties");
        if (Layer.Tiles is { } tiles && (tiles.FullFromZoom is < 0 or > 24 || tiles.LowZoomProperties.Any(n => Layer.Properties.All(p => p.Name != n))))
            throw new InvalidDataException($"{path}: layer.tiles.fullFromZoom must be 0..24 and lowZoomProperties may only name properties of the layer");
        if (Layer.OData is { } odata)
        {
            if (odata.EntitySet is { } set && !ODataIdentifier.IsMatch(set))
                throw new InvalidDataException($"{path}: layer.odata.entitySet '{set}' is not an OData identifier (a letter or _, then letters, digits or _)");
            foreach (var (column, name) in odata.Properties ?? [])
            {
                if (Layer.Properties.All(p => p.Name != column)) throw new InvalidDataException($"{path}: layer.odata.properties names '{column}', which is not a property of the layer");
                if (!ODataIdentifier.IsMatch(name)) throw new InvalidDataException($"{path}: layer.odata.properties.{column} '{name}' is not an OData identifier");
            }
        }
    }
}

public sealed record DatasetSource(string Name, string Url, string? Via);

public sealed record DatasetLicense(string Id, string Title, string Url, string Attribution);

/// <summary>Where the layer's rows come from and which fields are public.</summary>
public sealed record LayerManifest(
    string Id,
    string Title,
    string Table,
    string GeometryType,
    string Key,
    string Kind,
    int MinZoom,
    bool DefaultVisible,
    LayerFile[] Files,
    LayerJoin? Join,
    LayerPropertyManifest[] Properties,
    string? Versions = null,
    [property: JsonPropertyName("odata")] LayerODataManifest? OData = null,
    LayerTilesManifest? Tiles = null);

/// <summary>
/// How the layer's vector tiles thin their attributes: below <c>fullFromZoom</c> a tile carries only
/// <c>lowZoomProperties</c> (the key is always carried). Without the block every tile carries every public property.
/// </summary>
public sealed record LayerTilesManifest(int FullFromZoom, string[] LowZoomProperties);

/// <summary>
/// The layer's names on the OData door, when they differ from the default (PascalCase of the snake_case name):
/// the entity set, and OData names of properties by their column name.
/// </summary>
public sealed record LayerODataManifest(string? EntitySet, Dictionary<string, string>? Properties);

public sealed record LayerFile(string Path, string Format);

/// <summary>Attributes read from a CSV and joined to the features on a key.</summary>
public sealed record LayerJoin(string Path, string CsvKey, string FeatureKey);

public sealed record LayerPropertyManifest(string Name, string Type, string? Source, string Title, string? Description);

public sealed record GeneratorManifest(string Name, int Seed, int Count, int MaxCount);
