using System.Net;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>The CKAN door driven exactly as ckanapi drives it (see <see cref="RemoteCkan"/>): its address, methods, headers and errors.</summary>
[Collection(nameof(CatalogMembers))]
public class CkanClientTests(CatalogMembers f)
{
    private static Dictionary<string, object?> Args(params (string Key, object? Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public async Task Ckanapi_reads_the_catalog_at_api_action_by_post_and_by_get()
    {
        using var ckan = new RemoteCkan(f.BaseUri);
        using var getOnly = new RemoteCkan(f.BaseUri, getOnly: true);
        var names = (await ckan.CallActionAsync("package_list")).EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Contains("predios-sinteticos", names);
        Assert.Equal(names, (await getOnly.CallActionAsync("package_list")).EnumerateArray().Select(n => n.GetString()).ToList());
        var (_, versioned, _) = await f.GetJsonAsync("/api/3/action/package_list");
        Assert.Equal(versioned.GetProperty("result").EnumerateArray().Select(n => n.GetString()).ToList(), names);

        var pkg = await ckan.CallActionAsync("package_show", Args(("id", "localidades-zm-veracruz")));
        Assert.Equal("direccion-modernizacion", pkg.GetProperty("organization").GetProperty("name").GetString());
        var found = await getOnly.CallActionAsync("package_search", Args(("q", "localidades"), ("rows", 2), ("include_private", false)));
        Assert.True(found.GetProperty("count").GetInt32() >= 2);
        Assert.Equal(2, found.GetProperty("results").GetArrayLength());
        Assert.True((await ckan.CallActionAsync("site_read")).GetBoolean());

        // CKAN's own page of datasets with resources: newest first, 10 by default
        var current = (await ckan.CallActionAsync("current_package_list_with_resources", Args(("limit", 3)))).EnumerateArray().ToList();
        Assert.Equal(3, current.Count);
        Assert.All(current, d => Assert.True(d.GetProperty("resources").GetArrayLength() > 0));
        var modified = current.Select(d => d.GetProperty("metadata_modified").GetString()!).ToList();
        Assert.Equal(modified.OrderDescending(StringComparer.Ordinal), modified);
        var page2 = (await getOnly.CallActionAsync("current_package_list_with_resources", Args(("limit", 3), ("page", 2)))).EnumerateArray().ToList();
        Assert.Empty(page2.Select(d => d.GetProperty("name").GetString()).Intersect(current.Select(d => d.GetProperty("name").GetString())));
    }

    [Fact]
    public async Task Ckanapi_errors_map_to_its_exceptions()
    {
        using var ckan = new RemoteCkan(f.BaseUri);
        var missing = await Assert.ThrowsAsync<NotFound>(() => ckan.CallActionAsync("package_show", Args(("id", "no-existe-este-conjunto"))));
        Assert.Equal("Dataset", missing.Message);
        await Assert.ThrowsAsync<NotAuthorized>(() => ckan.CallActionAsync("package_create", Args(("name", "sin-token"), ("owner_org", PlatformFixture.DefaultOrganization))));
        using var bad = new RemoteCkan(f.BaseUri, apikey: "ovk_0000");
        await Assert.ThrowsAsync<NotAuthorized>(() => bad.CallActionAsync("package_create", Args(("name", "token-falso"))));
        var (_, token, _) = await f.StaffAsync("editor");
        using var editor = new RemoteCkan(f.BaseUri, apikey: token);
        var invalid = await Assert.ThrowsAsync<ValidationError>(() => editor.CallActionAsync("package_create", Args(("name", "Con Espacios"), ("owner_org", PlatformFixture.DefaultOrganization))));
        Assert.True(invalid.ErrorDict.TryGetProperty("name", out _));
        await Assert.ThrowsAsync<SearchQueryError>(() => ckan.CallActionAsync("package_search", Args(("facet.field", "[\"curp\"]"))));
        await Assert.ThrowsAsync<NotAuthorized>(() => ckan.CallActionAsync("datastore_search_sql", Args(("sql", "SELECT * FROM private.owners"))));
        var unknown = await Assert.ThrowsAsync<CkanApiError>(() => ckan.CallActionAsync("no_such_action"));
        Assert.Contains("Action name not known", unknown.Message);
    }

    [Fact]
    public async Task Datastore_search_next_link_keeps_the_query()
    {
        using var ckan = new RemoteCkan(f.BaseUri);
        var pkg = await ckan.CallActionAsync("package_show", Args(("id", "predios-sinteticos")));
        var id = pkg.GetProperty("resources").EnumerateArray().First(r => r.GetProperty("datastore_active").GetBoolean()).GetProperty("id").GetString()!;
        var use = await f.ScalarAsync<string>("SELECT land_use FROM cadastre.parcels GROUP BY land_use HAVING count(*) BETWEEN 60 AND 2000 ORDER BY count(*) DESC LIMIT 1");
        var expected = await f.ColumnAsync<string>($"SELECT clave FROM cadastre.parcels WHERE land_use = '{use}' ORDER BY built_area_m2 DESC, clave");

        var page = await ckan.CallActionAsync("datastore_search", Args(("resource_id", id), ("filters", new Dictionary<string, string> { ["land_use"] = use }),
            ("fields", new[] { "clave", "land_use", "built_area_m2" }), ("sort", "built_area_m2 desc"), ("limit", 25), ("include_total", true)));
        var seen = new List<string>();
        for (var pages = 0; page.GetProperty("records").GetArrayLength() > 0; pages++)
        {
            Assert.True(pages < 200, "next never ran out");
            Assert.Equal(expected.Count, page.GetProperty("total").GetInt32());
            foreach (var r in page.GetProperty("records").EnumerateArray())
            {
                Assert.Equal(use, r.GetProperty("land_use").GetString());
                Assert.Equal(3, r.EnumerateObject().Count());
                seen.Add(r.GetProperty("clave").GetString()!);
            }
            page = await ckan.FollowAsync(page.GetProperty("_links").GetProperty("next").GetString()!);
            Assert.Equal(25, page.GetProperty("limit").GetInt32());
        }
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Datastore_info_describes_a_public_resource()
    {
        using var ckan = new RemoteCkan(f.BaseUri);
        var pkg = await ckan.CallActionAsync("package_show", Args(("id", "localidades-zm-veracruz")));
        var id = pkg.GetProperty("resources").EnumerateArray().First(r => r.GetProperty("datastore_active").GetBoolean()).GetProperty("id").GetString()!;
        var info = await ckan.CallActionAsync("datastore_info", Args(("id", id)));
        Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM layers.localities"), info.GetProperty("meta").GetProperty("count").GetInt64());
        var fields = info.GetProperty("fields").EnumerateArray().ToDictionary(x => x.GetProperty("id").GetString()!);
        Assert.Equal("int8", fields["pob"].GetProperty("type").GetString());
        Assert.Equal("bigint", fields["pob"].GetProperty("schema").GetProperty("native_type").GetString());
        Assert.Contains("longitude", fields.Keys);
        var bare = await ckan.CallActionAsync("datastore_info", Args(("resource_id", id), ("include_meta", false), ("include_fields_schema", false)));
        Assert.False(bare.TryGetProperty("meta", out _));
        Assert.False(bare.GetProperty("fields")[0].TryGetProperty("schema", out _));
        await Assert.ThrowsAsync<NotFound>(() => ckan.CallActionAsync("datastore_info", Args(("id", Guid.NewGuid().ToString()))));
    }

    [Fact]
    public async Task Ckanapi_dump_datasets_all_gets_every_public_dataset_with_its_datastore_fields()
    {
        using var ckan = new RemoteCkan(f.BaseUri);
        var records = await ckan.DumpDatasetsAllAsync(datastoreFields: true);
        var (_, list, _) = await f.GetJsonAsync("/api/3/action/package_list");
        Assert.Equal(list.GetProperty("result").EnumerateArray().Select(n => n.GetString()!).ToList(), records.Select(r => r["name"]!.GetValue<string>()).ToList());
        var parcels = records.Single(r => r["name"]!.GetValue<string>() == "predios-sinteticos");
        var csv = parcels["resources"]!.AsArray().Single(r => r!["datastore_active"]!.GetValue<bool>())!;
        Assert.Contains(csv["datastore_fields"]!.AsArray(), x => x!["id"]!.GetValue<string>() == "clave");
        Assert.DoesNotContain("curp", string.Join("\n", records.Select(r => r.ToJsonString())), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Ckanapi_creates_a_dataset_and_uploads_a_file_with_its_token()
    {
        var prefix = "prueba-ckanapi-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (_, token, _) = await f.StaffAsync("editor");
            using var ckan = new RemoteCkan(f.BaseUri, apikey: token);
            var pkg = await ckan.CallActionAsync("package_create", Args(("name", prefix), ("title", "Escuelas (ckanapi)"),
                ("owner_org", PlatformFixture.DefaultOrganization), ("license_id", "cc-by-4.0"), ("tags", new[] { new { name = "escuelas" } })));
            Assert.Equal(prefix, pkg.GetProperty("name").GetString());
            var csv = Encoding.UTF8.GetBytes("nombre,nivel,lon,lat\nEscuela Niños Héroes,primaria,-96.1342,19.1738\nSecundaria Técnica 3,secundaria,-96.1401,19.1802\n");
            var res = await ckan.CallActionAsync("resource_create", Args(("package_id", prefix), ("name", "Escuelas"), ("upload", new RemoteCkan.FileValue("escuelas.csv", csv))));
            Assert.True(res.GetProperty("import_status").GetProperty("state").GetString() == "succeeded", res.ToString());
            using var anonymous = new RemoteCkan(f.BaseUri);
            var rows = await anonymous.CallActionAsync("datastore_search", Args(("resource_id", res.GetProperty("id").GetString()), ("sort", "nombre")));
            Assert.Equal("Escuela Niños Héroes", rows.GetProperty("records")[0].GetProperty("nombre").GetString());
            var shown = await anonymous.CallActionAsync("package_show", Args(("id", prefix)));
            Assert.Contains(shown.GetProperty("resources").EnumerateArray(), r => r.GetProperty("id").GetString() == res.GetProperty("id").GetString());
        }
        finally { await f.CleanDatasetsAsync(prefix); }
    }
}
