using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Xml;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.OData;

/// <summary>A property of an entity set: its OData name and type, and the SQL that reads it from the layer row <c>t</c>.</summary>
public sealed record ODataField(string Name, EdmPrimitiveTypeKind Kind, string Sql);

/// <summary>An entity set: one public layer of the registry.</summary>
public sealed record ODataSet(string Name, LayerDefinition Layer, IEdmEntitySet EntitySet, IReadOnlyList<ODataField> Fields, ODataField Key)
{
    public ODataField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>
/// The OData model of the layer registry (untyped EDM): one entity set per public layer with its public properties,
/// plus Longitude/Latitude of a point inside the geometry and the geometry as WKT. Built once per registry snapshot,
/// so a layer registered or withdrawn at run time appears on or leaves the door with the next request.
/// </summary>
public sealed class ODataModel
{
    public const string Namespace = "OpenVeracruz";
    public const string Container = "OpenVeracruz";
    /// <summary>Names every entity type carries besides the layer's properties.</summary>
    public static readonly string[] GeometryFields = ["Longitude", "Latitude", "Wkt"];

    private static readonly ConditionalWeakTable<object, ODataModel> Cache = new();

    private readonly Lazy<byte[]> _xml;
    private readonly Lazy<byte[]> _json;

    public IEdmModel Edm { get; }
    public IReadOnlyList<ODataSet> Sets { get; }

    private ODataModel(IEdmModel edm, IReadOnlyList<ODataSet> sets)
    {
        Edm = edm;
        Sets = sets;
        _xml = new(() => Csdl(stream =>
        {
            using var w = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false) });
            return (CsdlWriter.TryWriteCsdl(edm, w, CsdlTarget.OData, out var errors), errors);
        }));
        _json = new(() => Csdl(stream =>
        {
            using var w = new Utf8JsonWriter(stream);
            return (CsdlWriter.TryWriteCsdl(edm, w, out var errors), errors);
        }));
    }

    public ODataSet? Find(string entitySet) => Sets.FirstOrDefault(s => s.Name == entitySet);

    /// <summary>$metadata as CSDL XML (what Excel, Power BI and ODataLib read) or CSDL JSON.</summary>
    public byte[] Metadata(bool json) => json ? _json.Value : _xml.Value;

    private static byte[] Csdl(Func<Stream, (bool Ok, IEnumerable<Microsoft.OData.Edm.Validation.EdmError> Errors)> write)
    {
        using var stream = new MemoryStream();
        var (ok, errors) = write(stream);
        if (!ok) throw new InvalidOperationException("CSDL: " + string.Join("; ", errors));
        return stream.ToArray();
    }

    /// <summary>The model of the registry's current snapshot.</summary>
    public static ODataModel For(LayerRegistry registry)
    {
        var snapshot = registry.Snapshot;
        return Cache.GetValue(snapshot, _ => Build(snapshot.Values));
    }

    public static ODataModel Build(IEnumerable<LayerDefinition> layers)
    {
        var edm = new EdmModel();
        var container = new EdmEntityContainer(Namespace, Container);
        edm.AddElement(container);
        var sets = new List<ODataSet>();
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Container };
        // layers that name their set come first, so their names never get a suffix; then by id, as every door lists them
        foreach (var layer in layers.OrderBy(l => l.Dataset.Layer?.OData?.EntitySet is null ? 1 : 0).ThenBy(l => l.Id, StringComparer.Ordinal))
        {
            var names = layer.Dataset.Layer?.OData;
            var name = Unique(names?.EntitySet ?? DefaultName(layer), taken);
            var fields = Fields(layer, names?.Properties);
            var type = new EdmEntityType(Namespace, name);
            foreach (var f in fields)
            {
                var p = type.AddStructuralProperty(f.Name, f.Kind, isNullable: f.Name != fields[0].Name);
                if (f.Name == fields[0].Name) type.AddKeys(p);
            }
            edm.AddElement(type);
            sets.Add(new ODataSet(name, layer, container.AddEntitySet(name, type), fields, fields[0]));
        }
        return new ODataModel(edm, sets);
    }

    /// <summary>The key first, then the other public properties in the registry's order, then the geometry fields.</summary>
    private static List<ODataField> Fields(LayerDefinition layer, IReadOnlyDictionary<string, string>? names)
    {
        var taken = new HashSet<string>(GeometryFields, StringComparer.OrdinalIgnoreCase);
        var fields = new List<ODataField>();
        foreach (var p in layer.Properties.OrderBy(p => p.Name == layer.KeyColumn ? 0 : 1))
        {
            var name = Unique(names?.GetValueOrDefault(p.Name) ?? Pascal(p.Name), taken);
            fields.Add(new ODataField(name, Kind(p), "t." + LayerDefinition.Quote(p.Name)));
        }
        var g = "t." + LayerDefinition.Quote(layer.GeometryColumn);
        fields.Add(new ODataField("Longitude", EdmPrimitiveTypeKind.Double, LayerSql.PointLongitude(g)));
        fields.Add(new ODataField("Latitude", EdmPrimitiveTypeKind.Double, LayerSql.PointLatitude(g)));
        fields.Add(new ODataField("Wkt", EdmPrimitiveTypeKind.String, LayerSql.Wkt(g)));
        return fields;
    }

    /// <summary>
    /// An uploaded layer keeps its id (u_ and 8 hex digits, already an OData identifier), the name every other door
    /// gives it; a bundled layer's id becomes PascalCase.
    /// </summary>
    private static string DefaultName(LayerDefinition layer) => layer.Kind == LayerDefinition.UploadedKind ? layer.Id : Pascal(layer.Id);

    public static EdmPrimitiveTypeKind Kind(LayerPropertyManifest p) => p.Type switch
    {
        "integer" => EdmPrimitiveTypeKind.Int64,
        "number" => EdmPrimitiveTypeKind.Double,
        "date" => EdmPrimitiveTypeKind.Date,
        _ => EdmPrimitiveTypeKind.String,
    };

    /// <summary>
    /// The default OData name of a snake_case identifier: PascalCase, keeping the underscore before a part that starts
    /// with a digit so numbers stay apart (land_area_m2 → LandAreaM2, pob0_14 → Pob0_14, census_localities_2020 → CensusLocalities_2020).
    /// </summary>
    public static string Pascal(string snake)
    {
        var sb = new StringBuilder();
        foreach (var part in snake.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            if (char.IsAsciiDigit(part[0])) sb.Append('_');
            sb.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
        }
        return sb.Length == 0 ? "_" : sb.ToString();
    }

    /// <summary>The name, or the name with _2, _3 … when it is taken (case-insensitively: some clients ignore case).</summary>
    private static string Unique(string name, HashSet<string> taken)
    {
        var candidate = name;
        for (var n = 2; !taken.Add(candidate); n++) candidate = $"{name}_{n}";
        return candidate;
    }
}
