using System.Text.Json;

namespace OpenVeracruz.Tests.Ogc;

/// <summary>OWSLib (Debian's python3-owslib), the Python client of OGC services, reads the OGC door.</summary>
[Collection(PlatformCollection.Name)]
public class OwsLibClientTests(PlatformFixture f)
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
        Assert.Equal(["census_localities_2020", "localities", "municipalities", "state_municipalities_2020", "parcels"], r.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        var feature = Assert.Single(r.GetProperty("page").GetProperty("features").EnumerateArray());
        Assert.Equal(clave, feature.GetProperty("properties").GetProperty("clave").GetString());
        Assert.Equal(JsonValueKind.Number, feature.GetProperty("properties").GetProperty("zone").ValueKind);
        Assert.Equal("string", r.GetProperty("queryables").GetProperty("properties").GetProperty("clave").GetProperty("type").GetString());
    }
}
