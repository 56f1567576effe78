using System.Collections.Concurrent;

namespace OpenVeracruz.Platform.Layers;

/// <summary>A public layer: everything every door needs to publish it. Identifiers come only from here.</summary>
public sealed record LayerDefinition(
    string Id,
    string Title,
    string Description,
    string Schema,
    string Table,
    string GeometryColumn,
    string GeometryType,
    string KeyColumn,
    int StorageSrid,
    string Kind,
    int MinZoom,
    bool DefaultVisible,
    IReadOnlyList<LayerPropertyManifest> Properties,
    DatasetManifest Dataset,
    string DatasetFolder,
    string? VersionsTable = null)
{
    /// <summary>The kind of the layers imported from staff uploads (ids u_ and 8 hex digits, kept as they are by every door).</summary>
    public const string UploadedKind = "uploaded";

    /// <summary>The table as a quoted SQL identifier.</summary>
    public string QualifiedTable => $"{Quote(Schema)}.{Quote(Table)}";

    /// <summary>The append-only versions table (schema.table) as a quoted SQL identifier; null when the layer keeps no history.</summary>
    public string? QualifiedVersionsTable => VersionsTable?.Split('.') is [var schema, var table] ? $"{Quote(schema)}.{Quote(table)}" : null;

    public LayerPropertyManifest KeyProperty => Properties.First(p => p.Name == KeyColumn);

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}

/// <summary>
/// The layers published by the platform: the bundled ones read from <c>datasets/*/dataset.json</c> (adding a layer is
/// adding a folder) and the ones imported from staff uploads (catalog.layers), registered at run time. Thread-safe:
/// readers see an immutable snapshot, writers replace it.
/// </summary>
public sealed class LayerRegistry
{
    private volatile IReadOnlyDictionary<string, LayerDefinition> _layers;
    private readonly Lock _write = new();
    private readonly ConcurrentDictionary<string, double[]> _extents = new();

    public LayerRegistry(IEnumerable<LayerDefinition> layers, IEnumerable<DatasetManifest> datasets, string datasetsPath)
    {
        _layers = layers.ToDictionary(l => l.Id, StringComparer.Ordinal);
        Datasets = datasets.ToList();
        DatasetsPath = datasetsPath;
    }

    public string DatasetsPath { get; }
    /// <summary>The bundled datasets (dataset.json files); imported layers have their dataset in the catalog.</summary>
    public IReadOnlyList<DatasetManifest> Datasets { get; }
    public IEnumerable<LayerDefinition> All => _layers.Values.OrderBy(l => l.Kind == "cadastre" ? 1 : 0).ThenBy(l => l.Id, StringComparer.Ordinal);
    public LayerDefinition? Find(string id) => _layers.GetValueOrDefault(id);
    /// <summary>The layers as they are now: the same object until a layer is registered or removed (a key for caches).</summary>
    public IReadOnlyDictionary<string, LayerDefinition> Snapshot => _layers;

    /// <summary>Adds or replaces a layer defined at run time; a bundled layer's id cannot be taken.</summary>
    public void Register(LayerDefinition layer)
    {
        lock (_write)
        {
            if (_layers.TryGetValue(layer.Id, out var existing) && existing.Kind != layer.Kind)
                throw new InvalidOperationException($"layer id '{layer.Id}' is already taken by a {existing.Kind} layer");
            _layers = new Dictionary<string, LayerDefinition>(_layers, StringComparer.Ordinal) { [layer.Id] = layer };
            _extents.TryRemove(layer.Id, out _);
        }
    }

    /// <summary>Removes a layer registered at run time (its resource or dataset was deleted or made private).</summary>
    public void Remove(string id)
    {
        lock (_write)
        {
            if (!_layers.ContainsKey(id)) return;
            var copy = new Dictionary<string, LayerDefinition>(_layers, StringComparer.Ordinal);
            copy.Remove(id);
            _layers = copy;
            _extents.TryRemove(id, out _);
        }
    }

    /// <summary>Cached spatial extent (CRS84) of a layer, computed by the caller from the data when missing.</summary>
    public async Task<double[]> ExtentAsync(LayerDefinition layer, Func<LayerDefinition, Task<double[]>> compute) =>
        _extents.TryGetValue(layer.Id, out var e) ? e : _extents[layer.Id] = await compute(layer);

    public void ForgetExtents() => _extents.Clear();

    public static LayerRegistry Load(string datasetsPath)
    {
        var datasets = new List<DatasetManifest>();
        var layers = new List<LayerDefinition>();
        foreach (var file in Directory.GetFiles(datasetsPath, "dataset.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var manifest = DatasetManifest.Read(file);
            datasets.Add(manifest);
            if (manifest.Layer is not { } l) continue;
            var parts = l.Table.Split('.');
            layers.Add(new LayerDefinition(l.Id, l.Title, manifest.Description, parts[0], parts[1], "geom", l.GeometryType, l.Key,
                4326, l.Kind, l.MinZoom, l.DefaultVisible, l.Properties, manifest, Path.GetDirectoryName(file)!, l.Versions));
        }
        var dup = layers.GroupBy(l => l.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InvalidDataException($"layer id '{dup.Key}' is declared twice");
        return new LayerRegistry(layers, datasets, datasetsPath);
    }
}
