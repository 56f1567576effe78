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
        var registry = f.Services.GetRequiredService<OpenVeracruz.Platform.Layers.LayerRegistry>();
        Assert.Equal(registry.Datasets.Count(d => d.Layer is not null), layers.Keys.Count(k => !k.StartsWith("u_", StringComparison.Ordinal))); // u_…: uploads
        Assert.All(new HashSet<string> { "parcels", "localities", "municipalities", "census_localities_2020", "state_municipalities_2020" }, n => Assert.Contains(n, layers.Keys));
        Assert.True(layers["parcels"].GetProperty("synthetic").GetBoolean());
        Assert.Equal(14, layers["parcels"].GetProperty("minZoom").GetInt32()); // every parcel from z14, in vector tiles
        Assert.Equal("/ogc/collections/parcels/tiles/WebMercatorQuad/{z}/{y}/{x}", layers["parcels"].GetProperty("tilesUrl").GetString());
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
    public async Task A_cadastre_staff_have_edited_is_not_regenerated_when_its_inputs_change()
    {
        // staff work in the cadastre: a (rejected) proposal is enough to make a regeneration a loss
        var edit = await f.ScalarAsync<long>("""
            INSERT INTO cadastre.parcel_edits (kind, target_claves, base_versions, payload, reason, state, proposed_by, proposed_at)
            VALUES ('attributes', '{}', '{}', '{}', 'prueba de regeneración', 'rejected', 'pruebas', now()) RETURNING id
            """);
        try
        {
            var parcels = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels");
            await using var scope = f.Services.CreateAsyncScope();
            var loader = scope.ServiceProvider.GetRequiredService<DatasetLoader>();
            var layer = scope.ServiceProvider.GetRequiredService<OpenVeracruz.Platform.Layers.LayerRegistry>().Find("parcels")!;
            // another parcel count is another input: without staff work this would lay the cadastre out again
            var report = await loader.LoadParcelsAsync(layer, PlatformFixture.ParcelCount + 1);
            Assert.True(report.Skipped);
            Assert.Equal(parcels, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels"));
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_edits WHERE id = @id", ("id", edit)));
        }
        finally
        {
            await f.ScalarAsync<int>("WITH d AS (DELETE FROM cadastre.parcel_edits WHERE id = @id RETURNING 1) SELECT count(*)::int FROM d", ("id", edit));
        }
    }

    [Theory]
    [InlineData("/package.json")]
    [InlineData("/package-lock.json")]
    [InlineData("/node_modules/leaflet/package.json")]
    [InlineData("/node_modules/.package-lock.json")]
    [InlineData("/README.md")]
    [InlineData("/NODE_MODULES/leaflet/dist/leaflet.js")]
    public async Task Only_what_the_pages_use_is_served(string path)
    {
        var response = await f.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Page_modules_are_sent_compressed_to_browsers_that_ask()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/vendor/leaflet/leaflet-src.esm.js");
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");
        var response = await f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Content.Headers.ContentEncoding, e => e is "br" or "gzip");
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length < 200_000, "Leaflet's 425 KB module goes compressed");
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/lib/api.js", "text/javascript")]
    [InlineData("/vendor/leaflet/leaflet-src.esm.js", "text/javascript")]
    [InlineData("/vendor/geoman/leaflet-geoman.css", "text/css")]
    public async Task The_pages_and_their_libraries_are_served(string path, string type)
    {
        var response = await f.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
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
            // WiFi spaces: no controller key, key prefix or heartbeat column leaves (counts only, no MAC or IP exists)
            "/ogc/collections/wifi_sites/items", "/downloads/wifi_sites.csv", "/odata/WifiSites", "/api/wifi/indicator?year=2025",
            "/downloads/wifi_connections_daily.csv", "/downloads/wifi_connections_monthly.geojson", "/odata/WifiConnectionsMonthly",
            // coverage and the nearest spaces (also from this clave): sites and census sums only, no health or ticket column
            "/api/wifi/coverage", "/api/wifi/nearest?lon=-96.137&lat=19.199", $"/api/wifi/nearest?clave={clave}", "/wifi/", "/wifi/main.js",
            // IT maintenance: the buildings layer (no inventory, serials or internal notes) and the C9A1 counts
            "/ogc/collections/municipal_buildings/items", "/downloads/municipal_buildings.csv", "/odata/MunicipalBuildings", "/api/maintenance/indicator",
            // Multipagos: the debt and the order of a parcel are public to whoever knows the clave; never its owner, never a kiosk key
            $"/api/payments/predial/{clave}", "/api/payments/concepts", "/api/payments/predial/parameters", "/api/payments/predial/parameters/2026/history",
            "/ogc/collections/payment_kiosks/items", "/downloads/payment_kiosks.csv", "/odata/PaymentKiosks", "/api/payments/indicator",
            "/downloads/payments_daily.csv", "/odata/PaymentsDaily", "/ogc/collections/predial_blocks/items?limit=100", "/downloads/predial_blocks.csv",
        };
        // vector tiles: their metadata as text, and the tiles decoded (attribute names and values) at a thinned and a full zoom
        var tileTexts = new List<(string Url, string Text)>();
        foreach (var layer in new[] { "parcels", "wifi_sites", "offices", "wifi_connections_daily" })
        {
            foreach (var meta in new[] { "tiles", "tiles/WebMercatorQuad", "tiles/WebMercatorQuad/tilejson.json" })
                tileTexts.Add(($"/ogc/collections/{layer}/{meta}", await f.Http.GetStringAsync($"/ogc/collections/{layer}/{meta}")));
            foreach (var z in new[] { 12, 14, 16 })
            {
                var t = OpenVeracruz.Platform.Tiles.TileMath.At(z, lon, lat);
                var url = $"/ogc/collections/{layer}/tiles/WebMercatorQuad/{z}/{t.Y}/{t.X}";
                var bytes = await f.Http.GetByteArrayAsync(url);
                var tile = new NetTopologySuite.IO.VectorTiles.Mapbox.MapboxTileReader().Read(new MemoryStream(bytes), new NetTopologySuite.IO.VectorTiles.Tiles.Tile(t.X, t.Y, t.Z));
                tileTexts.Add((url, string.Join("\n", tile.Layers.SelectMany(l => l.Features).SelectMany(x => x.Attributes.GetNames().Select(n => $"{n}={x.Attributes[n]}")))));
            }
        }
        Assert.Contains(tileTexts, t => t.Text.Contains($"clave={clave}"));
        foreach (var (url, body) in tileTexts)
        {
            foreach (var s in secrets) Assert.DoesNotContain(s, body);
            Assert.DoesNotContain("curp", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch("ovw_[0-9a-f]{8}", body);
            Assert.DoesNotContain("last_heartbeat", body, StringComparison.OrdinalIgnoreCase);
            Assert.False(string.IsNullOrEmpty(url));
        }
        foreach (var url in urls)
        {
            var body = await f.Http.GetStringAsync(url);
            foreach (var s in secrets) Assert.DoesNotContain(s, body);
            Assert.DoesNotContain("curp", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch("ovw_[0-9a-f]{8}", body);
            Assert.DoesNotContain("last_heartbeat", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("problem_since", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("internal_notes", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("@pruebas.veracruz.gob.mx", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch("ovk_[0-9a-f]{8}", body);
        }
        // a payment order of that parcel, as the citizen and the kiosk see it
        var order = await f.Http.PostAsync("/api/payments/orders", PlatformFixture.Json(new { clave }));
        Assert.True(order.IsSuccessStatusCode, await order.Content.ReadAsStringAsync());
        var orderBody = await order.Content.ReadAsStringAsync();
        var reference = JsonDocument.Parse(orderBody).RootElement.GetProperty("reference").GetString();
        foreach (var body in new[] { orderBody, await f.Http.GetStringAsync($"/api/payments/orders/{reference}") })
            foreach (var s in secrets) Assert.DoesNotContain(s, body);
        // Cero Filas: a booking's person never appears in the offices layer, the lists, the slots or the manage view
        var svc = await Appointments.CitasKit.NewServiceAsync(f, desks: 1);
        var day = await Appointments.CitasKit.FreeDayAsync(f);
        var citizen = Appointments.CitasKit.Citizen(f);
        var curp = Appointments.CitasKit.NewCurp();
        var (booked, confirmation) = await Appointments.CitasKit.BookAsync(citizen, svc.ServiceId, Appointments.CitasKit.At(day, "09:00"), curp, "zoila.ñandú@example.mx", "Zoila Ñandú");
        Assert.Equal(HttpStatusCode.Created, booked);
        var (folio, token) = (confirmation.GetProperty("folio").GetString()!, confirmation.GetProperty("token").GetString()!);
        var booking = new[] { curp, "Zoila", "Ñandú", "Núñez", "zoila.", "2291234567", "229 123 4567" };
        try
        {
            foreach (var url in new[]
            {
                "/api/appointments/procedures", "/api/appointments/offices", $"/api/appointments/offices?procedure={svc.Procedure}",
                $"/api/appointments/services/{svc.ServiceId}/slots?date={day:yyyy-MM-dd}", $"/api/appointments/services/{svc.ServiceId}/days",
                "/ogc/collections/offices/items", "/downloads/offices.csv", "/downloads/offices.geojson", "/api/appointments/holidays",
                $"/api/appointments/{folio}?token={token}", $"/api/appointments/{folio}/calendar.ics?token={token}",
                // the back office's public outputs: the daily open dataset through the doors, the indicator
                "/api/appointments/indicator", "/api/appointments/indicator?year=2025", "/ogc/collections/appointments_daily/items?limit=1000",
                "/downloads/appointments_daily.csv", "/downloads/appointments_daily.geojson", "/odata/AppointmentsDaily?$top=1000",
                "/swagger/v1/swagger.json", $"/api/screens/{svc.OfficeCode}",
            })
            {
                var body = await f.Http.GetStringAsync(url);
                foreach (var s in booking.Concat(secrets)) Assert.DoesNotContain(s, body);
                Assert.DoesNotContain("\"curp\"", body, StringComparison.OrdinalIgnoreCase);
            }
            // the pages are static files (the booking form names a "curp" field; no person's value is ever in them)
            foreach (var url in new[]
            {
                "/citas/", "/citas/main.js", "/citas/cita/", "/citas/cita/main.js", "/lib/citas.js", "/citas/consola/", "/citas/consola/main.js", "/citas/encuesta/", "/citas/encuesta/main.js",
                $"/turnos/{svc.OfficeCode}", "/turnos/main.js", $"/kiosko/citas/{svc.OfficeCode}", "/kiosko/citas/main.js",
            })
            {
                var body = await f.Http.GetStringAsync(url);
                foreach (var s in booking.Concat(secrets)) Assert.DoesNotContain(s, body);
            }
            // the folio alone answers like an unknown one
            var alone = await f.Http.GetAsync($"/api/appointments/{folio}");
            Assert.Equal(HttpStatusCode.NotFound, alone.StatusCode);
            foreach (var s in booking) Assert.DoesNotContain(s, await alone.Content.ReadAsStringAsync());
        }
        finally
        {
            await using var off = f.Db.CreateCommand($"UPDATE appointments.offices SET active = false WHERE id = {svc.OfficeId}");
            await off.ExecuteNonQueryAsync();
        }

        // the pages are static: no value of the cadastre's owners is ever written into them (the editor asks the API, as staff)
        foreach (var page in new[] { "/", "/app.js", "/history.js", "/editor/", "/editor/editor.js", "/datos/", "/citas/reportes/", "/citas/reportes/main.js", "/pagos/", "/pagos/main.js",
            "/pagos/sw.js", "/pagos/manifest.webmanifest", "/kiosko/pagos/KIO-01", "/kiosko/pagos/main.js", "/pagos/personal/", "/pagos/personal/main.js" })
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
