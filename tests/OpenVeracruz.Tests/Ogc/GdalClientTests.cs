using System.Globalization;

namespace OpenVeracruz.Tests.Ogc;

/// <summary>GDAL's OAPIF driver (the client QGIS uses) reads the OGC door unchanged.</summary>
[Collection(nameof(Doors))]
public class GdalClientTests(Doors f)
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
}
