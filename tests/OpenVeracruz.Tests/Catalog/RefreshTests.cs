using System.Net;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Uploads;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>A resource refreshed on a schedule from a URL: new bytes make a new version, the same bytes do not.</summary>
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

    [Fact]
    public async Task A_scheduled_refresh_stores_a_new_version_only_when_the_file_changed()
    {
        const string prefix = "prueba-refresco";
        var (_, token, _) = await f.StaffAsync("editor");
        var editor = f.NewClient();
        editor.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        try
        {
            // the source is a file published at a URL: here the platform's own CSV of the metro-area municipalities
            var source = new Uri(f.BaseUri, "/downloads/municipalities.csv").ToString();
            var name = await PlatformFixture.NewDatasetAsync(editor, prefix, "Municipios (copia programada)");
            var (_, created) = await CallAsync(editor, "resource_create", new { package_id = name, url = source, name = "Municipios", format = "CSV" });
            var id = created.GetProperty("result").GetProperty("id").GetString()!;

            var (bad, badBody) = await CallAsync(editor, "resource_patch", new { id, refresh_url = source, refresh_cron = "cada día" });
            Assert.Equal(HttpStatusCode.Conflict, bad);
            Assert.True(badBody.GetProperty("error").TryGetProperty("refresh_cron", out _));
            Assert.Equal(HttpStatusCode.Conflict, (await CallAsync(editor, "resource_patch", new { id, refresh_url = "ftp://x/y.csv", refresh_cron = "0 3 * * *" })).Status);
            Assert.DoesNotContain(RecurringJobs(), j => j.Id == $"refresh-{id}");

            var (ok, patched) = await CallAsync(editor, "resource_patch", new { id, refresh_url = source, refresh_cron = "0 3 * * *" });
            Assert.Equal(HttpStatusCode.OK, ok);
            Assert.Equal("0 3 * * *", patched.GetProperty("result").GetProperty("refresh_cron").GetString());
            Assert.Contains(RecurringJobs(), j => j.Id == $"refresh-{id}" && j.Cron == "0 3 * * *");

            // what Hangfire runs at 03:00, run now
            async Task<RefreshResult> RunAsync()
            {
                await using var scope = f.Services.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<RefreshResourceJob>().RunAsync(Guid.Parse(id));
            }
            var first = await RunAsync();
            Assert.Equal(RefreshOutcome.NewVersion, first.Outcome);
            Assert.Equal(1, first.Version);
            var layer = await f.ScalarAsync<string>("SELECT layer_id FROM catalog.resources WHERE id = @i", ("i", Guid.Parse(id)));
            var csv = await f.Http.GetStringAsync($"/downloads/{layer}.csv");
            Assert.Equal(6, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Contains("Boca del Río", csv);

            var second = await RunAsync();
            Assert.Equal(RefreshOutcome.Unchanged, second.Outcome);
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resource_versions WHERE resource_id = @i", ("i", Guid.Parse(id))));

            // empty values stop the refresh
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(editor, "resource_patch", new { id, refresh_url = "", refresh_cron = "" })).Status);
            Assert.DoesNotContain(RecurringJobs(), j => j.Id == $"refresh-{id}");
            Assert.Equal(RefreshOutcome.NotConfigured, (await RunAsync()).Outcome);
        }
        finally { await f.CleanDatasetsAsync(prefix); }
    }
}
