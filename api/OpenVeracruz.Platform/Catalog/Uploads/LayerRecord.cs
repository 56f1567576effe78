using System.Text.Json;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>
/// A layer defined in the database (catalog.layers) rather than by a datasets/&lt;id&gt;/dataset.json: the layers
/// imported from staff uploads. The registry reads these on start and takes new ones at run time.
/// </summary>
public sealed class LayerRecord
{
    public required string Id { get; set; }
    public required string Title { get; set; }
    /// <summary>schema.table, lower-case identifiers.</summary>
    public required string Table { get; set; }
    public required string GeometryType { get; set; }
    public required string KeyColumn { get; set; }
    /// <summary>JSON array of <see cref="LayerPropertyManifest"/>.</summary>
    public string Properties { get; set; } = "[]";
    public Guid DatasetId { get; set; }
    /// <summary>The uploaded resource the layer was imported from.</summary>
    public Guid ResourceId { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }

    public IReadOnlyList<LayerPropertyManifest> ReadProperties() =>
        JsonSerializer.Deserialize<LayerPropertyManifest[]>(Properties, DatasetManifest.Json) ?? [];

    public static string WriteProperties(IEnumerable<LayerPropertyManifest> properties) =>
        JsonSerializer.Serialize(properties.ToArray(), DatasetManifest.Json);
}
