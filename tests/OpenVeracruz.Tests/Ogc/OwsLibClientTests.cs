using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;

namespace OpenVeracruz.Tests.Ogc;

/// <summary>OWSLib (Debian's python3-owslib), the Python client of OGC services, reads the OGC door.</summary>
[Collection(nameof(GisClients))]
public class OwsLibClientTests(GisClients f)
{
    private const string Script = """
        import json, sys
        from owslib.ogcapi.features import Features
        api = Features(sys.argv[1])
        ids = [c["id"] for c in api.collections()["collections"]]
        page = api.collection_items("parcels", limit=3, clave=sys.argv[2])
        queryables = api.collection_queryables("parcels")
        print(json.dumps({"ids": ids, "page": page, "queryables": queryables}))
        """;

    [Fact]
    public async Task Owslib_lists_the_collections_and_reads_items_with_a_filter()
    {
        var (clave, _, _) = await f.SomeParcelAsync();
        using var doc = JsonDocument.Parse(await Python.RunAsync(Script, [$"{f.BaseUri}ogc", clave]));
        var r = doc.RootElement;
        // every public layer of the registry, as the OGC door lists them (the cadastre last)
        var registry = f.Services.GetRequiredService<OpenVeracruz.Platform.Layers.LayerRegistry>();
        Assert.Equal(registry.All.Select(l => l.Id), r.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("parcels", r.GetProperty("ids").EnumerateArray().Last().GetString());
        var feature = Assert.Single(r.GetProperty("page").GetProperty("features").EnumerateArray());
        Assert.Equal(clave, feature.GetProperty("properties").GetProperty("clave").GetString());
        Assert.Equal(JsonValueKind.Number, feature.GetProperty("properties").GetProperty("zone").ValueKind);
        Assert.Equal("string", r.GetProperty("queryables").GetProperty("properties").GetProperty("clave").GetProperty("type").GetString());
    }
}
