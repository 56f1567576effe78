using System.Net;
using System.Text.Json;

namespace OpenVeracruz.Tests.Scale;

/// <summary>
/// ConnectionStrings:OpenVeracruzRead: the public read doors answer from the replica, what must show its own writes
/// (the cadastre API of the map and editor, CKAN's package_show, the download counter) stays on the primary.
/// </summary>
[Collection(nameof(ScaleOut))]
public class ScaleOutTests(ScaleOut f)
{
    private async Task<double> PrimaryBuiltAreaAsync() =>
        await f.ScalarAsync<double>("SELECT built_area_m2 FROM cadastre.parcels WHERE clave = @c", ("c", f.ChangedClave));

    [Fact]
    public async Task Ogc_items_and_the_item_read_the_replica()
    {
        Assert.NotEqual(ScaleOut.ReplicaBuiltArea, await PrimaryBuiltAreaAsync());
        var (status, item, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items/{f.ChangedClave}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(ScaleOut.ReplicaBuiltArea, item.GetProperty("properties").GetProperty("built_area_m2").GetDouble());

        var (_, page, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?clave={f.ChangedClave}");
        var feature = Assert.Single(page.GetProperty("features").EnumerateArray());
        Assert.Equal(ScaleOut.ReplicaBuiltArea, feature.GetProperty("properties").GetProperty("built_area_m2").GetDouble());
    }

    [Fact]
    public async Task OData_the_csv_download_and_datastore_search_read_the_replica()
    {
        var (status, entity, _) = await f.GetJsonAsync($"/odata/Parcels('{f.ChangedClave}')");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(ScaleOut.ReplicaBuiltArea, entity.GetProperty("BuiltAreaM2").GetDouble());

        var before = await f.ScalarAsync<long>("SELECT download_count FROM catalog.resources WHERE url = '/downloads/parcels.csv'");
        var csv = await f.Http.GetStringAsync("/downloads/parcels.csv?geometry=none");
        var row = csv.Split("\r\n").Single(l => l.StartsWith(f.ChangedClave + ",", StringComparison.Ordinal));
        Assert.Contains(",4321.5,", row);
        // the counter is a write: it lands on the primary
        Assert.Equal(before + 1, await f.ScalarAsync<long>("SELECT download_count FROM catalog.resources WHERE url = '/downloads/parcels.csv'"));

        var resource = await f.ScalarAsync<Guid>("SELECT id FROM catalog.resources WHERE url = '/downloads/parcels.csv'");
        var (ok, body) = await PlatformFixture.CkanAsync(f.Http, "datastore_search",
            new { resource_id = resource, filters = new Dictionary<string, string> { ["clave"] = f.ChangedClave } });
        Assert.Equal(HttpStatusCode.OK, ok);
        var record = Assert.Single(body.GetProperty("result").GetProperty("records").EnumerateArray());
        Assert.Equal(ScaleOut.ReplicaBuiltArea, record.GetProperty("built_area_m2").GetDouble());
    }

    [Fact]
    public async Task Dcat_reads_the_replica_and_ckan_package_show_the_primary()
    {
        var jsonld = await f.Http.GetStringAsync("/dataset/predios-sinteticos.jsonld");
        Assert.Contains(ScaleOut.ReplicaTitle, jsonld);
        var (_, show) = await PlatformFixture.CkanAsync(f.Http, "package_show", new { id = "predios-sinteticos" });
        Assert.NotEqual(ScaleOut.ReplicaTitle, show.GetProperty("result").GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_cadastre_api_of_the_map_and_editor_reads_the_primary()
    {
        var (status, parcel, _) = await f.GetJsonAsync($"/api/cadastre/parcels/{f.ChangedClave}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(await PrimaryBuiltAreaAsync(), parcel.GetProperty("builtAreaM2").GetDouble());
        Assert.NotEqual(ScaleOut.ReplicaBuiltArea, parcel.GetProperty("builtAreaM2").GetDouble());
    }
}
