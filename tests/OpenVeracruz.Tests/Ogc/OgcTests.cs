using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace OpenVeracruz.Tests.Ogc;

[Collection(nameof(Doors))]
public class OgcTests(Doors f)
{
    private static string Inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Landing_conformance_and_collections_link_together()
    {
        var (_, landing, _) = await f.GetJsonAsync("/ogc");
        var rels = landing.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("rel").GetString()).ToList();
        Assert.Contains("service-desc", rels);
        Assert.Contains("conformance", rels);
        Assert.Contains("data", rels);
        var (_, conf, _) = await f.GetJsonAsync("/ogc/conformance");
        var classes = conf.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", classes);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs", classes);
        var (_, cols, _) = await f.GetJsonAsync("/ogc/collections");
        var ids = cols.GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        // every bundled layer, the cadastre last (features add theirs, e.g. wifi_sites)
        var registry = f.Services.GetRequiredService<OpenVeracruz.Platform.Layers.LayerRegistry>();
        Assert.Equal(registry.All.Where(l => l.Kind != OpenVeracruz.Platform.Layers.LayerDefinition.UploadedKind).Select(l => l.Id), ids.Where(i => !i!.StartsWith("u_", StringComparison.Ordinal)));
        Assert.Equal(["census_localities_2020", "localities", "municipalities", "state_municipalities_2020"], ids.Where(i => i is "census_localities_2020" or "localities" or "municipalities" or "state_municipalities_2020"));
        Assert.Equal("parcels", ids.Last(i => !i!.StartsWith("u_", StringComparison.Ordinal)));
        var api = await f.Http.GetAsync("/ogc/api");
        using var doc = JsonDocument.Parse(await api.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("paths").TryGetProperty("/collections/parcels/items", out _));
    }

    [Fact]
    public async Task Collection_extent_is_computed_from_the_data()
    {
        var (_, c, _) = await f.GetJsonAsync("/ogc/collections/municipalities");
        var bbox = c.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var minx = await f.ScalarAsync<double>("SELECT ST_XMin(ST_Extent(geom)) FROM layers.municipalities");
        Assert.Equal(minx, bbox[0], 5);
        Assert.Contains("http://www.opengis.net/def/crs/EPSG/0/6369", c.GetProperty("crs").EnumerateArray().Select(x => x.GetString()));
    }

    [Fact]
    public async Task Items_page_with_next_and_prev_links_that_walk_the_whole_layer()
    {
        var total = await f.ScalarAsync<long>("SELECT count(*) FROM layers.localities");
        var seen = new List<string>();
        string? url = "/ogc/collections/localities/items?limit=50";
        var pages = 0;
        while (url is not null)
        {
            var (status, page, _) = await f.GetJsonAsync(url);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(total, page.GetProperty("numberMatched").GetInt64());
            var features = page.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(features.Count, page.GetProperty("numberReturned").GetInt32());
            seen.AddRange(features.Select(x => x.GetProperty("id").GetString()!));
            var links = page.GetProperty("links").EnumerateArray().ToList();
            if (pages > 0) Assert.Contains(links, l => l.GetProperty("rel").GetString() == "prev");
            url = links.FirstOrDefault(l => l.GetProperty("rel").GetString() == "next") is { ValueKind: JsonValueKind.Object } next ? next.GetProperty("href").GetString() : null;
            pages++;
        }
        Assert.Equal(4, pages);
        Assert.Equal(total, seen.Count);
        Assert.Equal(total, seen.Distinct().Count());
    }

    [Fact]
    public async Task Default_limit_is_ten_and_large_limits_are_clamped()
    {
        var (_, page, _) = await f.GetJsonAsync("/ogc/collections/parcels/items");
        Assert.Equal(10, page.GetProperty("numberReturned").GetInt32());
        var (status, big, _) = await f.GetJsonAsync("/ogc/collections/parcels/items?limit=50000");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Math.Min(10_000, PlatformFixture.ParcelCount), big.GetProperty("numberReturned").GetInt32());
    }

    [Fact]
    public async Task Bbox_filter_matches_postgis_and_uses_the_bbox_crs()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        double x1 = lon - 0.001, y1 = lat - 0.001, x2 = lon + 0.001, y2 = lat + 0.001;
        var expected = await f.ColumnAsync<string>($"SELECT clave FROM cadastre.parcels WHERE ST_Intersects(geom, ST_MakeEnvelope({Inv(x1)},{Inv(y1)},{Inv(x2)},{Inv(y2)},4326)) ORDER BY clave");
        var (_, page, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?limit=1000&bbox={Inv(x1)},{Inv(y1)},{Inv(x2)},{Inv(y2)}");
        Assert.Equal(expected, page.GetProperty("features").EnumerateArray().Select(x => x.GetProperty("id").GetString()!).ToList());

        // the same box given latitude first in EPSG:4326
        var (_, latFirst, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?limit=1000&bbox={Inv(y1)},{Inv(x1)},{Inv(y2)},{Inv(x2)}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326");
        Assert.Equal(expected.Count, latFirst.GetProperty("numberReturned").GetInt32());

        // a metric box around the point in UTM 14N finds the parcel under it
        var (mx, my) = OpenVeracruz.Platform.Shared.Crs.ToMetric(lon, lat);
        var (_, metric, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?bbox={Inv(mx - 1)},{Inv(my - 1)},{Inv(mx + 1)},{Inv(my + 1)}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/32614");
        Assert.True(metric.GetProperty("numberReturned").GetInt32() >= 1);
    }

    [Fact]
    public async Task Output_crs_changes_coordinates_and_sets_content_crs()
    {
        var (clave, lon, lat) = await f.SomeParcelAsync();
        var (_, utm, r1) = await f.GetJsonAsync($"/ogc/collections/parcels/items/{clave}?crs=http://www.opengis.net/def/crs/EPSG/0/32614");
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/32614>", r1.Headers.GetValues("Content-Crs").Single());
        var first = utm.GetProperty("geometry").GetProperty("coordinates")[0][0];
        Assert.InRange(first[0].GetDouble(), 790_000, 830_000);
        Assert.InRange(first[1].GetDouble(), 2_110_000, 2_140_000);
        var (_, latlon, r2) = await f.GetJsonAsync($"/ogc/collections/parcels/items/{clave}?crs=http://www.opengis.net/def/crs/EPSG/0/4326");
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/4326>", r2.Headers.GetValues("Content-Crs").Single());
        var p = latlon.GetProperty("geometry").GetProperty("coordinates")[0][0];
        Assert.Equal(lat, p[0].GetDouble(), 2);   // latitude first
        Assert.Equal(lon, p[1].GetDouble(), 2);
        var (_, lcc, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items/{clave}?crs=http://www.opengis.net/def/crs/EPSG/0/6372");
        Assert.InRange(lcc.GetProperty("geometry").GetProperty("coordinates")[0][0][0].GetDouble(), 2_500_000, 3_300_000);
    }

    [Fact]
    public async Task Projnet_and_postgis_agree_within_a_centimetre()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        foreach (var crs in new[] { OpenVeracruz.Platform.Shared.Crs.Utm14N, OpenVeracruz.Platform.Shared.Crs.MexicoUtm14N, OpenVeracruz.Platform.Shared.Crs.MexicoLcc })
        {
            var (x, y) = OpenVeracruz.Platform.Shared.Crs.Transform(OpenVeracruz.Platform.Shared.Crs.Crs84, crs).Transform(lon, lat);
            var px = await f.ScalarAsync<double>($"SELECT ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(@x, @y), 4326), {crs.Srid}))", ("x", lon), ("y", lat));
            var py = await f.ScalarAsync<double>($"SELECT ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(@x, @y), 4326), {crs.Srid}))", ("x", lon), ("y", lat));
            Assert.Equal(px, x, 0.01);
            Assert.Equal(py, y, 0.01);
        }
    }

    [Fact]
    public async Task Property_filters_match_the_database()
    {
        var expected = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE land_use = 'comercial'");
        var (_, page, _) = await f.GetJsonAsync("/ogc/collections/parcels/items?land_use=comercial&limit=10000");
        Assert.Equal(expected, page.GetProperty("numberMatched").GetInt64());
        Assert.All(page.GetProperty("features").EnumerateArray(), x => Assert.Equal("comercial", x.GetProperty("properties").GetProperty("land_use").GetString()));
        var (_, ambito, _) = await f.GetJsonAsync("/ogc/collections/localities/items?ambito=URBANO&cve_mun=193&limit=100");
        Assert.Equal(20, ambito.GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task Queryables_describe_the_public_properties()
    {
        var r = await f.Http.GetAsync("/ogc/collections/parcels/queryables");
        Assert.Equal("application/schema+json", r.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var props = doc.RootElement.GetProperty("properties");
        Assert.Equal("number", props.GetProperty("cadastral_value").GetProperty("type").GetString());
        Assert.False(props.TryGetProperty("owner", out _));
    }

    [Theory]
    [InlineData("/ogc/collections/parcels/items?limit=-1", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?limit=0", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?limit=ten", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?offset=-3", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?bbox=-96.1,19.1,-96.2,19.2", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?bbox=x,y,z,w", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?bbox=-96.2,-100,-96.1,19.2", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?bbox=1,2,3", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?bbox=1,2,3,4&bbox-crs=EPSG:9999", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?bbox-crs=EPSG:4326", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?zone=uno", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?color=red", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/parcels/items?f=xml", 400, "InvalidParameterValue")]
    [InlineData("/ogc/collections/nope/items", 404, "NotFound")]
    [InlineData("/ogc/collections/nope", 404, "NotFound")]
    [InlineData("/ogc/collections/parcels/items/999-9999-999", 404, "NotFound")]
    [InlineData("/ogc/collections/census_localities_2020/items/abc", 404, "NotFound")]
    public async Task Bad_requests_get_an_ogc_coded_problem(string url, int status, string code)
    {
        var p = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync(url), (HttpStatusCode)status);
        Assert.Equal(code, p.GetProperty("code").GetString());
    }
}
