using System.Net;
using System.Text.Json;

namespace OpenVeracruz.Tests.Catalog;

[Collection(nameof(CatalogReads))]
public class DatastoreSqlTests(CatalogReads f)
{
    private async Task<string> ParcelsResourceAsync()
    {
        var (_, pkg, _) = await f.GetJsonAsync("/api/3/action/package_show?id=predios-sinteticos");
        return pkg.GetProperty("result").GetProperty("resources").EnumerateArray().First(r => r.GetProperty("datastore_active").GetBoolean()).GetProperty("id").GetString()!;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, string Text)> SqlAsync(string sql)
    {
        var response = await f.Http.PostAsync("/api/3/action/datastore_search_sql",
            new StringContent(JsonSerializer.Serialize(new { sql }), System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response.StatusCode, doc.RootElement.Clone(), text);
    }

    [Fact]
    public async Task Selects_over_datastore_tables_by_resource_id()
    {
        var id = await ParcelsResourceAsync();
        var (status, body, _) = await SqlAsync($"SELECT land_use, count(*) AS n, round(sum(cadastral_value)) AS total FROM \"{id}\" GROUP BY land_use ORDER BY n DESC");
        Assert.Equal(HttpStatusCode.OK, status);
        var records = body.GetProperty("result").GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(PlatformFixture.ParcelCount, records.Sum(r => r.GetProperty("n").GetInt64()));
        var top = records[0].GetProperty("land_use").GetString()!;
        Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE land_use = @u", ("u", top)), records[0].GetProperty("n").GetInt64());
        Assert.Contains(body.GetProperty("result").GetProperty("fields").EnumerateArray(), x => x.GetProperty("id").GetString() == "n" && x.GetProperty("type").GetString() == "bigint");
    }

    [Theory]
    [InlineData("SELECT * FROM cadastre.parcels")]
    [InlineData("SELECT * FROM private.owners")]
    [InlineData("SELECT * FROM layers.localities")]
    [InlineData("SELECT * FROM catalog.datasets")]
    [InlineData("SELECT set_config('role', 'openveracruz', true) AS r, query_to_xml('select * from private.owners', true, true, '') AS x")]
    [InlineData("SELECT pg_read_file('/etc/passwd')")]
    public async Task Nothing_outside_the_datastore_can_be_read(string sql)
    {
        var (status, body, text) = await SqlAsync(sql);
        Assert.NotEqual(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Contains(status, new[] { HttpStatusCode.Forbidden, HttpStatusCode.Conflict });
        var curp = await f.ScalarAsync<string>("SELECT curp FROM private.owners ORDER BY id LIMIT 1");
        Assert.DoesNotContain(curp, text);
    }

    [Fact]
    public async Task Writes_and_multiple_statements_are_refused_and_change_nothing()
    {
        var id = await ParcelsResourceAsync();
        foreach (var sql in new[]
        {
            $"DELETE FROM \"{id}\"",
            $"SELECT 1; DELETE FROM cadastre.parcels",
            $"WITH gone AS (DELETE FROM cadastre.parcels RETURNING clave) SELECT * FROM gone",
            "SELECT * FROM (VALUES (1)) v; DROP TABLE cadastre.parcels",
        })
        {
            var (status, body, _) = await SqlAsync(sql);
            Assert.NotEqual(HttpStatusCode.OK, status);
            Assert.False(body.GetProperty("success").GetBoolean());
        }
        Assert.Equal((long)PlatformFixture.ParcelCount, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels"));
    }

    [Fact]
    public async Task Long_queries_time_out_and_big_results_are_truncated()
    {
        var (status, body, _) = await SqlAsync("SELECT pg_sleep(30)");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("cancelled", body.GetProperty("error").GetProperty("message").GetString());

        var (ok, big, _) = await SqlAsync("SELECT n FROM generate_series(1, 40000) AS n");
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(32000, big.GetProperty("result").GetProperty("records").GetArrayLength());
        Assert.True(big.GetProperty("result").GetProperty("records_truncated").GetBoolean());
    }
}
