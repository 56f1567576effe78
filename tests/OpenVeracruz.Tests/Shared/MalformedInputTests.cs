using System.Net;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Shared;

/// <summary>
/// The one global place for malformed input: bytes no door can use are refused before any endpoint, data the database
/// refuses (SQLSTATE class 22) is the caller's 400 wherever it surfaces, and either answer comes in the door's own format.
/// </summary>
[Collection(nameof(HostileInput))]
public class MalformedInputTests(HostileInput f)
{
    private static async Task<JsonElement> CkanErrorAsync(HttpResponseMessage r, HttpStatusCode status)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var body = doc.RootElement.Clone();
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetProperty("message_es").GetString()));
        return body.GetProperty("error");
    }

    [Theory]
    [InlineData("/ogc/collections/parcels/items?clave=a%00b", "clave")]
    [InlineData("/ogc/collections/parcels/items?land_use=%C3%28", "land_use")]
    [InlineData("/api/cadastre/stats?locality=%ED%A0%80", "locality")]
    [InlineData("/downloads/municipalities.csv?geometry=wkt&bom=%FF", "bom")]
    public async Task Nul_or_invalid_utf8_in_a_parameter_is_a_400_naming_it(string url, string parameter)
    {
        var p = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync(url), HttpStatusCode.BadRequest);
        Assert.Equal(parameter, p.GetProperty("parameter").GetString());
        if (url.StartsWith("/ogc", StringComparison.Ordinal)) Assert.Equal("InvalidParameterValue", p.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Invalid_utf8_in_the_path_is_a_400()
    {
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/cadastre/parcels/001-0001-%FF"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Ckan_answers_malformed_query_and_form_values_in_its_envelope()
    {
        var error = await CkanErrorAsync(await f.Http.GetAsync("/api/3/action/package_search?q=agua%00"), HttpStatusCode.BadRequest);
        Assert.Equal("Bad Request", error.GetProperty("__type").GetString());
        await CkanErrorAsync(await f.Http.PostAsync("/api/3/action/package_search",
            new StringContent("q=agua%C0%AF&rows=5", Encoding.ASCII, "application/x-www-form-urlencoded")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_nul_that_reaches_the_database_inside_json_is_a_400_in_the_doors_format()
    {
        // JSON bodies are not url-encoded: the NUL gets through to PostgreSQL, which refuses it (22021)
        var (status, body) = await PlatformFixture.CkanAsync(f.Http, "package_search", new { q = "agua\0" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Contains("0x00", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_address_nothing_answers_is_a_404_in_the_doors_format()
    {
        var ogc = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/ogc/collections/parcels/items/001-0001-001/more"), HttpStatusCode.NotFound);
        Assert.Equal("NotFound", ogc.GetProperty("code").GetString());
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/cadastre/nothing-here"), HttpStatusCode.NotFound);
    }
}
