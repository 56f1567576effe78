using System.Globalization;
using System.Text.Json;

namespace OpenVeracruz.Tests.Ogc;

/// <summary>
/// QGIS (Debian 12's 3.22, python3-qgis, offscreen) opens the OGC door with its OAPIF provider. QGIS 3.22 learns the page size
/// from the OpenAPI document (components/parameters/limit) and the field types from the values of the first ten features only:
/// it reads no schema, so the clave ("001-0001-001") is a date to it unless GDAL is told not to guess dates
/// (OGR_GEOJSON_DATE_AS_STRING=YES in QGIS's environment); the feature id, a string, is always exact.
/// </summary>
[Collection(nameof(GisClients))]
public class QgisClientTests(GisClients f)
{
    private const string Script = """
        import json, sys
        from qgis.core import QgsApplication, QgsVectorLayer, QgsFeatureRequest, QgsRectangle
        QgsApplication.setPrefixPath("/usr", True)
        app = QgsApplication([], False)
        app.initQgis()
        base, field, value, rect = sys.argv[1], sys.argv[2], sys.argv[3], [float(v) for v in sys.argv[4].split(",")]
        layer = QgsVectorLayer(f"url='{base}' typename='parcels'", "parcels", "OAPIF")
        out = {"valid": layer.isValid(), "fields": {f.name(): f.typeName() for f in layer.fields()}}
        out["count"] = sum(1 for _ in layer.getFeatures())
        layer.setSubsetString(f"\"{field}\" = '{value}'")
        out["subset"] = [{"id": str(f["id"]), "clave": str(f["clave"])} for f in layer.getFeatures()]
        # "only request features overlapping the view extent", as a map canvas asks
        view = QgsVectorLayer(f"url='{base}' typename='parcels' restrictToRequestBBOX='1'", "view", "OAPIF")
        out["view"] = sorted(str(f["id"]) for f in view.getFeatures(QgsFeatureRequest().setFilterRect(QgsRectangle(*rect))))
        print(json.dumps(out))
        del layer, view
        app.exitQgis()
        """;

    private async Task<JsonElement> RunAsync(string field, string value, double lon, double lat, bool datesAsText)
    {
        var home = Directory.CreateTempSubdirectory("ov-qgis");
        try
        {
            var env = new Dictionary<string, string> { ["QT_QPA_PLATFORM"] = "offscreen", ["HOME"] = home.FullName, ["XDG_RUNTIME_DIR"] = home.FullName };
            if (datesAsText) env["OGR_GEOJSON_DATE_AS_STRING"] = "YES";
            var rect = string.Join(",", new[] { lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005 }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            var output = await Python.RunAsync(Script, [$"{f.BaseUri}ogc", field, value, rect], env);
            using var doc = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')));
            return doc.RootElement.Clone();
        }
        finally { home.Delete(true); }
    }

    private Task<List<string>> ClavesAroundAsync(double lon, double lat) => f.ColumnAsync<string>(string.Create(CultureInfo.InvariantCulture,
        $"SELECT clave FROM cadastre.parcels WHERE ST_Intersects(geom, ST_MakeEnvelope({lon - 0.0005:R}, {lat - 0.0005:R}, {lon + 0.0005:R}, {lat + 0.0005:R}, 4326)) ORDER BY clave"));

    [Fact]
    public async Task Qgis_reads_the_parcels_in_pages_of_a_thousand_and_a_view_by_bbox()
    {
        var (clave, lon, lat) = await f.SomeParcelAsync("block > 12");
        using var requests = new ServerRequests(f);
        var qgis = await RunAsync("id", clave, lon, lat, datesAsText: false);

        Assert.True(qgis.GetProperty("valid").GetBoolean());
        Assert.Equal(PlatformFixture.ParcelCount, qgis.GetProperty("count").GetInt32());
        Assert.Equal("String", qgis.GetProperty("fields").GetProperty("id").GetString());
        Assert.Equal("Real", qgis.GetProperty("fields").GetProperty("cadastral_value").GetString());
        Assert.Equal([clave], qgis.GetProperty("subset").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(await ClavesAroundAsync(lon, lat), qgis.GetProperty("view").EnumerateArray().Select(c => c.GetString()!).ToList());

        // two whole reads (the count and the filtered one) in pages of 1000, the schema sample of 10, the view by bbox
        var items = requests.To("/ogc/collections/parcels/items");
        var whole = items.Where(t => !t.Contains("bbox=") && !t.Contains("limit=10&") && !t.EndsWith("limit=10", StringComparison.Ordinal)).ToList();
        Assert.All(whole, t => Assert.Contains("limit=1000", t));
        Assert.InRange(whole.Count, PlatformFixture.ParcelCount / 1000, 2 * (PlatformFixture.ParcelCount / 1000 + 1));
        Assert.Contains(items, t => t.Contains("bbox="));
    }

    [Fact]
    public async Task Qgis_told_not_to_guess_dates_reads_the_clave_as_text_and_filters_by_it()
    {
        // a clave that reads as a date (zone 1, block ≤ 12, lot ≤ 31)
        var (clave, lon, lat) = await f.SomeParcelAsync("block <= 12 AND lot <= 31");
        var qgis = await RunAsync("clave", clave, lon, lat, datesAsText: true);
        Assert.Equal("String", qgis.GetProperty("fields").GetProperty("clave").GetString());
        Assert.Equal([clave], qgis.GetProperty("subset").EnumerateArray().Select(c => c.GetProperty("clave").GetString()));
        Assert.Equal(await ClavesAroundAsync(lon, lat), qgis.GetProperty("view").EnumerateArray().Select(c => c.GetString()!).ToList());
    }
}
