using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Cadastre;

[Collection(nameof(CadastreEditing))]
public class ParcelEndpointTests(CadastreEditing f)
{
    private static string Inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Parcel_by_clave_has_the_public_fields_and_a_geometry()
    {
        var (clave, _, _) = await f.SomeParcelAsync();
        var (status, json, _) = await f.GetJsonAsync($"/api/cadastre/parcels/{clave}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(clave, json.GetProperty("clave").GetString());
        var area = await f.ScalarAsync<double>("SELECT land_area_m2 FROM cadastre.parcels WHERE clave = @c", ("c", clave));
        Assert.Equal(area, json.GetProperty("landAreaM2").GetDouble());
        Assert.Equal("Polygon", json.GetProperty("geometry").GetProperty("type").GetString());
        Assert.True(json.GetProperty("cadastralValue").GetDecimal() > 0);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("landUseLabel").GetString()));
        // land value per m² comes from the valuation-zone table
        Assert.Equal(json.GetProperty("landValue").GetDecimal(),
            Math.Round((decimal)json.GetProperty("landAreaM2").GetDouble() * json.GetProperty("landValuePerM2").GetDecimal(), 2));
    }

    [Fact]
    public async Task Malformed_and_unknown_claves_are_problems()
    {
        var bad = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/cadastre/parcels/12-34"), HttpStatusCode.BadRequest);
        Assert.Contains("zona-manzana-lote", bad.GetProperty("detail_es").GetString());
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/cadastre/parcels/999-9999-999"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task At_finds_the_parcel_containing_the_point_and_404s_in_the_street()
    {
        var (clave, lon, lat) = await f.SomeParcelAsync();
        var (status, json, _) = await f.GetJsonAsync($"/api/cadastre/parcels/at?lon={Inv(lon)}&lat={Inv(lat)}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(clave, json.GetProperty("clave").GetString());
        var sea = await f.Http.GetAsync("/api/cadastre/parcels/at?lon=-95.9&lat=19.3"); // Gulf of Mexico
        var p = await ProblemAssert.IsProblemAsync(sea, HttpStatusCode.NotFound);
        Assert.Equal("No hay ningún predio en este punto.", p.GetProperty("detail_es").GetString());
    }

    [Theory]
    [InlineData("/api/cadastre/parcels/at?lon=abc&lat=19.2", "lon")]
    [InlineData("/api/cadastre/parcels/at?lon=-96.1&lat=95", "lat")]
    [InlineData("/api/cadastre/parcels/at?lat=19.2", "lon")]
    [InlineData("/api/cadastre/parcels/near?lon=-96.1&lat=19.2&radius_m=-5", "radius_m")]
    [InlineData("/api/cadastre/parcels/near?lon=-96.1&lat=19.2&radius_m=50000", "radius_m")]
    [InlineData("/api/cadastre/parcels/near?lon=-96.1&lat=19.2&radius_m=ten", "radius_m")]
    [InlineData("/api/cadastre/parcels/near?lon=-96.1&lat=19.2&radius_m=10&limit=0", "limit")]
    public async Task Bad_coordinates_and_radii_name_the_parameter(string url, string parameter)
    {
        var p = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync(url), HttpStatusCode.BadRequest);
        Assert.Equal(parameter, p.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Near_returns_parcels_within_the_radius_nearest_first()
    {
        var (clave, lon, lat) = await f.SomeParcelAsync();
        var (status, json, _) = await f.GetJsonAsync($"/api/cadastre/parcels/near?lon={Inv(lon)}&lat={Inv(lat)}&radius_m=60");
        Assert.Equal(HttpStatusCode.OK, status);
        var rows = json.EnumerateArray().ToList();
        Assert.True(rows.Count > 1);
        Assert.Equal(clave, rows[0].GetProperty("clave").GetString());
        Assert.Equal(0, rows[0].GetProperty("distanceM").GetDouble());
        var distances = rows.Select(r => r.GetProperty("distanceM").GetDouble()).ToList();
        Assert.Equal(distances.Order(), distances);
        Assert.All(distances, d => Assert.InRange(d, 0, 60));
        var expected = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(@x, @y), 4326)::geography, 60)", ("x", lon), ("y", lat));
        Assert.Equal(expected, rows.Count);
    }

    [Fact]
    public async Task Intersects_returns_every_parcel_touching_the_geometry()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        var d = 0.0006;
        var polygon = $$"""{"type":"Polygon","coordinates":[[[{{Inv(lon - d)}},{{Inv(lat - d)}}],[{{Inv(lon + d)}},{{Inv(lat - d)}}],[{{Inv(lon + d)}},{{Inv(lat + d)}}],[{{Inv(lon - d)}},{{Inv(lat + d)}}],[{{Inv(lon - d)}},{{Inv(lat - d)}}]]]}""";
        var response = await f.Http.PostAsync("/api/cadastre/parcels/intersects", new StringContent(polygon, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var features = doc.RootElement.GetProperty("features").EnumerateArray().Select(x => x.GetProperty("id").GetString()!).ToList();
        var expected = await f.ColumnAsync<string>($"SELECT clave FROM cadastre.parcels WHERE ST_Intersects(geom, ST_MakeEnvelope({Inv(lon - d)}, {Inv(lat - d)}, {Inv(lon + d)}, {Inv(lat + d)}, 4326)) ORDER BY clave");
        Assert.NotEmpty(expected);
        Assert.Equal(expected, features);
        Assert.Equal(expected.Count, doc.RootElement.GetProperty("numberMatched").GetInt32());

        // a Feature wrapping the same polygon is accepted too
        var feature = await f.Http.PostAsync("/api/cadastre/parcels/intersects", new StringContent($$"""{"type":"Feature","properties":{},"geometry":{{polygon}}}""", Encoding.UTF8, "application/geo+json"));
        Assert.Equal(HttpStatusCode.OK, feature.StatusCode);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"type":"Polygon"}""")]
    [InlineData("""{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}""")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-97,18],[-95,18],[-95,20],[-97,20],[-97,18]]]}""")]
    [InlineData("""{"type":"Point","coordinates":[-200,19]}""")]
    public async Task Intersects_rejects_what_is_not_a_usable_geometry(string body)
    {
        var response = await f.Http.PostAsync("/api/cadastre/parcels/intersects", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Self_intersection_is_reported_with_its_location()
    {
        var body = """{"type":"Polygon","coordinates":[[[-96.14,19.19],[-96.13,19.2],[-96.13,19.19],[-96.14,19.2],[-96.14,19.19]]]}""";
        var p = await ProblemAssert.IsProblemAsync(await f.Http.PostAsync("/api/cadastre/parcels/intersects", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains("Self-intersection", p.GetProperty("detail").GetString());
        Assert.Contains("-96.135", p.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Stats_match_the_database_overall_and_by_locality()
    {
        var (status, json, _) = await f.GetJsonAsync("/api/cadastre/stats");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels"), json.GetProperty("count").GetInt64());
        Assert.Equal(await f.ScalarAsync<decimal>("SELECT sum(cadastral_value) FROM cadastre.parcels"), json.GetProperty("totalCadastralValue").GetDecimal());
        var locality = await f.ScalarAsync<string>("SELECT locality_cvegeo FROM cadastre.parcels ORDER BY clave LIMIT 1");
        var (_, byLocality, _) = await f.GetJsonAsync($"/api/cadastre/stats?locality={locality}");
        Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE locality_cvegeo = @l", ("l", locality)), byLocality.GetProperty("count").GetInt64());
        Assert.Equal(byLocality.GetProperty("count").GetInt32(), byLocality.GetProperty("byLandUse").EnumerateArray().Sum(x => x.GetProperty("count").GetInt32()));
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/cadastre/stats?locality=Atlantis"), HttpStatusCode.NotFound);
    }
}
