using System.Net;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenVeracruz.Platform.Catalog.Uploads;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>
/// A resource refreshed on a schedule from a URL: new bytes make a new version, the same bytes do not; a URL that reaches
/// inside the platform's network (loopback, private, link-local, metadata) is refused when set and when fetched.
/// </summary>
[Collection(nameof(CatalogWrites))]
public class RefreshTests(CatalogWrites f)
{
    private static Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(HttpClient client, string action, object body) =>
        PlatformFixture.CkanAsync(client, action, body);

    private List<RecurringJobDto> RecurringJobs()
    {
        using var connection = f.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs();
    }

    /// <summary>
    /// A web server publishing a file, as the source of a refresh would: on the one loopback address the test configuration
    /// allows (Uploads:RefreshAllowedNetworks). /redirect?to= sends the caller elsewhere.
    /// </summary>
    private sealed class FileSource : IAsyncDisposable
    {
        private WebApplication _app = null!;
        public byte[] Content { get; set; } = [];
        public Uri BaseUri { get; private set; } = null!;

        public static async Task<FileSource> StartAsync(byte[] content)
        {
            var source = new FileSource { Content = content };
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(PlatformFixture.RefreshSourceAddress), 0));
            builder.Logging.ClearProviders();
            source._app = builder.Build();
            source._app.MapGet("/municipios.csv", () => Results.Bytes(source.Content, "text/csv"));
            source._app.MapGet("/redirect", (string to) => Results.Redirect(to));
            await source._app.StartAsync();
            source.BaseUri = new Uri(source._app.Urls.Single());
            return source;
        }

        public string Url(string path) => new Uri(BaseUri, path).ToString();

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    private async Task<RefreshResult> RunRefreshAsync(string id)
    {
        // what Hangfire runs on the schedule, run now
        await using var scope = f.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RefreshResourceJob>().RunAsync(Guid.Parse(id));
    }

    /// <summary>An editor, a new dataset of theirs and a resource given by URL in it; the test, then the dataset is removed.</summary>
    private async Task WithResourceAsync(string prefix, Func<HttpClient, string, Task> test)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var (_, token, _) = await f.StaffAsync("editor");
        var editor = f.NewClient();
        editor.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(editor, "package_create", new { name, title = "Municipios (copia programada)", owner_org = "direccion-modernizacion" })).Status);
            var (_, created) = await CallAsync(editor, "resource_create", new { package_id = name, url = "https://www.inegi.org.mx/municipios.csv", name = "Municipios", format = "CSV" });
            await test(editor, created.GetProperty("result").GetProperty("id").GetString()!);
        }
        finally { await f.CleanDatasetsAsync(prefix); }
    }

    private async Task AssertNothingPublishedAsync(string id)
    {
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resource_versions WHERE resource_id = @i", ("i", Guid.Parse(id))));
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.layers WHERE resource_id = @i", ("i", Guid.Parse(id))));
    }

    [Fact]
    public async Task A_scheduled_refresh_stores_a_new_version_only_when_the_file_changed()
    {
        // the source publishes a file at a URL: here the platform's own CSV of the metro-area municipalities
        var municipalities = await f.Http.GetByteArrayAsync("/downloads/municipalities.csv");
        await using var server = await FileSource.StartAsync(municipalities);
        var source = server.Url("/municipios.csv");
        await WithResourceAsync("prueba-refresco", async (editor, id) =>
        {
            var (bad, badBody) = await CallAsync(editor, "resource_patch", new { id, refresh_url = source, refresh_cron = "cada día" });
            Assert.Equal(HttpStatusCode.Conflict, bad);
            Assert.True(badBody.GetProperty("error").TryGetProperty("refresh_cron", out _));
            Assert.Equal(HttpStatusCode.Conflict, (await CallAsync(editor, "resource_patch", new { id, refresh_url = "ftp://x/y.csv", refresh_cron = "0 3 * * *" })).Status);
            Assert.DoesNotContain(RecurringJobs(), j => j.Id == $"refresh-{id}");

            var (ok, patched) = await CallAsync(editor, "resource_patch", new { id, refresh_url = source, refresh_cron = "0 3 * * *" });
            Assert.Equal(HttpStatusCode.OK, ok);
            Assert.Equal("0 3 * * *", patched.GetProperty("result").GetProperty("refresh_cron").GetString());
            Assert.Contains(RecurringJobs(), j => j.Id == $"refresh-{id}" && j.Cron == "0 3 * * *");

            var first = await RunRefreshAsync(id);
            Assert.Equal(RefreshOutcome.NewVersion, first.Outcome);
            Assert.Equal(1, first.Version);
            var layer = await f.ScalarAsync<string>("SELECT layer_id FROM catalog.resources WHERE id = @i", ("i", Guid.Parse(id)));
            var csv = await f.Http.GetStringAsync($"/downloads/{layer}.csv");
            Assert.Equal(6, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Contains("Boca del Río", csv);

            var second = await RunRefreshAsync(id);
            Assert.Equal(RefreshOutcome.Unchanged, second.Outcome);
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resource_versions WHERE resource_id = @i", ("i", Guid.Parse(id))));

            // the source publishes another file: version 2
            server.Content = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(municipalities).Replace("Boca del Río", "Boca del Río (actualizado)"));
            var third = await RunRefreshAsync(id);
            Assert.Equal((RefreshOutcome.NewVersion, (int?)2), (third.Outcome, third.Version));
            Assert.Contains("Boca del Río (actualizado)", await f.Http.GetStringAsync($"/downloads/{layer}.csv"));

            // empty values stop the refresh
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(editor, "resource_patch", new { id, refresh_url = "", refresh_cron = "" })).Status);
            Assert.DoesNotContain(RecurringJobs(), j => j.Id == $"refresh-{id}");
            Assert.Equal(RefreshOutcome.NotConfigured, (await RunRefreshAsync(id)).Outcome);
        });
    }

    /// <summary>Addresses inside the platform's network, as an attacker would write them; the platform's own port answers on loopback.</summary>
    private string[] InsideUrls()
    {
        var port = f.BaseUri.Port;
        return
        [
            $"http://127.0.0.1:{port}/downloads/municipalities.csv", $"http://[::1]:{port}/downloads/municipalities.csv",
            "http://169.254.169.254/latest/meta-data/", $"http://localhost:{port}/downloads/municipalities.csv",
            $"http://LocalHost.:{port}/downloads/municipalities.csv", $"http://127.1:{port}/downloads/municipalities.csv",
            $"http://2130706433:{port}/downloads/municipalities.csv", $"http://0x7f000001:{port}/downloads/municipalities.csv",
            $"http://[::ffff:127.0.0.1]:{port}/downloads/municipalities.csv", $"http://0.0.0.0:{port}/downloads/municipalities.csv",
            $"http://[::]:{port}/", "http://10.0.0.8/datos.csv", "http://172.16.5.4/datos.csv", "http://192.168.1.10/datos.csv",
            "http://100.100.100.200/latest/meta-data/", "http://[fe80::1]/datos.csv", "http://[fd00:ec2::254]/latest/meta-data/",
            "http://[::ffff:a9fe:a9fe]/latest/meta-data/", "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "http://224.0.0.1/datos.csv",
            "http://255.255.255.255/datos.csv", $"http://127.77.0.2:{port}/datos.csv",
        ];
    }

    [Fact]
    public async Task Refresh_urls_that_reach_inside_are_refused_when_they_are_set()
    {
        await WithResourceAsync("prueba-refresco-ssrf", async (editor, id) =>
        {
            foreach (var url in InsideUrls())
            {
                var (status, body) = await CallAsync(editor, "resource_patch", new { id, refresh_url = url, refresh_cron = "0 3 * * *" });
                Assert.True(status == HttpStatusCode.Conflict, $"{url}: {body}");
                var error = body.GetProperty("error");
                Assert.Equal("Validation Error", error.GetProperty("__type").GetString());
                Assert.Contains("not allowed", error.GetProperty("refresh_url")[0].GetString());
            }
            Assert.DoesNotContain(RecurringJobs(), j => j.Id == $"refresh-{id}");
            Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resources WHERE id = @i AND refresh_url IS NOT NULL", ("i", Guid.Parse(id))));
            await AssertNothingPublishedAsync(id);
        });
    }

    [Fact]
    public async Task The_fetch_itself_refuses_inside_addresses_whatever_the_stored_url()
    {
        await WithResourceAsync("prueba-refresco-ssrf-fetch", async (editor, id) =>
        {
            // a URL that got in before this check, or a name that resolved elsewhere when it was set (DNS rebinding)
            foreach (var url in InsideUrls())
            {
                await using (var set = f.Db.CreateCommand("UPDATE catalog.resources SET refresh_url = @u, refresh_cron = '0 3 * * *' WHERE id = @i"))
                {
                    set.Parameters.AddWithValue("u", url);
                    set.Parameters.AddWithValue("i", Guid.Parse(id));
                    await set.ExecuteNonQueryAsync();
                }
                var result = await RunRefreshAsync(id);
                Assert.True(result.Outcome == RefreshOutcome.Refused, $"{url}: {result}");
                Assert.Contains("not allowed", result.Message);
            }
            await AssertNothingPublishedAsync(id);
        });
    }

    [Fact]
    public async Task A_redirect_from_an_allowed_source_is_followed_only_to_an_allowed_address()
    {
        await using var server = await FileSource.StartAsync(await f.Http.GetByteArrayAsync("/downloads/municipalities.csv"));
        await WithResourceAsync("prueba-refresco-redireccion", async (editor, id) =>
        {
            foreach (var inside in new[] { new Uri(f.BaseUri, "/downloads/municipalities.csv").ToString(), "http://169.254.169.254/latest/meta-data/", $"http://localhost:{f.BaseUri.Port}/" })
            {
                var url = server.Url("/redirect?to=" + Uri.EscapeDataString(inside));
                Assert.Equal(HttpStatusCode.OK, (await CallAsync(editor, "resource_patch", new { id, refresh_url = url, refresh_cron = "0 3 * * *" })).Status);
                var refused = await RunRefreshAsync(id);
                Assert.True(refused.Outcome == RefreshOutcome.Refused, $"{inside}: {refused}");
                Assert.Contains("not allowed", refused.Message);
                await AssertNothingPublishedAsync(id);
            }

            var followed = server.Url("/redirect?to=" + Uri.EscapeDataString(server.Url("/municipios.csv")));
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(editor, "resource_patch", new { id, refresh_url = followed, refresh_cron = "0 3 * * *" })).Status);
            Assert.Equal((RefreshOutcome.NewVersion, (int?)1), ((await RunRefreshAsync(id)) is var r ? (r.Outcome, r.Version) : default));
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(editor, "resource_patch", new { id, refresh_url = "", refresh_cron = "" })).Status);
        });
    }
}
