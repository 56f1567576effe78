using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Catalog;

namespace OpenVeracruz.Tests.Catalog;

[Collection(nameof(CatalogReads))]
public class CkanApiTests(CatalogReads f)
{
    private async Task<JsonElement> ResultAsync(string actionAndQuery)
    {
        var (status, json, _) = await f.GetJsonAsync("/api/3/action/" + actionAndQuery);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("success").GetBoolean());
        Assert.EndsWith("/api/3/action/help_show?name=" + actionAndQuery.Split('?')[0], json.GetProperty("help").GetString());
        return json.GetProperty("result");
    }

    private async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        var error = doc.RootElement.GetProperty("error").Clone();
        Assert.Equal(type, error.GetProperty("__type").GetString());
        return error;
    }

    // the bundled datasets (datasets/*/dataset.json): features add theirs, so counts are read from the registry
    private IReadOnlyList<OpenVeracruz.Platform.Layers.DatasetManifest> Bundled => f.Services.GetRequiredService<OpenVeracruz.Platform.Layers.LayerRegistry>().Datasets;
    private int BundledOf(string organization) => Bundled.Count(d => d.Organization == organization);

    private static List<string> Names(JsonElement searchResult) =>
        searchResult.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();

    [Fact]
    public async Task Every_registry_layer_is_a_dataset()
    {
        var names = (await ResultAsync("package_list")).EnumerateArray().Select(x => x.GetString()).ToList();
        Assert.Equal(Bundled.Select(d => d.Id).Order(StringComparer.Ordinal), names);
        Assert.All(new HashSet<string> { "localidades-censo-2020", "localidades-zm-veracruz", "municipios-zm-veracruz", "poblacion-municipal-2020", "predios-sinteticos" }, n => Assert.Contains(n, names));
        var parcels = await ResultAsync("package_show?id=predios-sinteticos");
        Assert.Equal("direccion-catastro", parcels.GetProperty("organization").GetProperty("name").GetString());
        Assert.Equal("cc-by-4.0", parcels.GetProperty("license_id").GetString());
        var extras = parcels.GetProperty("extras").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString());
        Assert.Equal("true", extras["synthetic"]);
        Assert.Contains("Polygon", extras["spatial"]);
        var formats = parcels.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("format").GetString()).ToList();
        Assert.Contains("CSV", formats);
        Assert.Contains("GeoJSON", formats);
        // the same dataset by its id
        var byId = await ResultAsync($"package_show?id={parcels.GetProperty("id").GetString()}");
        Assert.Equal("predios-sinteticos", byId.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Search_is_accent_insensitive_spanish_full_text()
    {
        var withAccent = await ResultAsync("package_search?q=población&rows=100");
        var without = await ResultAsync("package_search?q=poblacion&rows=100");
        Assert.Equal(Names(withAccent).Order(), Names(without).Order());
        Assert.Contains("poblacion-municipal-2020", Names(withAccent));
        Assert.Contains("localidades-censo-2020", Names(withAccent));
        Assert.DoesNotContain("predios-sinteticos", Names(withAccent));
        Assert.Equal(0, (await ResultAsync("package_search?q=hipopótamo")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Facets_count_what_the_search_matched()
    {
        var r = await ResultAsync("package_search?facet.field=[\"organization\",\"tags\",\"res_format\",\"license_id\",\"groups\"]&rows=0");
        Assert.Equal(Bundled.Count, r.GetProperty("count").GetInt32());
        Assert.Equal(0, r.GetProperty("results").GetArrayLength());
        var orgs = r.GetProperty("facets").GetProperty("organization");
        Assert.Equal(BundledOf("direccion-modernizacion"), orgs.GetProperty("direccion-modernizacion").GetInt32());
        Assert.Equal(1, orgs.GetProperty("direccion-catastro").GetInt32());
        Assert.Equal(Bundled.Count, r.GetProperty("facets").GetProperty("res_format").GetProperty("CSV").GetInt32());
        var items = r.GetProperty("search_facets").GetProperty("organization").GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("display_name").GetString() == "Dirección de Catastro" && i.GetProperty("count").GetInt32() == 1);
        var limited = await ResultAsync("package_search?facet.field=[\"tags\"]&facet.limit=2&facet.mincount=2&rows=0");
        var tags = limited.GetProperty("facets").GetProperty("tags").EnumerateObject().ToList();
        Assert.Equal(2, tags.Count);
        Assert.All(tags, t => Assert.True(t.Value.GetInt32() >= 2));
    }

    [Fact]
    public async Task Filter_queries_narrow_the_search()
    {
        Assert.Equal(["predios-sinteticos"], Names(await ResultAsync("package_search?fq=organization:direccion-catastro")));
        Assert.Equal(["poblacion-municipal-2020"], Names(await ResultAsync("package_search?fq=tags:\"censo 2020\" +groups:poblacion -tags:localidades AND -tags:ITER")));
        Assert.Equal(4, (await ResultAsync("package_search?fq=license_id:inegi-libre-uso")).GetProperty("count").GetInt32());
        Assert.Equal(Bundled.Count, (await ResultAsync("package_search?fq=res_format:csv")).GetProperty("count").GetInt32());
        Assert.Equal(["predios-sinteticos"], Names(await ResultAsync("package_search?q=tags:catastro")));
    }

    [Fact]
    public async Task Paging_and_sorting_are_stable()
    {
        var all = Names(await ResultAsync("package_search?sort=name asc&rows=1000"));
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        var first = Names(await ResultAsync("package_search?sort=name asc&rows=2&start=0"));
        var second = Names(await ResultAsync("package_search?sort=name asc&rows=2&start=2"));
        Assert.Equal(all.Take(4), first.Concat(second));
        var desc = Names(await ResultAsync("package_search?sort=name desc&rows=1000"));
        Assert.Equal(all.AsEnumerable().Reverse(), desc);
        var capped = await ResultAsync("package_search?rows=5000");
        Assert.Equal(Bundled.Count, capped.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Spatial_filter_by_bounding_box()
    {
        Assert.Contains("predios-sinteticos", Names(await ResultAsync("package_search?ext_bbox=-96.2,19.1,-96.1,19.2&rows=100")));
        Assert.Equal(0, (await ResultAsync("package_search?ext_bbox=-89.7,20.9,-89.5,21.1")).GetProperty("count").GetInt32()); // Mérida
        var statewide = Names(await ResultAsync("package_search?ext_bbox=-98.5,21.5,-98.0,22.0"));   // northern Veracruz state
        Assert.Equal(["poblacion-municipal-2020"], statewide);
    }

    [Fact]
    public async Task Post_with_a_json_body_answers_like_get()
    {
        var body = new StringContent("""{"q": "catastro", "rows": 1, "facet.field": ["organization"]}""", Encoding.UTF8, "application/json");
        var response = await f.Http.PostAsync("/api/3/action/package_search", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var r = doc.RootElement.GetProperty("result");
        Assert.Equal("predios-sinteticos", r.GetProperty("results")[0].GetProperty("name").GetString());
        Assert.Equal(1, r.GetProperty("facets").GetProperty("organization").GetProperty("direccion-catastro").GetInt32());
    }

    [Theory]
    [InlineData("no_such_action", HttpStatusCode.BadRequest, "Bad Request")]
    [InlineData("package_show?id=does-not-exist", HttpStatusCode.NotFound, "Not Found Error")]
    [InlineData("package_show", HttpStatusCode.Conflict, "Validation Error")]
    [InlineData("resource_show?id=00000000-0000-0000-0000-000000000000", HttpStatusCode.NotFound, "Not Found Error")]
    [InlineData("organization_show?id=nadie", HttpStatusCode.NotFound, "Not Found Error")]
    [InlineData("package_search?fq=organization", HttpStatusCode.Conflict, "Search Query Error")]
    [InlineData("package_search?fq=color:rojo", HttpStatusCode.Conflict, "Search Query Error")]
    [InlineData("package_search?q=(unbalanced", HttpStatusCode.Conflict, "Search Query Error")]
    [InlineData("package_search?sort=popularity desc", HttpStatusCode.Conflict, "Search Query Error")]
    [InlineData("package_search?facet.field=[\"colour\"]", HttpStatusCode.Conflict, "Search Query Error")]
    [InlineData("package_search?facet.field=[\"organization\"", HttpStatusCode.Conflict, "Validation Error")]
    [InlineData("package_search?rows=-1", HttpStatusCode.Conflict, "Validation Error")]
    [InlineData("package_search?rows=many", HttpStatusCode.Conflict, "Validation Error")]
    [InlineData("package_search?ext_bbox=1,2,3", HttpStatusCode.Conflict, "Validation Error")]
    [InlineData("package_create", HttpStatusCode.BadRequest, "Bad Request")] // a write action by GET, as CKAN answers it
    [InlineData("package_delete?id=predios-sinteticos", HttpStatusCode.BadRequest, "Bad Request")]
    [InlineData("help_show?name=nope", HttpStatusCode.NotFound, "Not Found Error")]
    public async Task Errors_use_ckan_status_codes_and_envelope(string actionAndQuery, HttpStatusCode status, string type) =>
        await ErrorAsync(await f.Http.GetAsync("/api/3/action/" + actionAndQuery), status, type);

    [Theory]
    [InlineData("package_create", "{}")]
    [InlineData("package_delete", "{\"id\": \"predios-sinteticos\"}")]
    public async Task Write_actions_need_a_staff_token(string action, string body) =>
        await ErrorAsync(await f.Http.PostAsync("/api/3/action/" + action, new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.Forbidden, "Authorization Error");

    [Fact]
    public async Task Broken_json_body_is_a_bad_request_and_changes_nothing()
    {
        var before = (await ResultAsync("package_list")).GetArrayLength();
        await ErrorAsync(await f.Http.PostAsync("/api/3/action/package_create", new StringContent("{\"name\": ", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "Bad Request");
        Assert.Equal(before, (await ResultAsync("package_list")).GetArrayLength());
    }

    [Fact]
    public async Task Organizations_groups_tags_licences_and_status()
    {
        Assert.Equal(["direccion-catastro", "direccion-modernizacion"], (await ResultAsync("organization_list")).EnumerateArray().Select(x => x.GetString()!).ToArray());
        var orgs = await ResultAsync("organization_list?all_fields=true&sort=package_count desc");
        Assert.Equal(BundledOf("direccion-modernizacion"), orgs[0].GetProperty("package_count").GetInt32());
        var org = await ResultAsync("organization_show?id=direccion-catastro&include_datasets=true");
        Assert.Equal("predios-sinteticos", org.GetProperty("packages")[0].GetProperty("name").GetString());
        Assert.Equal(["catastro", "limites", "poblacion"], (await ResultAsync("group_list")).EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.Equal(3, (await ResultAsync("group_show?id=poblacion")).GetProperty("package_count").GetInt32());
        var tags = (await ResultAsync("tag_list")).EnumerateArray().Select(x => x.GetString()).ToList();
        Assert.Contains("INEGI", tags);
        Assert.Contains("población", tags);
        Assert.Equal(["censo 2020"], (await ResultAsync("tag_list?query=censo")).EnumerateArray().Select(x => x.GetString()!).ToArray());
        var licences = (await ResultAsync("license_list")).EnumerateArray().Select(l => l.GetProperty("id").GetString()).ToList();
        Assert.Contains("inegi-libre-uso", licences);
        Assert.Contains("cc-by-4.0", licences);
        Assert.StartsWith("2.", (await ResultAsync("status_show")).GetProperty("ckan_version").GetString());
        Assert.Contains("rows", (await ResultAsync("help_show?name=package_search")).GetString());
    }

    [Fact]
    public async Task Resources_point_at_working_downloads_and_count_them()
    {
        var pkg = await ResultAsync("package_show?id=municipios-zm-veracruz");
        var csv = pkg.GetProperty("resources").EnumerateArray().First(r => r.GetProperty("format").GetString() == "CSV");
        var id = csv.GetProperty("id").GetString();
        var before = (await ResultAsync($"resource_show?id={id}")).GetProperty("download_count").GetInt64();
        var url = new Uri(csv.GetProperty("url").GetString()!);
        Assert.Equal(f.BaseUri.Authority, url.Authority);
        var download = await f.Http.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(6, (await download.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(before + 1, (await ResultAsync($"resource_show?id={id}")).GetProperty("download_count").GetInt64());
        foreach (var r in pkg.GetProperty("resources").EnumerateArray())
            Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync(new Uri(r.GetProperty("url").GetString()!).PathAndQuery)).StatusCode);
    }

    [Fact]
    public async Task Syncing_again_keeps_ids_and_counts()
    {
        var pkg = await ResultAsync("package_show?id=localidades-censo-2020");
        await using var scope = f.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CatalogSync>().SyncAsync();
        var again = await ResultAsync("package_show?id=localidades-censo-2020");
        Assert.Equal(pkg.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal(pkg.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()),
            again.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(Bundled.Count, (await ResultAsync("package_list")).GetArrayLength());
    }
}
