using OpenVeracruz.Platform.Shared;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.OData.Edm;
using OpenVeracruz.Etl;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.OData;

namespace OpenVeracruz.Tests.OData;

/// <summary>How layers get their OData names (no I/O beyond reading the bundled dataset.json files).</summary>
public class ODataModelTests
{
    private static readonly string Datasets = RepositoryFolders.Find(AppContext.BaseDirectory, "datasets")!;

    [Theory]
    [InlineData("land_area_m2", "LandAreaM2")]
    [InlineData("locality_cvegeo", "LocalityCvegeo")]
    [InlineData("pob0_14", "Pob0_14")]
    [InlineData("census_localities_2020", "CensusLocalities_2020")]
    [InlineData("c_2020_total", "C_2020Total")]
    [InlineData("fid", "Fid")]
    public void Default_names_are_pascal_case_of_the_snake_case_name(string snake, string pascal) =>
        Assert.Equal(pascal, ODataModel.Pascal(snake));

    private static LayerDefinition Layer(string id, string kind, LayerODataManifest? odata, params (string Name, string Type)[] props)
    {
        var properties = props.Select(p => new LayerPropertyManifest(p.Name, p.Type, null, p.Name, null)).ToArray();
        var manifest = new DatasetManifest(id, id, "", "org", new DatasetSource("s", "u", null), new DatasetLicense("l", "l", "u", "a"), "EPSG:4326", "2026",
            false, [], [], "", new LayerManifest(id, id, "layers." + id, "Point", props[0].Name, kind, 0, false, [], null, properties, OData: odata), null);
        return new LayerDefinition(id, id, "", "layers", id, "geom", "Point", props[0].Name, 4326, kind, 0, false, properties, manifest, "");
    }

    [Fact]
    public void Names_are_unique_and_explicit_names_win()
    {
        var model = ODataModel.Build([
            Layer("u_0a1b2c3d", "uploaded", null, ("fid", "integer"), ("wkt", "text"), ("longitude_1", "number"), ("fecha", "date")),
            Layer("escuelas", "reference", null, ("clave", "text")),
            Layer("planteles", "reference", new LayerODataManifest("Escuelas", new() { ["nom"] = "Name" }), ("id", "integer"), ("nom", "text"), ("name", "text")),
        ]);
        // the layer that names its set keeps the name; the default one that collides gets a suffix
        Assert.Equal(["Escuelas", "Escuelas_2", "u_0a1b2c3d"], model.Sets.Select(s => s.Name).ToArray());
        var upload = model.Find("u_0a1b2c3d")!;
        Assert.Equal(["Fid", "Wkt_2", "Longitude_1", "Fecha", "Longitude", "Latitude", "Wkt"], upload.Fields.Select(f => f.Name).ToArray());
        Assert.Equal([EdmPrimitiveTypeKind.Int64, EdmPrimitiveTypeKind.String, EdmPrimitiveTypeKind.Double, EdmPrimitiveTypeKind.Date],
            upload.Fields.Take(4).Select(f => f.Kind).ToArray());
        Assert.Equal(["Id", "Name", "Name_2"], model.Find("Escuelas")!.Fields.Take(3).Select(f => f.Name).ToArray());
        Assert.Equal("Fid", upload.EntitySet.EntityType.DeclaredKey.Single().Name);
        Assert.False(upload.EntitySet.EntityType.DeclaredKey.Single().Type.IsNullable);
    }

    [Fact]
    public void The_model_follows_the_registry_snapshot()
    {
        var registry = LayerRegistry.Load(Datasets);
        var before = ODataModel.For(registry);
        Assert.Same(before, ODataModel.For(registry));
        registry.Register(Layer("u_00000001", "uploaded", null, ("fid", "integer")));
        var after = ODataModel.For(registry);
        Assert.NotNull(after.Find("u_00000001"));
        Assert.Null(before.Find("u_00000001"));
        registry.Remove("u_00000001");
        Assert.Null(ODataModel.For(registry).Find("u_00000001"));
    }

    [Fact]
    public void Bundled_odata_names_do_not_count_in_the_content_hash()
    {
        // a reload regenerates the cadastre: naming a layer on the OData door must not trigger one
        foreach (var file in Directory.GetFiles(Datasets, "dataset.json", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            var lines = text.Split('\n').ToList();
            var at = lines.FindIndex(l => l.TrimStart().StartsWith("\"odata\"", StringComparison.Ordinal));
            if (at < 0) continue;
            // the file as it was before the block: the line goes, and the comma the block needed
            lines.RemoveAt(at);
            lines[at - 1] = lines[at - 1].TrimEnd(',');
            Assert.Equal(string.Join('\n', lines), Encoding.UTF8.GetString(LayerLoader.WithoutODataNames(Encoding.UTF8.GetBytes(text))));
        }
        // a block that is not the last member takes the comma after it
        var first = """{"id":"x","layer":{"odata":{"entitySet":"X"},"id":"x"}}""";
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"x","layer":{"id":"x"}}"""), JsonNode.Parse(LayerLoader.WithoutODataNames(Encoding.UTF8.GetBytes(first)))));
        // an "odata" member elsewhere is data
        var elsewhere = """{"id":"x","odata":1,"layer":{"properties":[{"odata":2}]}}"""u8.ToArray();
        Assert.Equal(elsewhere, LayerLoader.WithoutODataNames(elsewhere));
    }
}
