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
        foreach (var word in new[] { "Owner", "Curp", "Email", "FullName" })
            Assert.DoesNotContain(word, xml, StringComparison.OrdinalIgnoreCase);
        // a phone number only as a municipal office's public line, never a person's
        var phones = System.Xml.Linq.XDocument.Parse(xml).Descendants().Where(e => e.Name.LocalName == "Property" && ((string?)e.Attribute("Name"))!.Contains("Phone", StringComparison.OrdinalIgnoreCase))
            .Select(e => (string?)e.Parent!.Attribute("Name")).ToList();
        Assert.All(phones, owner => Assert.Equal("Offices", owner));
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
    // each of these was a 5xx
    [InlineData("/odata/Parcels?$filter=Zone div 0 eq 1")]
    [InlineData("/odata/Parcels?$filter=Zone mod 0 eq 1")]
    [InlineData("/odata/Parcels?$filter=LandAreaM2 div 0.0 gt 1")]
    [InlineData("/odata/Parcels?$filter=LandAreaM2 gt 100000000000000000000000000000000000000.5")]
    [InlineData("/odata/Parcels?$filter=LandValue lt -1e36M")]
    [InlineData("/odata/Parcels?$filter=matchesPattern(Clave,'x')")]
    [InlineData("/odata/Parcels?$filter=Clave eq '%00'")]
    [InlineData("/odata/Parcels?$filter=Clave eq 'a%00b' or Zone eq 1")]
    [InlineData("/odata/Parcels?$filter=%00")]
    [InlineData("/odata/Parcels?$filter=Clave eq '%C3%28'")]
    [InlineData("/odata/Parcels?$select=Clave%C3%28")]
    [InlineData("/odata/Parcels('%C3%28')")]
    [InlineData("/odata/Parcels?$top=-5&$select=Clave")]
    [InlineData("/odata/Parcels?$top=99999999999999999999")]
    [InlineData("/odata/Parcels?$skip=-1")]
    [InlineData("/odata/Parcels?$skip=99999999999999999999")]
    [InlineData("/odata/Parcels?$top=1e3")]
    [InlineData("/odata/Parcels?$top=1&$top=2")]
    [InlineData("/odata/Parcels?$count=maybe")]
    [InlineData("/odata/Parcels?$expand=Owner")]
    [InlineData("/odata/Parcels?$skiptoken=nope")]
    [InlineData("/odata/Parcels?$filter=Zone add 9223372036854775807 gt 1")]
    [InlineData("/odata/Parcels?$filter=LandAreaM2 mul 1e308 mul 1e308 gt 1")]
    [InlineData("/odata/Parcels?$filter=geo.distance(Wkt,Wkt) lt 1")]
    [InlineData("/odata/CensusLocalities_2020('uno')")]
    public async Task Malformed_odata_is_a_problem_not_a_crash(string url)
    {
        var e = await ODataAssert.IsErrorAsync(await f.Http.GetAsync(url), HttpStatusCode.BadRequest);
        Assert.StartsWith("Consulta OData inválida", ODataAssert.Spanish(e));
    }

    [Fact]
    public async Task A_nul_in_the_path_is_refused_by_the_server_itself()
    {
        // Kestrel answers 400 to a %00 in the path before any application code runs, so there is no OData body
        // here; a NUL in a query option (the same key as $filter=Clave eq '%00') gets the OData error above
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Http.GetAsync("/odata/Parcels('%00')")).StatusCode);
    }

    [Fact]
    public async Task A_key_finds_one_entity_of_every_set()
    {
        var (clave, _, _) = await f.SomeParcelAsync("land_use = 'comercial'");
        var (status, parcel, response) = await f.GetJsonAsync($"/odata/Parcels('{clave}')");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("4.0", response.Headers.GetValues("OData-Version").Single());
        Assert.EndsWith("/odata/$metadata#Parcels/$entity", parcel.GetProperty("@odata.context").GetString());
        Assert.Equal(clave, parcel.GetProperty("Clave").GetString());
        Assert.Equal("comercial", parcel.GetProperty("LandUse").GetString());
        Assert.Equal(await f.ScalarAsync<double>("SELECT cadastral_value::double precision FROM cadastre.parcels WHERE clave = @c", ("c", clave)), parcel.GetProperty("CadastralValue").GetDouble());
        Assert.StartsWith("POLYGON", parcel.GetProperty("Wkt").GetString());

        // the key by name, and $select on one entity
        var (_, named, _) = await f.GetJsonAsync($"/odata/Parcels(Clave='{clave}')?$select=Zone,Lot");
        Assert.Equal(["Zone", "Lot"], named.EnumerateObject().Select(p => p.Name).Where(n => !n.StartsWith('@')).ToArray());

        var (_, locality, _) = await f.GetJsonAsync("/odata/Localities('301930001')");
        Assert.Equal("Veracruz", locality.GetProperty("Name").GetString());
        var (_, municipality, _) = await f.GetJsonAsync("/odata/Municipalities('30028')");
        Assert.Equal("Boca del Río", municipality.GetProperty("Name").GetString());

        // an integer key goes without quotes
        var fid = await f.ScalarAsync<long>("SELECT fid FROM layers.census_localities_2020 WHERE nom_loc = 'Veracruz' LIMIT 1");
        var (intStatus, census, _) = await f.GetJsonAsync($"/odata/CensusLocalities_2020({fid})");
        Assert.Equal(HttpStatusCode.OK, intStatus);
        Assert.Equal(fid, census.GetProperty("Fid").GetInt64());
        Assert.Equal("Veracruz", census.GetProperty("NomLoc").GetString());
    }

    [Theory]
    [InlineData("/odata/Parcels('999-9999-999')")]
    [InlineData("/odata/CensusLocalities_2020(987654321)")]
    [InlineData("/odata/NoSuchSet")]
    [InlineData("/odata/NoSuchSet('x')")]
    public async Task A_missing_entity_or_set_is_a_404_in_odata_format(string url)
    {
        var e = await ODataAssert.IsErrorAsync(await f.Http.GetAsync(url), HttpStatusCode.NotFound);
        Assert.Contains("no existe", ODataAssert.Spanish(e));
    }

    [Theory]
    [InlineData("Parcels", "SELECT count(*) FROM cadastre.parcels", "")]
    [InlineData("Parcels", "SELECT count(*) FROM cadastre.parcels WHERE land_use = 'comercial'", "?$filter=LandUse eq 'comercial'")]
    [InlineData("Localities", "SELECT count(*) FROM layers.localities", "")]
    [InlineData("Municipalities", "SELECT count(*) FROM layers.municipalities WHERE pob > 100000", "?$filter=Population gt 100000")]
    public async Task Count_segment_sends_the_whole_number_as_text(string set, string sql, string query)
    {
        var response = await f.Http.GetAsync($"/odata/{set}/$count{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(await f.ScalarAsync<long>(sql), long.Parse(body));
    }

    [Fact]
    public async Task Format_json_is_accepted_and_other_formats_are_not()
    {
        var (status, none, response) = await f.GetJsonAsync("/odata/Municipalities?$select=Name&$top=1&$format=application/json;odata.metadata=none");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("4.0", response.Headers.GetValues("OData-Version").Single());
        Assert.Equal(["value"], none.EnumerateObject().Select(p => p.Name).ToArray());
        var e = await ODataAssert.IsErrorAsync(await f.Http.GetAsync("/odata/Municipalities?$format=xml"), HttpStatusCode.NotAcceptable);
        Assert.Equal("$format", e.GetProperty("target").GetString());
        using var head = new HttpRequestMessage(HttpMethod.Head, "/odata/$metadata");
        Assert.Equal(HttpStatusCode.OK, (await f.Http.SendAsync(head)).StatusCode);
    }

    [Fact]
    public async Task Service_document_lists_every_registry_layer()
    {
        var (status, doc, response) = await f.GetJsonAsync("/odata");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/odata/$metadata", doc.GetProperty("@odata.context").GetString());
        var sets = doc.GetProperty("value").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!, v => v);
        foreach (var name in new[] { "Parcels", "Localities", "Municipalities", "CensusLocalities_2020", "StateMunicipalities_2020" })
        {
            Assert.Equal("EntitySet", sets[name].GetProperty("kind").GetString());
            Assert.Equal(name, sets[name].GetProperty("url").GetString());
        }
    }

    [Theory]
    [InlineData("contains(Locality,'Vera') and not startswith(Clave,'001')", "strpos(locality, 'Vera') > 0 AND clave NOT LIKE '001%'")]
    [InlineData("endswith(Clave,'-001') or Lot eq 2", "clave LIKE '%-001' OR lot = 2")]
    [InlineData("Zone in (1,2) and Lot ge 3", "zone IN (1, 2) AND lot >= 3")]
    [InlineData("Lot mod 7 eq 3 and Block div 2 eq 1", "lot % 7 = 3 AND block / 2 = 1")]
    [InlineData("Lot div (Lot sub Lot) eq 1", "false")]
    [InlineData("BuiltAreaM2 add 10 gt LandAreaM2 mul 0.5", "built_area_m2 + 10 > land_area_m2 * 0.5")]
    [InlineData("tolower(LandUse) eq 'comercial' and length(Clave) eq 12", "lower(land_use) = 'comercial' AND length(clave) = 12")]
    [InlineData("substring(Clave,4,4) eq '0001' and indexof(Clave,'-') eq 3", "substr(clave, 5, 4) = '0001' AND strpos(clave, '-') = 4")]
    [InlineData("round(LandAreaM2) ge 300 and floor(BuiltAreaM2) lt ceiling(BuiltAreaM2)", "round(land_area_m2::numeric) >= 300 AND floor(built_area_m2) < ceiling(built_area_m2)")]
    [InlineData("not (BuiltAreaM2 gt 0)", "NOT (built_area_m2 > 0)")]
    [InlineData("ConstructionType eq null", "construction_type IS NULL")]
    [InlineData("ConstructionType ne 'X' and -Lot lt -5", "construction_type IS DISTINCT FROM 'X' AND -lot < -5")]
    [InlineData("concat(concat(LandUse,'/'),ValuationZone) eq 'comercial/' or true", "true")]
    [InlineData("substring(Clave,1,-1) eq '' and substring(Clave,2147483647) eq ''", "true")]
    public async Task Filters_select_the_same_parcels_as_sql(string filter, string where)
    {
        var response = await f.Http.GetAsync($"/odata/Parcels/$count?$filter={Uri.EscapeDataString(filter)}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(await f.ScalarAsync<long>($"SELECT count(*) FROM cadastre.parcels WHERE {where}"), long.Parse(await response.Content.ReadAsStringAsync()));
        var (_, page, _) = await f.GetJsonAsync($"/odata/Parcels?$filter={Uri.EscapeDataString(filter)}&$select=Clave&$top=3&$orderby=Clave desc");
        Assert.Equal(await f.ColumnAsync<string>($"SELECT clave FROM cadastre.parcels WHERE {where} ORDER BY clave DESC LIMIT 3"),
            page.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("Clave").GetString()!).ToList());
    }

    [Fact]
    public async Task Top_skip_and_next_links_cover_the_set_once_in_order()
    {
        // 2,500 rows from the 10th on: three pages of at most 1000, the next links carry the rest of $top
        var url = "/odata/Parcels?$select=Clave&$skip=10&$top=2500&$count=true&$format=json";
        var seen = new List<string>();
        var pages = 0;
        while (url is not null)
        {
            var (status, page, _) = await f.GetJsonAsync(url);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels"), page.GetProperty("@odata.count").GetInt64());
            seen.AddRange(page.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("Clave").GetString()!));
            url = page.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
            pages++;
        }
        Assert.Equal(3, pages);
        Assert.Equal(await f.ColumnAsync<string>("SELECT clave FROM cadastre.parcels ORDER BY clave OFFSET 10 LIMIT 2500"), seen);

        // with $orderby the next link pages by $skip, the key breaking ties
        var (_, byArea, _) = await f.GetJsonAsync("/odata/Parcels?$select=Clave&$orderby=LandUse,LandAreaM2 desc");
        var second = await f.GetJsonAsync(byArea.GetProperty("@odata.nextLink").GetString()!);
        var both = byArea.GetProperty("value").EnumerateArray().Concat(second.Json.GetProperty("value").EnumerateArray()).Select(v => v.GetProperty("Clave").GetString()!).ToList();
        Assert.Equal(await f.ColumnAsync<string>("SELECT clave FROM cadastre.parcels ORDER BY land_use, land_area_m2 DESC, clave LIMIT 2000"), both);
    }
}

/// <summary>OData JSON error assertions: <c>{"error":{"code","message","details":[{"code","message"(Spanish),"target"}]}}</c>.</summary>
public static class ODataAssert
{
    public static async Task<JsonElement> IsErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(["error"], doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        var e = doc.RootElement.GetProperty("error").Clone();
        Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("code").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString()));
        return e;
    }

    /// <summary>The Spanish message, which the door sends as the first detail.</summary>
    public static string Spanish(JsonElement error) => error.GetProperty("details")[0].GetProperty("message").GetString()!;
}
