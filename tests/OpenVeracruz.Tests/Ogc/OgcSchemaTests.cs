using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace OpenVeracruz.Tests.Ogc;

/// <summary>What clients read to learn a collection (its schemas, the OpenAPI document) and how they page through it.</summary>
[Collection(nameof(Doors))]
public class OgcSchemaTests(Doors f)
{
    private static readonly string[] Collections = ["census_localities_2020", "localities", "municipalities", "state_municipalities_2020", "parcels"];

    private async Task<JsonNode> DocumentAsync(string url, string mediaType = "application/schema+json")
    {
        var r = await f.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(mediaType, r.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
    }

    private static void AssertValid(JsonSchema schema, JsonNode? instance, string what)
    {
        var result = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, $"{what} is not valid:\n" + string.Join("\n", errors));
    }

    [Fact]
    public async Task Every_schema_document_is_valid_against_the_json_schema_metaschema()
    {
        foreach (var id in Collections)
        {
            AssertValid(MetaSchemas.Draft201909, await DocumentAsync($"/ogc/collections/{id}/queryables"), $"{id} queryables");
            AssertValid(MetaSchemas.Draft202012, await DocumentAsync($"/ogc/collections/{id}/schema"), $"{id} schema");
            AssertValid(MetaSchemas.Draft202012, await DocumentAsync($"/ogc/collections/{id}/feature-schema"), $"{id} feature schema");
        }
    }

    [Fact]
    public async Task The_described_by_schema_types_the_features_the_items_return()
    {
        var (_, collection, _) = await f.GetJsonAsync("/ogc/collections/parcels");
        var link = collection.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "describedBy");
        Assert.Equal("application/schema+json", link.GetProperty("type").GetString());
        var schemaNode = await DocumentAsync(link.GetProperty("href").GetString()!);
        var props = schemaNode["properties"]!["properties"]!["properties"]!;
        Assert.Equal("string", (string?)props["clave"]!["type"]);
        Assert.Equal("integer", (string?)props["zone"]!["type"]);
        Assert.Equal("number", (string?)props["cadastral_value"]!["type"]);

        var schema = JsonSchema.FromText(schemaNode.ToJsonString());
        var page = await DocumentAsync("/ogc/collections/parcels/items?limit=50", "application/geo+json");
        foreach (var feature in page["features"]!.AsArray()) AssertValid(schema, feature, $"feature {feature!["id"]}");
    }

    [Fact]
    public async Task The_part5_schema_gives_the_order_the_key_and_the_geometry()
    {
        var (_, collection, _) = await f.GetJsonAsync("/ogc/collections/parcels");
        Assert.Contains(collection.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "http://www.opengis.net/def/rel/ogc/1.0/schema");
        var props = (await DocumentAsync("/ogc/collections/parcels/schema"))["properties"]!;
        Assert.Equal("id", (string?)props["clave"]!["x-ogc-role"]);
        Assert.Equal(1, (int?)props["clave"]!["x-ogc-propertySeq"]);
        Assert.Equal("primary-geometry", (string?)props["geom"]!["x-ogc-role"]);
        Assert.Equal("geometry-polygon", (string?)props["geom"]!["format"]);
        Assert.Null(props["owner"]);
    }

    [Fact]
    public async Task The_openapi_document_gives_the_default_and_maximum_page_size_where_qgis_and_gdal_read_them()
    {
        var api = await DocumentAsync("/ogc/api", "application/vnd.oai.openapi+json");
        var limit = api["components"]!["parameters"]!["limit"]!["schema"]!;
        Assert.Equal(10, (int)limit["default"]!);
        Assert.Equal(10_000, (int)limit["maximum"]!);
        var parameters = api["paths"]!["/collections/parcels/items"]!["get"]!["parameters"]!.AsArray();
        Assert.Contains(parameters, p => (string?)p!["$ref"] == "#/components/parameters/limit");
        Assert.Contains(parameters, p => (string?)p!["$ref"] == "#/components/parameters/datetime");
        Assert.Contains(parameters, p => (string?)p!["name"] == "clave" && (string?)p!["schema"]!["type"] == "string");
    }

    [Fact]
    public async Task Geometries_in_another_crs_carry_no_legacy_crs_member()
    {
        var (clave, _, _) = await f.SomeParcelAsync();
        foreach (var url in new[] { $"/ogc/collections/parcels/items?limit=3&crs=EPSG:32614", $"/ogc/collections/parcels/items/{clave}?crs=EPSG:6372" })
        {
            var text = await f.Http.GetStringAsync(url);
            Assert.DoesNotContain("\"crs\"", text);
        }
    }

    [Fact]
    public async Task A_parameter_repeated_with_the_same_value_counts_once_and_with_another_value_is_refused()
    {
        var utm = "http://www.opengis.net/def/crs/EPSG/0/32614";
        var (status, page, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?limit=4&crs={utm}&crs={utm}&limit=4");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, page.GetProperty("numberReturned").GetInt32());
        var p = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/ogc/collections/parcels/items?crs={utm}&crs=EPSG:6372"), HttpStatusCode.BadRequest);
        Assert.Equal("InvalidParameterValue", p.GetProperty("code").GetString());
        Assert.Equal("crs", p.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Next_links_keep_the_parameters_as_the_client_spelt_them()
    {
        var (_, page, _) = await f.GetJsonAsync("/ogc/collections/parcels/items?limit=2&crs=http://www.opengis.net/def/crs/EPSG/0/32614&land_use=habitacional");
        var next = page.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString()!;
        Assert.EndsWith("/ogc/collections/parcels/items?limit=2&crs=http://www.opengis.net/def/crs/EPSG/0/32614&land_use=habitacional&offset=2", next);
        var (_, second, _) = await f.GetJsonAsync(next);
        var prev = second.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "prev").GetProperty("href").GetString()!;
        Assert.EndsWith("?limit=2&crs=http://www.opengis.net/def/crs/EPSG/0/32614&land_use=habitacional&offset=0", prev);
    }

    [Theory]
    [InlineData("EPSG:32614", "-1e15,-1e15,1e15,1e15")]
    [InlineData("EPSG:32614", "-1e300,-1e300,1e300,1e300")]
    [InlineData("EPSG:6369", "790000,2110000,830000,1e9")]
    [InlineData("EPSG:6372", "-1e300,0,0,1e300")]
    public async Task A_bbox_outside_the_domain_of_its_crs_is_refused(string crs, string bbox)
    {
        var p = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/ogc/collections/parcels/items?bbox={bbox}&bbox-crs={crs}"), HttpStatusCode.BadRequest);
        Assert.Equal("InvalidParameterValue", p.GetProperty("code").GetString());
        Assert.Contains("domain", p.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_bbox_in_a_metric_crs_around_the_city_is_inside_its_domain()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        foreach (var crs in new[] { OpenVeracruz.Platform.Shared.Crs.Utm14N, OpenVeracruz.Platform.Shared.Crs.MexicoUtm14N, OpenVeracruz.Platform.Shared.Crs.MexicoLcc })
        {
            var (x, y) = OpenVeracruz.Platform.Shared.Crs.Transform(OpenVeracruz.Platform.Shared.Crs.Crs84, crs).Transform(lon, lat);
            var bbox = string.Create(CultureInfo.InvariantCulture, $"{x - 5000:R},{y - 5000:R},{x + 5000:R},{y + 5000:R}");
            var (status, page, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?limit=1&bbox={bbox}&bbox-crs={crs.Uri}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(1, page.GetProperty("numberReturned").GetInt32());
        }
    }
}
