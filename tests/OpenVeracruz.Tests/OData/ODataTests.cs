using System.Net;
using System.Text.Json;

namespace OpenVeracruz.Tests.OData;

[Collection(nameof(Doors))]
public class ODataTests(Doors f)
{
    [Fact]
    public async Task Metadata_lists_the_entity_sets_and_no_personal_data()
    {
        var xml = await f.Http.GetStringAsync("/odata/$metadata");
        Assert.Contains("EntitySet Name=\"Parcels\"", xml);
        Assert.Contains("EntitySet Name=\"Localities\"", xml);
        Assert.Contains("EntitySet Name=\"Municipalities\"", xml);
        Assert.Contains("Name=\"Wkt\"", xml);
        foreach (var word in new[] { "Owner", "Curp", "Phone", "Email", "FullName" })
            Assert.DoesNotContain(word, xml, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Filter_select_orderby_count_match_the_database()
    {
        var (status, json, _) = await f.GetJsonAsync("/odata/Parcels?$filter=LandUse eq 'comercial' and LandAreaM2 gt 200&$select=Clave,LandAreaM2&$orderby=LandAreaM2 desc&$top=5&$count=true");
        Assert.Equal(HttpStatusCode.OK, status);
        var expected = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE land_use = 'comercial' AND land_area_m2 > 200");
        Assert.Equal(expected, json.GetProperty("@odata.count").GetInt64());
        var rows = json.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(5, rows.Count);
        var areas = rows.Select(r => r.GetProperty("LandAreaM2").GetDouble()).ToList();
        Assert.Equal(areas.OrderDescending(), areas);
        Assert.Equal(await f.ScalarAsync<double>("SELECT max(land_area_m2) FROM cadastre.parcels WHERE land_use = 'comercial'"), areas[0]);
        Assert.All(rows, r => Assert.Equal(2, r.EnumerateObject().Count()));
    }

    [Fact]
    public async Task Server_pages_at_1000_with_a_next_link_that_continues()
    {
        var (_, first, _) = await f.GetJsonAsync("/odata/Parcels?$select=Clave");
        Assert.Equal(1000, first.GetProperty("value").GetArrayLength());
        var next = first.GetProperty("@odata.nextLink").GetString()!;
        var (_, second, _) = await f.GetJsonAsync(next);
        var a = first.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("Clave").GetString()).ToList();
        var b = second.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("Clave").GetString()).ToList();
        Assert.Equal(1000, b.Count);
        Assert.Empty(a.Intersect(b));
        Assert.True(string.CompareOrdinal(a[^1], b[0]) < 0);
    }

    [Fact]
    public async Task Localities_and_municipalities_carry_wkt_and_a_point_inside()
    {
        var (_, json, _) = await f.GetJsonAsync("/odata/Localities?$filter=Cvegeo eq '301930001'");
        var v = json.GetProperty("value")[0];
        Assert.Equal("Veracruz", v.GetProperty("Name").GetString());
        Assert.Equal(405952, v.GetProperty("Population").GetInt64());
        Assert.StartsWith("MULTIPOLYGON", v.GetProperty("Wkt").GetString());
        Assert.InRange(v.GetProperty("Longitude").GetDouble(), -96.3, -96.0);
        var (_, m, _) = await f.GetJsonAsync("/odata/Municipalities?$filter=Population gt 100000&$orderby=Name&$select=Name");
        Assert.Equal(new[] { "Boca del Río", "Veracruz" }, m.GetProperty("value").EnumerateArray().Select(x => x.GetProperty("Name").GetString()!).ToArray());
    }

    [Theory]
    [InlineData("/odata/Parcels?$filter=Nope eq 1")]
    [InlineData("/odata/Parcels?$filter=LandAreaM2 gt")]
    [InlineData("/odata/Parcels?$orderby=Owner")]
    [InlineData("/odata/Parcels?$top=-1")]
    [InlineData("/odata/Parcels?$select=Curp")]
    [InlineData("/odata/Localities?$filter=Population eq 'many'")]
    public async Task Malformed_odata_is_a_problem_not_a_crash(string url)
    {
        var p = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync(url), HttpStatusCode.BadRequest);
        Assert.StartsWith("Consulta OData inválida", p.GetProperty("detail_es").GetString());
    }
}
