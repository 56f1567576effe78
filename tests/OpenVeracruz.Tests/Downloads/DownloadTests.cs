using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace OpenVeracruz.Tests.Downloads;

[Collection(nameof(Doors))]
public class DownloadTests(Doors f)
{
    private static List<string[]> ParseCsv(string text)
    {
        using var csv = new CsvParser(new StringReader(text), CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add(csv.Record!);
        return rows;
    }

    [Fact]
    public async Task Csv_has_every_row_public_columns_and_lon_lat()
    {
        var response = await f.Http.GetAsync("/downloads/parcels.csv");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("parcels.csv", response.Content.Headers.ContentDisposition?.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.NotEqual(0xEF, bytes[0]);
        var rows = ParseCsv(Encoding.UTF8.GetString(bytes));
        Assert.Equal(["clave", "zone", "block", "lot", "locality_cvegeo", "locality", "land_use", "land_area_m2", "built_area_m2", "valuation_zone",
            "construction_type", "land_value", "construction_value", "cadastral_value", "longitude", "latitude"], rows[0]);
        Assert.Equal(PlatformFixture.ParcelCount + 1, rows.Count);
        // negative longitudes stay numbers: only text cells are neutralised
        Assert.All(rows.Skip(1), r => Assert.StartsWith("-96.", r[14]));
        Assert.All(rows.Skip(1), r => Assert.True(double.TryParse(r[7], NumberStyles.Float, CultureInfo.InvariantCulture, out _)));
    }

    [Fact]
    public async Task Csv_for_excel_keeps_accents_with_a_bom_and_can_carry_wkt()
    {
        var bytes = await f.Http.GetByteArrayAsync("/downloads/localities.csv?bom=true&geometry=wkt");
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var rows = ParseCsv(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal("wkt", rows[0][^1]);
        Assert.Contains(rows, r => r.Contains("Boca del Río"));
        Assert.Contains(rows, r => r.Contains("Antón Lizardo"));
        Assert.All(rows.Skip(1), r => Assert.StartsWith("MULTIPOLYGON", r[^1]));
        Assert.Equal(185, rows.Count);
    }

    [Fact]
    public async Task Geojson_download_holds_the_whole_layer()
    {
        var response = await f.Http.GetAsync("/downloads/census_localities_2020.geojson");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("FeatureCollection", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(106, doc.RootElement.GetProperty("features").GetArrayLength());
        // INEGI's confidential marks arrive as empty values, not as text in a number column
        Assert.Contains(doc.RootElement.GetProperty("features").EnumerateArray(), x => x.GetProperty("properties").GetProperty("pnacoe").ValueKind == JsonValueKind.Null);
    }

    [Theory]
    [InlineData("/downloads/nope.csv", HttpStatusCode.NotFound)]
    [InlineData("/downloads/nope.geojson", HttpStatusCode.NotFound)]
    [InlineData("/downloads/parcels.csv?geometry=kml", HttpStatusCode.BadRequest)]
    public async Task Bad_download_requests_are_problems(string url, HttpStatusCode status) =>
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync(url), status);
}
