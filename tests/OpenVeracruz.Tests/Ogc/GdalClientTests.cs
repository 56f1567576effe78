using System.Globalization;

namespace OpenVeracruz.Tests.Ogc;

/// <summary>GDAL's OAPIF driver (the client QGIS uses) reads the OGC door unchanged.</summary>
[Collection(nameof(GisClients))]
public class GdalClientTests(GisClients f)
{
    private static Task<(int Exit, string Output)> RunAsync(string file, params string[] args) => Gdal.RunAsync(file, args);

    private string Ogc => $"OAPIF:{f.BaseUri}ogc";

    [Fact]
    public async Task Ogrinfo_reads_every_collection()
    {
        var (exit, output) = await RunAsync("ogrinfo", "-ro", "-q", Ogc);
        Assert.True(exit == 0, output);
        foreach (var id in new[] { "parcels", "localities", "municipalities", "census_localities_2020", "state_municipalities_2020" })
            Assert.Contains(id, output);

        var (exit2, summary) = await RunAsync("ogrinfo", "-ro", "-so", Ogc, "parcels");
        Assert.True(exit2 == 0, summary);
        Assert.Contains($"Feature Count: {PlatformFixture.ParcelCount}", summary);
        Assert.Contains("land_use: String", summary);
        Assert.Contains("cadastral_value: Real", summary);
        Assert.DoesNotContain("ERROR", summary);
    }

    [Fact]
    public async Task Ogr2ogr_copies_layers_to_geopackage()
    {
        var dir = Directory.CreateTempSubdirectory("ov-gdal");
        try
        {
            var gpkg = Path.Combine(dir.FullName, "copy.gpkg");
            var (exit, output) = await RunAsync("ogr2ogr", "-f", "GPKG", gpkg, Ogc, "localities", "municipalities");
            Assert.True(exit == 0, output);
            var (_, info) = await RunAsync("ogrinfo", "-ro", "-so", gpkg, "localities");
            Assert.Contains("Feature Count: 184", info);
            Assert.Contains("nom_loc: String", info);

            // a spatial window of the cadastre, paged by GDAL through the next links
            var (_, lon, lat) = await f.SomeParcelAsync();
            var inv = CultureInfo.InvariantCulture;
            double x1 = lon - 0.003, y1 = lat - 0.003, x2 = lon + 0.003, y2 = lat + 0.003;
            var expected = await f.ScalarAsync<long>($"SELECT count(*) FROM cadastre.parcels WHERE ST_Intersects(geom, ST_MakeEnvelope({x1.ToString(inv)},{y1.ToString(inv)},{x2.ToString(inv)},{y2.ToString(inv)},4326))");
            var parcels = Path.Combine(dir.FullName, "parcels.gpkg");
            var (exit2, out2) = await RunAsync("ogr2ogr", "-f", "GPKG", "-oo", "PAGE_SIZE=50", "-spat", x1.ToString(inv), y1.ToString(inv), x2.ToString(inv), y2.ToString(inv), parcels, Ogc, "parcels");
            Assert.True(exit2 == 0, out2);
            var (_, info2) = await RunAsync("ogrinfo", "-ro", "-so", parcels, "parcels");
            Assert.True(expected > 50, "the window spans several pages");
            Assert.Contains($"Feature Count: {expected}", info2);
        }
        finally { dir.Delete(true); }
    }

    /// <summary>The claves of a layer read back from a GeoPackage, in key order, as GDAL's CSV driver prints them.</summary>
    private static async Task<List<string>> ClavesAsync(string gpkg)
    {
        var (exit, csv) = await RunAsync("ogr2ogr", "-f", "CSV", "/vsistdout/", gpkg, "-sql", "SELECT clave FROM parcels ORDER BY clave");
        Assert.True(exit == 0, csv);
        return csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Select(l => l.Trim('"')).ToList();
    }

    [Fact]
    public async Task Gdal_types_every_property_as_declared_and_sends_equality_filters_to_the_server()
    {
        // the clave looks like a date ("001-0001-001"): only the collection's describedBy schema tells GDAL it is text
        var (exit, summary) = await RunAsync("ogrinfo", "-ro", "-so", Ogc, "parcels");
        Assert.True(exit == 0, summary);
        Assert.Contains("clave: String", summary);
        Assert.Contains("zone: Integer", summary);
        Assert.Contains("cadastral_value: Real", summary);

        var (clave, _, _) = await f.SomeParcelAsync("block > 12");
        var dir = Directory.CreateTempSubdirectory("ov-gdal");
        try
        {
            var gpkg = Path.Combine(dir.FullName, "one.gpkg");
            using var requests = new ServerRequests(f);
            var (exit2, output) = await RunAsync("ogr2ogr", "-f", "GPKG", gpkg, Ogc, "parcels", "-where", $"clave = '{clave}'");
            Assert.True(exit2 == 0, output);
            Assert.DoesNotContain("Failed to parse", output);
            Assert.Equal([clave], await ClavesAsync(gpkg));
            // evaluated by the server (GDAL sends its -where as a CQL2-text filter), not by GDAL over the whole layer
            var items = requests.To("/ogc/collections/parcels/items");
            Assert.Contains(items, t => t.Contains($"filter=clave = '{clave}'"));
            Assert.True(items.Count <= 3, string.Join("\n", items));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task Gdal_pushes_a_compound_where_to_the_server_as_a_cql2_filter()
    {
        const string where = "land_use = 'comercial' AND block > 10 AND land_area_m2 > 250";
        var expected = await f.ScalarAsync<long>($"SELECT count(*) FROM cadastre.parcels WHERE {where}");
        Assert.True(expected > 0);
        using var requests = new ServerRequests(f);
        var (exit, csv) = await RunAsync("ogr2ogr", "-f", "CSV", "/vsistdout/", "-oo", "PAGE_SIZE=1000", Ogc, "parcels", "-where", where);
        Assert.True(exit == 0, csv);
        Assert.Equal(expected, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("comercial")));
        // the server selected them: one page, its filter the whole where clause
        var items = requests.To("/ogc/collections/parcels/items");
        var filtered = Assert.Single(items, t => t.Contains("filter="));
        Assert.Contains("land_use = 'comercial'", filtered);
        Assert.Contains("block > 10", filtered);
        Assert.Contains("land_area_m2 > 250", filtered);
        Assert.Contains("filter-lang=cql-text", filtered);
    }

    [Fact]
    public async Task Gdal_pushes_a_date_comparison_written_as_gdal_3_6_writes_dates()
    {
        // GDAL 3.6 writes a date literal as '2026-01-01T' (src: ogroapifdriver.cpp, SerializeDateTime): the door reads it as that day
        var expected = await f.ScalarAsync<long>("SELECT count(*) FROM wifi.daily_connections WHERE day >= DATE '2026-01-01' AND day <= DATE '2026-01-10'");
        Assert.True(expected > 0);
        using var requests = new ServerRequests(f);
        var (exit, summary) = await RunAsync("ogrinfo", "-ro", "-so", "-oo", "PAGE_SIZE=1000", Ogc, "wifi_connections_daily", "-where", "day >= '2026-01-01' AND day <= '2026-01-10'");
        Assert.True(exit == 0, summary);
        Assert.DoesNotContain("ERROR", summary);
        Assert.Contains($"Feature Count: {expected}", summary);
        Assert.Contains(requests.To("/ogc/collections/wifi_connections_daily/items"), t => t.Contains("filter=(day >= '2026-01-01T') AND (day <= '2026-01-10T')"));
    }

    [Fact]
    public async Task Ogr2ogr_copies_every_clave_exactly_in_pages_of_a_thousand()
    {
        var dir = Directory.CreateTempSubdirectory("ov-gdal");
        try
        {
            var gpkg = Path.Combine(dir.FullName, "parcels.gpkg");
            using var requests = new ServerRequests(f);
            var (exit, output) = await RunAsync("ogr2ogr", "-f", "GPKG", "-oo", "PAGE_SIZE=1000", gpkg, Ogc, "parcels");
            Assert.True(exit == 0, output);
            var (_, info) = await RunAsync("ogrinfo", "-ro", "-so", gpkg, "parcels");
            Assert.Contains("clave: String", info);
            Assert.Equal(await f.ColumnAsync<string>("SELECT clave FROM cadastre.parcels ORDER BY clave"), await ClavesAsync(gpkg));
            Assert.True(requests.To("/ogc/collections/parcels/items").Count <= PlatformFixture.ParcelCount / 1000 + 2);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task Gdal_pages_through_a_crs_given_in_the_connection_string()
    {
        // GDAL adds the connection string's parameters to every URL it fetches, next links included, unless it finds them
        // spelt the same: the links keep the client's spelling, and a parameter repeated with the same value counts once
        var block = await f.ScalarAsync<int>("SELECT block FROM cadastre.parcels GROUP BY block HAVING count(*) > 10 ORDER BY block DESC LIMIT 1");
        var expected = await f.ScalarAsync<long>($"SELECT count(*) FROM cadastre.parcels WHERE block = {block}");
        using var requests = new ServerRequests(f);
        var (exit, csv) = await RunAsync("ogr2ogr", "-f", "CSV", "/vsistdout/", "-oo", "PAGE_SIZE=5", "-lco", "GEOMETRY=AS_WKT",
            $"OAPIF:{f.BaseUri}ogc?crs=http://www.opengis.net/def/crs/EPSG/0/32614", "parcels", "-where", $"block = {block}");
        Assert.True(exit == 0, csv);
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("POLYGON")).ToList();
        Assert.Equal(expected, rows.Count);
        Assert.All(rows, r => Assert.Matches(@"POLYGON \(\([78]\d{5}(\.\d+)? 21\d{5}", r)); // UTM 14N metres
        var pages = requests.To("/ogc/collections/parcels/items");
        Assert.True(pages.Count > 2, "several pages");
        Assert.All(pages, p => Assert.Single(System.Text.RegularExpressions.Regex.Matches(p, "[?&]crs=")));
    }
}
