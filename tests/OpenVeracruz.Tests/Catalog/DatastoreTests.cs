using System.Net;
using System.Text.Json;

namespace OpenVeracruz.Tests.Catalog;

[Collection(nameof(CatalogReads))]
public class DatastoreTests(CatalogReads f)
{
    private async Task<string> CsvResourceAsync(string dataset)
    {
        var (_, pkg, _) = await f.GetJsonAsync($"/api/3/action/package_show?id={dataset}");
        var csv = pkg.GetProperty("result").GetProperty("resources").EnumerateArray().First(r => r.GetProperty("datastore_active").GetBoolean());
        return csv.GetProperty("id").GetString()!;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SearchAsync(string query)
    {
        var (status, json, _) = await f.GetJsonAsync("/api/3/action/datastore_search?" + query);
        return (status, json);
    }

    [Fact]
    public async Task Records_total_fields_and_paging_links()
    {
        var id = await CsvResourceAsync("predios-sinteticos");
        var (status, body) = await SearchAsync($"resource_id={id}");
        Assert.Equal(HttpStatusCode.OK, status);
        var r = body.GetProperty("result");
        Assert.Equal(PlatformFixture.ParcelCount, r.GetProperty("total").GetInt32());
        Assert.Equal(100, r.GetProperty("records").GetArrayLength());
        var fields = r.GetProperty("fields").EnumerateArray().ToDictionary(x => x.GetProperty("id").GetString()!, x => x.GetProperty("type").GetString());
        Assert.Equal("text", fields["clave"]);
        Assert.Equal("float8", fields["cadastral_value"]);
        Assert.Equal("float8", fields["longitude"]);
        Assert.DoesNotContain(fields.Keys, k => k.Contains("owner") || k.Contains("curp"));
        var next = r.GetProperty("_links").GetProperty("next").GetString()!;
        var (_, page2, _) = await f.GetJsonAsync(next);
        var firstKeys = r.GetProperty("records").EnumerateArray().Select(x => x.GetProperty("clave").GetString()).ToHashSet();
        Assert.DoesNotContain(page2.GetProperty("result").GetProperty("records").EnumerateArray(), x => firstKeys.Contains(x.GetProperty("clave").GetString()));
    }

    [Fact]
    public async Task Filters_text_fields_sort_and_formats()
    {
        var id = await CsvResourceAsync("localidades-zm-veracruz");
        var (_, filtered) = await SearchAsync($"resource_id={id}&filters={{\"ambito\":\"URBANO\",\"cve_mun\":[\"193\",\"028\"]}}&fields=nom_loc,pob&sort=pob desc&limit=1000");
        var r = filtered.GetProperty("result");
        var expected = await f.ScalarAsync<long>("SELECT count(*) FROM layers.localities WHERE ambito = 'URBANO' AND cve_mun IN ('193','028')");
        Assert.Equal(expected, r.GetProperty("total").GetInt64());
        var records = r.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal("Veracruz", records[0].GetProperty("nom_loc").GetString());
        Assert.Equal(2, records[0].EnumerateObject().Count());
        var pops = records.Select(x => x.GetProperty("pob").GetInt64()).ToList();
        Assert.Equal(pops.OrderDescending(), pops);

        var (_, text) = await SearchAsync($"resource_id={id}&q=Río&fields=nom_loc&records_format=lists&limit=1000");
        var names = text.GetProperty("result").GetProperty("records").EnumerateArray().Select(x => x[0].GetString()!).ToList();
        Assert.Contains("Boca del Río", names);
        Assert.All(names, n => Assert.Contains("río", n, StringComparison.OrdinalIgnoreCase));

        var (_, csv) = await SearchAsync($"resource_id={id}&filters={{\"cvegeo\":\"301930001\"}}&fields=cvegeo,nom_loc,pob&records_format=csv");
        Assert.Equal("301930001,Veracruz,405952\n", csv.GetProperty("result").GetProperty("records").GetString());
    }

    [Fact]
    public async Task Limit_is_capped_at_32000()
    {
        var id = await CsvResourceAsync("predios-sinteticos");
        var (_, body) = await SearchAsync($"resource_id={id}&limit=50000&fields=clave&include_total=false");
        var r = body.GetProperty("result");
        Assert.Equal(32000, r.GetProperty("limit").GetInt32());
        Assert.Equal(Math.Min(32000, PlatformFixture.ParcelCount), r.GetProperty("records").GetArrayLength());
        Assert.False(r.TryGetProperty("total", out _));
    }

    [Theory]
    [InlineData("filters={\"owner\":\"x\"}", "Validation Error")]
    [InlineData("filters={\"zone\":\"uno\"}", "Validation Error")]
    [InlineData("filters=[1,2]", "Validation Error")]
    [InlineData("fields=clave,curp", "Validation Error")]
    [InlineData("sort=clave sideways", "Validation Error")]
    [InlineData("records_format=xml", "Validation Error")]
    [InlineData("limit=-5", "Validation Error")]
    public async Task Bad_parameters_are_validation_errors(string query, string type)
    {
        var id = await CsvResourceAsync("predios-sinteticos");
        var (status, body) = await SearchAsync($"resource_id={id}&{query}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(type, body.GetProperty("error").GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Unknown_or_non_datastore_resources_are_not_found()
    {
        var (status, _) = await SearchAsync("resource_id=00000000-0000-0000-0000-000000000000");
        Assert.Equal(HttpStatusCode.NotFound, status);
        var (_, pkg, _) = await f.GetJsonAsync("/api/3/action/package_show?id=predios-sinteticos");
        var geojson = pkg.GetProperty("result").GetProperty("resources").EnumerateArray().First(r => !r.GetProperty("datastore_active").GetBoolean()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await SearchAsync($"resource_id={geojson}")).Status);
    }
}
