using System.Net;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>Staff write actions. Every test removes the datasets it made.</summary>
[Collection(nameof(CatalogWrites))]
public class CkanWriteTests(CatalogWrites f)
{
    private static Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(HttpClient client, string action, object body) =>
        PlatformFixture.CkanAsync(client, action, body);

    private HttpClient WithToken(string token)
    {
        var c = f.NewClient();
        c.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        return c;
    }

    private Task CleanAsync(string prefix) => f.CleanDatasetsAsync(prefix);

    private static object NewDataset(string name, bool isPrivate = false) => new
    {
        name, title = "Sitios WiFi públicos", notes = "Ubicación de los puntos de acceso gratuito (prueba).", owner_org = "direccion-modernizacion",
        license_id = "cc-by-4.0", @private = isPrivate, tags = new[] { new { name = "wifi" }, new { name = "conectividad" } }, groups = new[] { new { name = "limites" } },
        extras = new[] { new { key = "frequency", value = "mensual" } },
        resources = new[] { new { url = "https://datos.example.org/wifi.csv", name = "Sitios WiFi", format = "CSV" } },
    };

    [Fact]
    public async Task Editor_creates_a_dataset_that_every_read_action_then_shows()
    {
        var prefix = "prueba-crear-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (_, token, _) = await f.StaffAsync("editor");
            var (status, created) = await CallAsync(WithToken(token), "package_create", NewDataset(prefix));
            Assert.Equal(HttpStatusCode.OK, status);
            var pkg = created.GetProperty("result");
            Assert.Equal(prefix, pkg.GetProperty("name").GetString());
            Assert.Equal("CSV", pkg.GetProperty("resources")[0].GetProperty("format").GetString());
            var (_, shown, _) = await f.GetJsonAsync($"/api/3/action/package_show?id={prefix}");
            Assert.Equal(["conectividad", "wifi"], shown.GetProperty("result").GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
            var (_, found, _) = await f.GetJsonAsync("/api/3/action/package_search?q=wifi");
            Assert.Contains(found.GetProperty("result").GetProperty("results").EnumerateArray(), r => r.GetProperty("name").GetString() == prefix);
        }
        finally { await CleanAsync(prefix); }
    }

    [Fact]
    public async Task Validation_reports_every_bad_field_and_saves_nothing()
    {
        var (_, token, _) = await f.StaffAsync("editor");
        var before = await f.ScalarAsync<long>("SELECT count(*) FROM catalog.datasets");
        var (status, body) = await CallAsync(WithToken(token), "package_create", new { name = "Con Espacios", owner_org = "no-existe", license_id = "todos-los-derechos" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        var error = body.GetProperty("error");
        Assert.Equal("Validation Error", error.GetProperty("__type").GetString());
        Assert.True(error.TryGetProperty("name", out _));
        Assert.True(error.TryGetProperty("owner_org", out _));
        Assert.True(error.TryGetProperty("license_id", out _));
        Assert.Equal(before, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.datasets"));
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_leave_exactly_one_dataset()
    {
        var name = "prueba-carrera-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (_, token, _) = await f.StaffAsync("editor");
            var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => CallAsync(WithToken(token), "package_create", NewDataset(name))));
            Assert.Equal(1, results.Count(r => r.Status == HttpStatusCode.OK));
            Assert.All(results.Where(r => r.Status != HttpStatusCode.OK), r =>
            {
                Assert.Equal(HttpStatusCode.Conflict, r.Status);
                Assert.Equal("That URL is already in use.", r.Body.GetProperty("error").GetProperty("name")[0].GetString());
            });
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.datasets WHERE name = @n", ("n", name)));
        }
        finally { await CleanAsync(name); }
    }

    [Fact]
    public async Task Patch_changes_only_what_it_names_and_update_keeps_resources()
    {
        var name = "prueba-parche-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (_, token, _) = await f.StaffAsync("editor");
            var client = WithToken(token);
            await CallAsync(client, "package_create", NewDataset(name));
            var (_, patched) = await CallAsync(client, "package_patch", new { id = name, title = "Sitios WiFi (actualizado)" });
            var p = patched.GetProperty("result");
            Assert.Equal("Sitios WiFi (actualizado)", p.GetProperty("title").GetString());
            Assert.Equal(2, p.GetProperty("num_tags").GetInt32());
            var (_, updated) = await CallAsync(client, "package_update", new { id = name, name, title = "Otro título", owner_org = "direccion-modernizacion", notes = "" });
            Assert.Equal(1, updated.GetProperty("result").GetProperty("num_resources").GetInt32());
            var (added, resource) = await CallAsync(client, "resource_create", new { package_id = name, url = "https://datos.example.org/wifi.geojson", name = "Mapa" });
            Assert.Equal(HttpStatusCode.OK, added);
            Assert.Equal("GEOJSON", resource.GetProperty("result").GetProperty("format").GetString());
            var (badUrl, _) = await CallAsync(client, "resource_create", new { package_id = name, url = "javascript:alert(1)" });
            Assert.Equal(HttpStatusCode.Conflict, badUrl);
        }
        finally { await CleanAsync(name); }
    }

    [Fact]
    public async Task Private_datasets_are_for_staff_only()
    {
        var name = "prueba-privado-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (_, token, _) = await f.StaffAsync("editor");
            var staff = WithToken(token);
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(staff, "package_create", NewDataset(name, isPrivate: true))).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/api/3/action/package_show?id={name}")).StatusCode);
            var (_, anonymous, _) = await f.GetJsonAsync("/api/3/action/package_search?q=wifi&include_private=true");
            Assert.DoesNotContain(anonymous.GetProperty("result").GetProperty("results").EnumerateArray(), r => r.GetProperty("name").GetString() == name);
            var (_, forStaff) = await CallAsync(staff, "package_search", new { q = "wifi", include_private = true });
            Assert.Contains(forStaff.GetProperty("result").GetProperty("results").EnumerateArray(), r => r.GetProperty("name").GetString() == name);
            Assert.DoesNotContain(name, await f.Http.GetStringAsync("/api/3/action/package_list"));
        }
        finally { await CleanAsync(name); }
    }

    [Fact]
    public async Task Authorization_matrix_of_the_write_actions()
    {
        var name = "prueba-matriz-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var tokens = new Dictionary<string, HttpClient> { ["anonymous"] = f.NewClient(), ["bad-token"] = WithToken("ovk_0000") };
            foreach (var role in new[] { "viewer", "editor", "supervisor", "admin" }) tokens[role] = WithToken((await f.StaffAsync(role)).Token);
            var canWrite = new[] { "editor", "supervisor", "admin" };
            var canDelete = new[] { "supervisor", "admin" };
            foreach (var (who, client) in tokens)
            {
                var (create, _) = await CallAsync(client, "package_create", NewDataset($"{name}-{who}"));
                Assert.Equal(canWrite.Contains(who) ? HttpStatusCode.OK : HttpStatusCode.Forbidden, create);
                var (patch, _) = await CallAsync(client, "package_patch", new { id = $"{name}-editor", title = "x" });
                Assert.Equal(canWrite.Contains(who) ? HttpStatusCode.OK : HttpStatusCode.Forbidden, patch);
            }
            foreach (var (who, client) in tokens.Where(t => t.Key != "admin"))
            {
                var (delete, body) = await CallAsync(client, "package_delete", new { id = $"{name}-editor" });
                if (canDelete.Contains(who)) { Assert.Equal(HttpStatusCode.OK, delete); break; }
                Assert.Equal(HttpStatusCode.Forbidden, delete);
                Assert.Equal("Authorization Error", body.GetProperty("error").GetProperty("__type").GetString());
            }
            Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/api/3/action/package_show?id={name}-editor")).StatusCode);
            // bundled datasets are changed in their dataset.json, not through the API
            var (bundled, why) = await CallAsync(tokens["admin"], "package_patch", new { id = "predios-sinteticos", title = "x" });
            Assert.Equal(HttpStatusCode.Conflict, bundled);
            Assert.Contains("dataset.json", why.GetProperty("error").GetProperty("message").GetString());
        }
        finally { await CleanAsync(name); }
    }

    [Fact]
    public async Task Search_pages_beyond_a_thousand_datasets()
    {
        var prefix = "prueba-pagina-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            // bulk rows straight into the catalog (1,005 HTTP creates would only slow the suite)
            await using (var cmd = f.Db.CreateCommand("""
                INSERT INTO catalog.datasets (id, name, title, notes, organization_id, license_id, private, state, source_url, source_name, attribution, version, origin, synthetic, update_frequency, temporal_coverage, metadata_created, metadata_modified)
                SELECT gen_random_uuid(), @p || '-' || lpad(i::text, 4, '0'), 'Prueba ' || i, '', (SELECT id FROM catalog.organizations WHERE name = 'direccion-catastro'), 'cc-by-4.0', false, 'active', '', '', '', '', 'api', false, '', '', now(), now()
                FROM generate_series(1, 1005) i;
                INSERT INTO catalog.dataset_tags (dataset_id, name) SELECT id, @p FROM catalog.datasets WHERE name LIKE @p || '-%';
                """))
            {
                cmd.Parameters.AddWithValue("p", prefix);
                await cmd.ExecuteNonQueryAsync();
            }
            var (_, first, _) = await f.GetJsonAsync($"/api/3/action/package_search?fq=tags:{prefix}&rows=1000&sort=name asc");
            var (_, second, _) = await f.GetJsonAsync($"/api/3/action/package_search?fq=tags:{prefix}&rows=1000&start=1000&sort=name asc");
            Assert.Equal(1005, first.GetProperty("result").GetProperty("count").GetInt32());
            var a = first.GetProperty("result").GetProperty("results").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
            var b = second.GetProperty("result").GetProperty("results").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
            Assert.Equal(1000, a.Count);
            Assert.Equal(5, b.Count);
            Assert.Empty(a.Intersect(b));
            Assert.Equal($"{prefix}-1005", b[^1]);
        }
        finally { await CleanAsync(prefix); }
    }
}
