using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using OpenVeracruz.Platform.Catalog;

namespace OpenVeracruz.Tests.Catalog;

[Collection(nameof(CatalogReads))]
public class DatastoreSqlTests(CatalogReads f)
{
    private async Task<string> ParcelsResourceAsync()
    {
        var (_, pkg, _) = await f.GetJsonAsync("/api/3/action/package_show?id=predios-sinteticos");
        return pkg.GetProperty("result").GetProperty("resources").EnumerateArray().First(r => r.GetProperty("datastore_active").GetBoolean()).GetProperty("id").GetString()!;
    }

    private Task<(HttpStatusCode Status, JsonElement Body, string Text)> SqlAsync(string sql) => SqlAsync(f.Http, sql);

    private static async Task<(HttpStatusCode Status, JsonElement Body, string Text)> SqlAsync(HttpClient client, string sql)
    {
        var response = await client.PostAsync("/api/3/action/datastore_search_sql",
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

    [Theory]
    [InlineData("SELECT table_schema, table_name FROM information_schema.tables")]
    [InlineData("SELECT relname FROM pg_class")]
    [InlineData("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'uploads'")]
    [InlineData("SELECT query FROM pg_stat_activity")]
    [InlineData("SELECT * FROM pg_stat_get_activity(NULL)")]
    [InlineData("SELECT n::oid::regclass::text AS t FROM generate_series(16384, 40000) AS n")]
    [InlineData("SELECT pg_get_viewdef(n::oid) AS d FROM generate_series(16384, 40000) AS n")]
    public async Task The_system_catalogs_are_not_readable(string sql)
    {
        var (status, body, text) = await SqlAsync(sql);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("Authorization Error", body.GetProperty("error").GetProperty("__type").GetString());
        Assert.DoesNotContain("owners", text);
        Assert.DoesNotMatch("r_[0-9a-f]{32}", text); // the tables of uploads are named by their resource id
    }

    [Theory]
    [InlineData("SELECT pg_advisory_lock(42) AS l")]
    [InlineData("SELECT pg_try_advisory_xact_lock(42) AS l")]
    [InlineData("SELECT pg_cancel_backend(pg_backend_pid()) AS c")]
    [InlineData("SELECT pg_terminate_backend(pg_backend_pid()) AS c")]
    public async Task The_reader_cannot_cancel_queries_nor_take_advisory_locks(string sql)
    {
        var (status, body, _) = await SqlAsync(sql);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("permission denied", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_door_refuses_to_run_on_a_database_not_hardened_for_the_reader()
    {
        // the cluster's own postgres database keeps PostgreSQL's defaults: the reader may call pg_cancel_backend there
        var cs = new NpgsqlConnectionStringBuilder(TestDatabases.TemplateConnectionString) { Database = "postgres" }.ConnectionString;
        await using var reader = new DatastoreReader(DatastoreReader.DefaultConnectionString(cs), new DatastoreOptions());
        var refused = await Assert.ThrowsAsync<CkanException>(() => reader.OpenAsync(CancellationToken.None));
        Assert.Equal(503, refused.Status);
        Assert.Contains("pg_cancel_backend", refused.Message);
    }

    [Fact]
    public async Task A_huge_value_is_refused_without_being_read()
    {
        // 147 MB of WKT once took the process from 243 MB to 1.5 GB; now one record stops at SqlMaxRecordBytes (1 MB).
        // 200,000 segments (29 MB of WKT, some 150 MB of strings and JSON before) stay inside the 5 s timeout on a busy machine.
        await SqlAsync("SELECT repeat('x', 1000) AS warm"); // the door's first use (JIT, type loading) is not what is measured
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        long peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(20);
            }
        });
        var (status, body, text) = await SqlAsync("SELECT ST_AsText(ST_Buffer(ST_MakePoint(0, 0), 1, n)) AS wkt FROM generate_series(200000, 200000) AS n");
        await sampling.CancelAsync();
        await sampler;
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("larger than 1024 kB", body.GetProperty("error").GetProperty("message").GetString());
        Assert.True(text.Length < 10_000);
        // a constant expression is folded into the plan by the planner: that is read under the same cap
        var (folded, planned, _) = await SqlAsync("SELECT ST_AsText(ST_Buffer(ST_MakePoint(0, 0), 1, 200000)) AS wkt");
        Assert.Equal(HttpStatusCode.Conflict, folded);
        Assert.Contains("larger than 1024 kB", planned.GetProperty("error").GetProperty("message").GetString());
        // loose on purpose: the GC and other work move the working set, but not by the hundreds of MB the value would take
        Assert.True(peak - before < 100L * 1024 * 1024,
            $"working set grew by {(peak - before) / (1024 * 1024)} MB ({(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (1024 * 1024)} MB allocated)");
    }

    [Fact]
    public async Task Records_stop_at_the_byte_cap_and_doubling_strings_end_in_an_error_not_a_flood()
    {
        var (status, body, text) = await SqlAsync("SELECT n, repeat('x', 100000) AS s FROM generate_series(1, 400) AS n");
        Assert.Equal(HttpStatusCode.OK, status);
        var result = body.GetProperty("result");
        Assert.True(result.GetProperty("records_truncated").GetBoolean());
        var records = result.GetProperty("records").GetArrayLength();
        Assert.InRange(records, 100, 170); // 16 MB of 100 kB records, in order
        Assert.Equal(records, result.GetProperty("records")[records - 1].GetProperty("n").GetInt32());
        Assert.True(Encoding.UTF8.GetByteCount(text) < 17 * 1024 * 1024);

        var (doubled, error, _) = await SqlAsync("WITH RECURSIVE t(s) AS (SELECT 'x'::text UNION ALL SELECT s || s FROM t WHERE length(s) < 200000000) SELECT s FROM t");
        Assert.Equal(HttpStatusCode.Conflict, doubled);
        Assert.Equal("Validation Error", error.GetProperty("error").GetProperty("__type").GetString());
    }

    [Fact]
    public async Task One_client_cannot_fill_the_door_and_others_still_get_answers()
    {
        // 30 slow queries at once from one address (they once filled the reader's pool and made a SELECT 1 wait 12.5 s)
        var attacker = f.NewClient(f.NextAddress());
        var slow = Enumerable.Range(0, 30).Select(_ => attacker.PostAsync("/api/3/action/datastore_search_sql",
            new StringContent("{\"sql\":\"SELECT pg_sleep(2) AS z\"}", Encoding.UTF8, "application/json"))).ToList();
        var (status, body, _) = await SqlAsync(f.NewClient(f.NextAddress()), "SELECT 1 AS one");
        var answers = await Task.WhenAll(slow);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("result").GetProperty("records")[0].GetProperty("one").GetInt32());
        Assert.InRange(answers.Count(a => a.StatusCode == HttpStatusCode.OK), 1, 2);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(30 - answers.Count(a => a.StatusCode == HttpStatusCode.OK), refused.Count);
        Assert.Equal("1", refused[0].Headers.RetryAfter?.ToString());
        using var envelope = JsonDocument.Parse(await refused[0].Content.ReadAsStringAsync());
        Assert.False(envelope.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal("Too Many Requests", envelope.RootElement.GetProperty("error").GetProperty("__type").GetString());
    }
}
