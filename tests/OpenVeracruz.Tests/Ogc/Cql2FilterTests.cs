using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace OpenVeracruz.Tests.Ogc;

/// <summary>OGC API – Features Part 3: CQL2 filters, sortby and properties through the real door, counted against SQL.</summary>
[Collection(nameof(Cql2Filtering))]
public class Cql2FilterTests(Cql2Filtering f)
{
    private static string Items(string layer, string query) => $"/ogc/collections/{layer}/items?{query}";
    private static string Enc(string s) => Uri.EscapeDataString(s);

    private async Task<List<JsonElement>> FeaturesAsync(string url)
    {
        var (status, page, r) = await f.GetJsonAsync(url);
        Assert.True(status == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        var features = page.GetProperty("features").EnumerateArray().ToList();
        if (features.Count < 10_000) Assert.Equal(features.Count, page.GetProperty("numberMatched").GetInt64());
        return features;
    }

    private async Task<JsonElement> RefusedAsync(string url)
    {
        var r = await f.Http.GetAsync(url);
        var body = await ProblemAssert.IsProblemAsync(r, HttpStatusCode.BadRequest);
        Assert.Equal("InvalidParameterValue", body.GetProperty("code").GetString());
        return body;
    }

    [Fact]
    public async Task Conformance_and_openapi_declare_filtering()
    {
        var (_, conf, _) = await f.GetJsonAsync("/ogc/conformance");
        var classes = conf.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", classes);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter", classes);
        Assert.Contains("http://www.opengis.net/spec/cql2/1.0/conf/cql2-text", classes);
        Assert.Contains("http://www.opengis.net/spec/cql2/1.0/conf/cql2-json", classes);
        var (_, api, _) = await f.GetJsonAsync("/ogc/api");
        var langs = api.GetProperty("components").GetProperty("parameters").GetProperty("filter-lang").GetProperty("schema").GetProperty("enum");
        Assert.Contains("cql-text", langs.EnumerateArray().Select(x => x.GetString()));
    }

    [Theory]
    [InlineData("land_use = 'comercial' AND land_area_m2 > 300", "land_use = 'comercial' AND land_area_m2 > 300")]
    [InlineData("land_use IN ('mixto', 'industrial') OR zone BETWEEN 2 AND 3", "land_use IN ('mixto', 'industrial') OR zone BETWEEN 2 AND 3")]
    [InlineData("clave LIKE '001-00_1-%' AND NOT (block < 3)", "clave LIKE '001-00_1-%' AND NOT (block < 3)")]
    [InlineData("land_value + construction_value >= cadastral_value * 0.999 AND built_area_m2 / land_area_m2 > 0.5", "land_value + construction_value >= cadastral_value * 0.999 AND built_area_m2 / NULLIF(land_area_m2, 0) > 0.5")]
    [InlineData("CASEI(land_use) = CASEI('COMERCIAL') AND locality IS NOT NULL", "lower(land_use) = 'comercial' AND locality IS NOT NULL")]
    [InlineData("ACCENTI(CASEI(locality)) LIKE '%veracruz%'", "unaccent(lower(locality)) LIKE '%veracruz%'")]
    public async Task Text_filters_select_what_sql_selects(string filter, string where)
    {
        var expected = await f.ScalarAsync<long>($"SELECT count(*) FROM cadastre.parcels WHERE {where}");
        Assert.True(expected > 0, "the filter selects something");
        var features = await FeaturesAsync(Items("parcels", $"filter={Enc(filter)}&limit=10000&properties=clave"));
        Assert.Equal(expected, features.Count);
        Assert.All(features, x => Assert.Equal(["clave"], x.GetProperty("properties").EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task Json_filters_and_spatial_functions_match_sql()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string L(double v) => v.ToString("R", inv);
        var env = $"ST_MakeEnvelope({L(lon - 0.004)}, {L(lat - 0.004)}, {L(lon + 0.004)}, {L(lat + 0.004)}, 4326)";
        var expected = await f.ScalarAsync<long>($"SELECT count(*) FROM cadastre.parcels WHERE ST_Intersects(geom, {env}) AND land_use <> 'habitacional'");
        Assert.True(expected > 0);

        var json = $$"""{"op":"and","args":[{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[{{L(lon - 0.004)}},{{L(lat - 0.004)}},{{L(lon + 0.004)}},{{L(lat + 0.004)}}]}]},{"op":"<>","args":[{"property":"land_use"},"habitacional"]}]}""";
        Assert.Equal(expected, (await FeaturesAsync(Items("parcels", $"filter-lang=cql2-json&filter={Enc(json)}&limit=10000"))).Count);
        // the same window as a polygon, in EPSG:4326's latitude-first order
        var poly = $"POLYGON(({L(lat - 0.004)} {L(lon - 0.004)}, {L(lat - 0.004)} {L(lon + 0.004)}, {L(lat + 0.004)} {L(lon + 0.004)}, {L(lat + 0.004)} {L(lon - 0.004)}, {L(lat - 0.004)} {L(lon - 0.004)}))";
        Assert.Equal(expected, (await FeaturesAsync(Items("parcels",
            $"filter={Enc($"S_INTERSECTS(geom, {poly}) AND land_use <> 'habitacional'")}&filter-crs={Enc("http://www.opengis.net/def/crs/EPSG/0/4326")}&limit=10000"))).Count);

        // S_DWITHIN (an extension: metres on the ellipsoid)
        var near = await f.ScalarAsync<long>($"SELECT count(*) FROM cadastre.parcels WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint({L(lon)}, {L(lat)}), 4326)::geography, 150)");
        Assert.True(near > 1);
        Assert.Equal(near, (await FeaturesAsync(Items("parcels", $"filter={Enc($"S_DWITHIN(geom, POINT({L(lon)} {L(lat)}), 150)")}&limit=10000"))).Count);
        // combined with bbox: both apply
        var both = await FeaturesAsync(Items("parcels", $"bbox={L(lon - 0.001)},{L(lat - 0.001)},{L(lon + 0.001)},{L(lat + 0.001)}&filter={Enc($"S_DWITHIN(geom, POINT({L(lon)} {L(lat)}), 150)")}&limit=10000"));
        Assert.InRange(both.Count, 1, near);
    }

    [Fact]
    public async Task Temporal_functions_work_on_dated_layers_and_filters_join_time_travel()
    {
        var days = await f.ScalarAsync<long>("SELECT count(*) FROM wifi.daily_connections WHERE day >= DATE '2026-01-01'");
        var during = await FeaturesAsync(Items("wifi_connections_daily", $"filter={Enc("T_INTERSECTS(day, INTERVAL('2026-01-01', '..'))")}&limit=10000"));
        Assert.Equal(days, during.Count);
        var before = await f.ScalarAsync<long>("SELECT count(*) FROM wifi.daily_connections WHERE day < DATE '2026-01-01'");
        Assert.Equal(before, (await FeaturesAsync(Items("wifi_connections_daily", $"filter={Enc("T_BEFORE(day, DATE('2026-01-01'))")}&limit=10000"))).Count);

        // a filter over the cadastre as it was long ago: nothing existed then
        var longAgo = await FeaturesAsync(Items("parcels", $"filter={Enc("zone >= 0")}&datetime=2000-01-01&limit=5"));
        Assert.Empty(longAgo);
    }

    [Fact]
    public async Task Datetime_selects_by_the_date_of_a_dated_layer_as_qgis_and_gdal_write_it()
    {
        Task<long> Days(string where) => f.ScalarAsync<long>($"SELECT count(*) FROM wifi.daily_connections WHERE {where}");
        async Task<int> CountAsync(string query) => (await FeaturesAsync(Items("wifi_connections_daily", query + "&limit=10000"))).Count;

        var oneDay = await Days("day = DATE '2026-01-15'");
        Assert.True(oneDay > 0);
        Assert.Equal(oneDay, await CountAsync("datetime=2026-01-15"));
        Assert.Equal(await Days("day BETWEEN DATE '2026-01-01' AND DATE '2026-01-10'"), await CountAsync("datetime=2026-01-01%2F2026-01-10"));
        Assert.Equal(await Days("day >= DATE '2026-01-01'"), await CountAsync("datetime=2026-01-01/.."));
        Assert.Equal(await Days("day <= DATE '2026-01-10'"), await CountAsync("datetime=../2026-01-10"));
        // QGIS 3.22 closes an open interval with dummy ends; GDAL 3.6 writes a date as "2026-01-01T"
        Assert.Equal(await Days("day >= DATE '2026-01-01'"), await CountAsync("datetime=2026-01-01%2F9999-12-31T00:00:00Z"));
        Assert.Equal(await Days("day <= DATE '2026-01-10'"), await CountAsync("datetime=0000-01-01T00:00:00Z%2F2026-01-10"));
        Assert.Equal(await Days("day <= DATE '2026-01-10'"), await CountAsync($"filter={Enc("day <= '2026-01-10T'")}"));
        // with a filter, both apply
        Assert.Equal(await Days("day BETWEEN DATE '2026-01-01' AND DATE '2026-01-10' AND sessions > 10"),
            await CountAsync($"datetime=2026-01-01/2026-01-10&filter={Enc("sessions > 10")}"));

        foreach (var bad in new[] { "junk", "2026-01-01/2026-01-02/2026-01-03", "../..", "%2F", "0000-01-01T00:00:00Z", "2026-13-01" })
            Assert.Equal("datetime", (await RefusedAsync(Items("wifi_connections_daily", "datetime=" + bad))).GetProperty("parameter").GetString());
        // a layer without dates ignores it
        var (status, page, _) = await f.GetJsonAsync(Items("localities", "datetime=2026-01-01%2F2026-01-10&limit=5"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(184, page.GetProperty("numberMatched").GetInt64());
    }

    [Fact]
    public async Task Sortby_pages_through_the_filter_in_order_and_omits_numberMatched_on_full_pages()
    {
        var expected = await f.ColumnAsync<string>("SELECT clave FROM cadastre.parcels WHERE land_use = 'comercial' ORDER BY land_area_m2 DESC, clave");
        Assert.True(expected.Count > 14);
        var seen = new List<string>();
        string? url = Items("parcels", $"filter={Enc("land_use = 'comercial'")}&sortby=-land_area_m2&properties=land_area_m2&limit=7");
        for (var page = 0; page < 2; page++)
        {
            var (_, body, _) = await f.GetJsonAsync(url!);
            Assert.False(body.TryGetProperty("numberMatched", out _), "a full page of a selection does not count it");
            seen.AddRange(body.GetProperty("features").EnumerateArray().Select(x => x.GetProperty("id").GetString()!));
            url = body.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString()!
                .Replace(f.BaseUri.ToString().TrimEnd('/'), "");
        }
        Assert.Equal(expected.Take(14), seen);
        // the last page counts for free and has no next link
        var (_, last, _) = await f.GetJsonAsync(Items("parcels", $"filter={Enc("land_use = 'comercial'")}&sortby=-land_area_m2&limit=7&offset={expected.Count - 3}"));
        Assert.Equal(expected.Count, last.GetProperty("numberMatched").GetInt64());
        Assert.DoesNotContain(last.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "next");
    }

    [Fact]
    public async Task Bad_filters_are_400s_that_say_where_and_why()
    {
        Assert.Contains("character 11", (await RefusedAsync(Items("parcels", $"filter={Enc("land_use = ")}"))).GetProperty("detail").GetString());
        Assert.Contains("carácter 11", (await RefusedAsync(Items("parcels", $"filter={Enc("land_use = ")}"))).GetProperty("detail_es").GetString());
        Assert.Contains("'owner' is not a queryable", (await RefusedAsync(Items("parcels", $"filter={Enc("owner = 'x'")}"))).GetProperty("detail").GetString());
        Assert.Contains("cannot compare text ('clave') with a number", (await RefusedAsync(Items("parcels", $"filter={Enc("clave = 5")}"))).GetProperty("detail").GetString());
        Assert.Contains("nested more than", (await RefusedAsync(Items("parcels", $"filter={new string('(', 3000)}zone=1{new string(')', 3000)}"))).GetProperty("detail").GetString());
        Assert.Contains("$.args[0]", (await RefusedAsync(Items("parcels", $"filter-lang=cql2-json&filter={Enc("""{"op":"=","args":[{"propertee":"x"},1]}""")}"))).GetProperty("detail").GetString());
        await RefusedAsync(Items("parcels", $"filter={Enc("zone = 1")}&filter-lang=cql3"));
        await RefusedAsync(Items("parcels", $"filter={Enc("zone = 1")}&filter-crs=EPSG:99999"));
        await RefusedAsync(Items("parcels", "sortby=owner"));
        await RefusedAsync(Items("parcels", "properties=clave,owner"));
        // an injection attempt is a value like any other
        Assert.Empty(await FeaturesAsync(Items("parcels", $"filter={Enc("clave = '1'' OR 1=1 --'")}")));
        Assert.Equal(PlatformFixture.ParcelCount, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels"));
    }

    [Fact]
    public async Task The_items_statements_are_prepared_on_the_server()
    {
        // Npgsql prepares a statement the second time a connection runs it: the door's statements stop being parsed and
        // planned on every request (issue 13)
        var ds = f.Services.GetRequiredService<NpgsqlDataSource>();
        await using var conn = await ds.OpenConnectionAsync();
        var layer = f.Services.GetRequiredService<OpenVeracruz.Platform.Layers.LayerRegistry>().Find("localities")!;
        for (var i = 0; i < 3; i++)
        {
            await using var cmd = OpenVeracruz.Platform.Layers.LayerSql.Features(conn, layer, new(Limit: 5));
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) { }
        }
        await using var check = new NpgsqlCommand("SELECT string_agg(statement, ' | ') FROM pg_prepared_statements", conn);
        var prepared = await check.ExecuteScalarAsync() as string ?? "";
        Assert.True(prepared.Contains("FROM \"layers\".\"localities\" t ORDER BY t.\"cvegeo\" LIMIT 5", StringComparison.Ordinal), conn.ConnectionString + " :: " + prepared);
    }
}
