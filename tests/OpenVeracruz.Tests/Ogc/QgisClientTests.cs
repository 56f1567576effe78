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
    private const string Prelude = """
        import json, sys
        from qgis.core import QgsApplication, QgsVectorLayer, QgsFeatureRequest, QgsRectangle
        QgsApplication.setPrefixPath("/usr", True)
        app = QgsApplication([], False)
        app.initQgis()

        """;

    private const string Script = Prelude + """
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

    /// <summary>A layer with a subset string (what the layer's Filter… dialog writes), and a filter expression on a request.</summary>
    private const string SubsetScript = Prelude + """
        base, typename, subset, expression = sys.argv[1:5]
        layer = QgsVectorLayer(f"url='{base}' typename='{typename}'", typename, "OAPIF")
        out = {"valid": layer.isValid(), "subset_set": layer.setSubsetString(subset)}
        out["subset"] = sum(1 for _ in layer.getFeatures())
        layer.setSubsetString("")
        out["expression"] = sum(1 for _ in layer.getFeatures(QgsFeatureRequest().setFilterExpression(expression)))
        print(json.dumps(out))
        del layer
        app.exitQgis()
        """;

    private Task<JsonElement> RunAsync(string field, string value, double lon, double lat, bool datesAsText)
    {
        var rect = string.Join(",", new[] { lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005 }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        return RunScriptAsync(Script, [$"{f.BaseUri}ogc", field, value, rect], datesAsText);
    }

    private async Task<JsonElement> RunScriptAsync(string script, IReadOnlyList<string> args, bool datesAsText)
    {
        var home = Directory.CreateTempSubdirectory("ov-qgis");
        try
        {
            var env = new Dictionary<string, string> { ["QT_QPA_PLATFORM"] = "offscreen", ["HOME"] = home.FullName, ["XDG_RUNTIME_DIR"] = home.FullName };
            if (datesAsText) env["OGR_GEOJSON_DATE_AS_STRING"] = "YES";
            var output = await Python.RunAsync(script, args, env);
            using var doc = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')));
            return doc.RootElement.Clone();
        }
        finally { home.Delete(true); }
    }

    /// <summary>
    /// QGIS 3.22 sends the server only the comparisons of its subset string on a date field, as Part 1's datetime
    /// (src/providers/wfs/qgsoapifprovider.cpp, QgsOapifSharedData::translateNodeToServer), and no longer evaluates them
    /// itself: the door must select by that date, or QGIS shows every row. Everything else it filters on its side, after
    /// reading the whole layer; a request's filter expression is never sent.
    /// </summary>
    [Fact]
    public async Task Qgis_sends_its_date_comparisons_as_datetime_and_filters_the_rest_itself()
    {
        using var requests = new ServerRequests(f);
        var days = await RunScriptAsync(SubsetScript, [$"{f.BaseUri}ogc", "wifi_connections_daily",
            "\"day\" >= '2026-01-01' AND \"day\" <= '2026-01-10' AND \"sessions\" > 10", "\"day\" = '2026-01-15'"], datesAsText: false);
        Assert.True(days.GetProperty("valid").GetBoolean());
        Assert.True(days.GetProperty("subset_set").GetBoolean());
        var expected = await f.ScalarAsync<long>("SELECT count(*) FROM wifi.daily_connections WHERE day BETWEEN DATE '2026-01-01' AND DATE '2026-01-10' AND sessions > 10");
        Assert.True(expected > 0);
        Assert.Equal(expected, days.GetProperty("subset").GetInt64());
        Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM wifi.daily_connections WHERE day = DATE '2026-01-15'"), days.GetProperty("expression").GetInt64());
        // the dates reached the server, which sent only those ten days (one page), not the whole layer
        var reads = requests.To("/ogc/collections/wifi_connections_daily/items").Where(t => t.Contains("limit=1000")).ToList();
        Assert.Contains(reads, t => t.Contains("datetime=2026-01-01/2026-01-10"));
        Assert.Single(reads, t => t.Contains("datetime="));

        using var parcelRequests = new ServerRequests(f);
        var parcels = await RunScriptAsync(SubsetScript, [$"{f.BaseUri}ogc", "parcels",
            "\"land_use\" = 'comercial' AND \"land_area_m2\" > 300", "\"land_use\" = 'comercial'"], datesAsText: true);
        Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE land_use = 'comercial' AND land_area_m2 > 300"), parcels.GetProperty("subset").GetInt64());
        Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE land_use = 'comercial'"), parcels.GetProperty("expression").GetInt64());
        // QGIS 3.22 has no way to send these: whole reads, filtered by QGIS
        var parcelReads = parcelRequests.To("/ogc/collections/parcels/items");
        Assert.DoesNotContain(parcelReads, t => t.Contains("filter=") || t.Contains("land_use"));
        Assert.Contains(parcelReads, t => t.Contains("limit=1000") && !t.Contains("offset="));
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
