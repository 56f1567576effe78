using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Etl;

namespace OpenVeracruz.Tests.Layers;

[Collection(nameof(Doors))]
public class PlatformTests(Doors f)
{
    [Fact]
    public async Task Layer_list_feeds_the_map_from_the_registry()
    {
        var (status, json, _) = await f.GetJsonAsync("/api/layers");
        Assert.Equal(HttpStatusCode.OK, status);
        var layers = json.EnumerateArray().ToDictionary(l => l.GetProperty("id").GetString()!);
        Assert.Equal(5, layers.Count);
        Assert.True(layers["parcels"].GetProperty("synthetic").GetBoolean());
        Assert.Equal(16, layers["parcels"].GetProperty("minZoom").GetInt32());
        Assert.Contains("INEGI", layers["localities"].GetProperty("attribution").GetString());
        Assert.Equal("/ogc/collections/localities/items", layers["localities"].GetProperty("itemsUrl").GetString());
    }

    [Fact]
    public async Task Bundled_data_is_real_inegi_data()
    {
        Assert.Equal(607209L, await f.ScalarAsync<long>("SELECT pob FROM layers.municipalities WHERE cvegeo = '30193'"));
        Assert.Equal(184L, await f.ScalarAsync<long>("SELECT count(*) FROM layers.localities"));
        Assert.Equal(212L, await f.ScalarAsync<long>("SELECT count(*) FROM layers.state_municipalities_2020 WHERE pobtot > 0"));
        Assert.True(await f.ScalarAsync<bool>("SELECT bool_and(ST_IsValid(geom)) FROM layers.localities"));
    }

    [Fact]
    public async Task Parcels_lie_inside_urban_localities_and_never_overlap()
    {
        Assert.Equal(0L, await f.ScalarAsync<long>("""
            SELECT count(*) FROM cadastre.parcels p
            WHERE NOT EXISTS (SELECT 1 FROM layers.localities l WHERE l.ambito = 'URBANO' AND ST_Covers(l.geom, p.geom))
            """));
        // generated parcels never overlap; approved edits may leave at most the editing tolerance (0.05 m²)
        Assert.Equal(0L, await f.ScalarAsync<long>("""
            SELECT count(*) FROM cadastre.parcels a JOIN cadastre.parcels b ON a.id < b.id AND a.geom && b.geom
            WHERE ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 0.05
            """));
    }

    [Fact]
    public async Task Loading_again_changes_nothing()
    {
        var before = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels");
        var maxId = await f.ScalarAsync<long>("SELECT max(id) FROM cadastre.parcels");
        await using var scope = f.Services.CreateAsyncScope();
        var reports = await scope.ServiceProvider.GetRequiredService<DatasetLoader>().LoadAllAsync(PlatformFixture.ParcelCount);
        Assert.All(reports, r => Assert.True(r.Skipped, $"{r.DatasetId} was loaded again"));
        Assert.Equal(before, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels"));
        Assert.Equal(maxId, await f.ScalarAsync<long>("SELECT max(id) FROM cadastre.parcels"));
        Assert.Equal(184L, await f.ScalarAsync<long>("SELECT count(*) FROM layers.localities"));
    }

    [Fact]
    public async Task Swagger_describes_the_rest_endpoints_with_examples()
    {
        var (status, doc, _) = await f.GetJsonAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = doc.GetProperty("paths");
        foreach (var p in new[] { "/api/cadastre/parcels/{clave}", "/api/cadastre/parcels/at", "/api/cadastre/parcels/near", "/api/cadastre/parcels/intersects", "/api/cadastre/stats", "/api/layers", "/downloads/{layer}.csv" })
            Assert.True(paths.TryGetProperty(p, out _), $"{p} is missing from Swagger");
        var clave = paths.GetProperty("/api/cadastre/parcels/{clave}").GetProperty("get").GetProperty("parameters")[0];
        Assert.Equal("001-0001-001", clave.GetProperty("example").GetString());
        Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync("/swagger/index.html")).StatusCode);
    }

    [Fact]
    public async Task Unknown_routes_are_problems()
    {
        var r = await f.Http.GetAsync("/api/does-not-exist");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>No owner value (name, CURP, phone, e-mail) may appear in any public response.</summary>
    [Fact]
    public async Task No_personal_data_in_any_public_door()
    {
        var (clave, lon, lat) = await f.SomeParcelAsync();
        await using var cmd = f.Db.CreateCommand("SELECT o.full_name, o.curp, o.phone, o.email FROM private.owners o JOIN cadastre.parcels p ON p.id = o.parcel_id WHERE p.clave = @c");
        cmd.Parameters.AddWithValue("c", clave);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), "the synthetic owner exists");
        var secrets = new[] { r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3) };
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var urls = new[]
        {
            $"/api/cadastre/parcels/{clave}", $"/api/cadastre/parcels/at?lon={lon.ToString(inv)}&lat={lat.ToString(inv)}",
            $"/api/cadastre/parcels/near?lon={lon.ToString(inv)}&lat={lat.ToString(inv)}&radius_m=30",
            $"/ogc/collections/parcels/items/{clave}", "/ogc/collections/parcels/items?limit=10000", "/ogc/collections/parcels/queryables",
            "/odata/Parcels?$top=5000", "/odata/$metadata", "/downloads/parcels.csv?geometry=wkt", "/downloads/parcels.geojson",
            "/api/layers", "/swagger/v1/swagger.json", "/ogc/api",
            $"/api/cadastre/parcels/{clave}/history", $"/api/cadastre/parcels/{clave}?asOf={DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}",
            $"/api/cadastre/parcels/at?lon={lon.ToString(inv)}&lat={lat.ToString(inv)}&asOf={DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}",
            $"/ogc/collections/parcels/items?limit=10000&datetime={DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}",
            "/api/cadastre/valuation-zones", "/api/cadastre/construction-types", "/api/cadastre/land-uses",
            "/api/cadastre/valuation-zones/VZ-01/history",
        };
        foreach (var url in urls)
        {
            var body = await f.Http.GetStringAsync(url);
            foreach (var s in secrets) Assert.DoesNotContain(s, body);
            Assert.DoesNotContain("curp", body, StringComparison.OrdinalIgnoreCase);
        }
        // the pages are static: no value of the cadastre's owners is ever written into them (the editor asks the API, as staff)
        foreach (var page in new[] { "/", "/app.js", "/history.js", "/editor/", "/editor/editor.js", "/datos/" })
        {
            var body = await f.Http.GetStringAsync(page);
            foreach (var s in secrets) Assert.DoesNotContain(s, body);
        }
    }
}

[Collection(nameof(Doors))]
public class DatasetFolderTests(Doors f)
{
    [Fact]
    public async Task One_bundled_folder_loads_on_its_own_and_an_unknown_folder_is_refused()
    {
        await using var scope = f.Services.CreateAsyncScope();
        var loader = scope.ServiceProvider.GetRequiredService<DatasetLoader>();
        var registry = scope.ServiceProvider.GetRequiredService<OpenVeracruz.Platform.Layers.LayerRegistry>();
        var folder = Path.Combine(registry.DatasetsPath, "municipios-zm-veracruz");
        var report = await loader.LoadFolderAsync(folder);
        Assert.Equal("municipios-zm-veracruz", report.DatasetId);
        Assert.True(report.Skipped, "unchanged content is not loaded again");
        Assert.Equal(5L, await f.ScalarAsync<long>("SELECT count(*) FROM layers.municipalities"));
        await Assert.ThrowsAsync<ArgumentException>(() => loader.LoadFolderAsync(Path.Combine(registry.DatasetsPath, "no-existe")));
    }
}
