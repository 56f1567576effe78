using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Web;

/// <summary>The import status and the report of rejected rows of an uploaded resource on its dataset page, in headless Chromium.</summary>
[Collection(nameof(CatalogBrowser))]
public class ImportStatusBrowserTests(CatalogBrowser f) : IAsyncLifetime
{
    private const string Prefix = "prueba-estado-carga";
    private BrowserPages _browser = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync() => _browser = await f.BrowserPagesAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        Assert.Empty(_errors); // no uncaught script error
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string action, HttpContent content)
    {
        var response = await client.PostAsync($"/api/3/action/{action}", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("result").Clone();
    }

    private Task CleanAsync() => f.CleanDatasetsAsync(Prefix);

    /// <summary>A new dataset of an editor with one uploaded CSV (imported inline in the tests); returns its name and the resource id.</summary>
    private async Task<(string Dataset, string ResourceId)> UploadAsync(string csv)
    {
        var editor = f.NewClient();
        editor.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", (await f.StaffAsync("editor")).Token);
        var dataset = await PlatformFixture.NewDatasetAsync(editor, Prefix, "Carga con filas rechazadas");
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(dataset), "package_id");
        form.Add(new StringContent("Escuelas"), "name");
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "upload", "escuelas.csv");
        var resource = await PostAsync(editor, "resource_create", form);
        return (dataset, resource.GetProperty("id").GetString()!);
    }

    private async Task<IPage> OpenAsync(string dataset, int width = 1280, Func<IPage, Task>? before = null)
    {
        var page = await _browser.NewPageAsync(_errors, width, 800);
        if (before is not null) await before(page);
        var response = await page.GotoAsync(new Uri(f.BaseUri, $"/datos/dataset/{dataset}").ToString());
        Assert.Equal(200, response!.Status);
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.ovState === 'ready'", null, new() { Timeout = 30_000 });
        return page;
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(360)]
    public async Task Dataset_page_shows_the_imported_rows_and_the_rejected_ones(int width)
    {
        try
        {
            var csv = "nombre,lon,lat\n" +
                      "uno,-96.1,19.1\n" +      // line 2
                      "dos,-96.2\n" +           // line 3: ragged
                      "tres,-96.3,19.3\n" +     // line 4
                      "cuatro,-96.3,95\n" +     // line 5: latitude out of range
                      "cinco,-96.4,19.4\n";     // line 6
            var (dataset, rid) = await UploadAsync(csv);

            var (code, status, _) = await f.GetJsonAsync($"/api/uploads/{rid}/status");
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal("succeeded", status.GetProperty("state").GetString());
            var rows = status.GetProperty("rowsDone").GetInt64();
            var version = status.GetProperty("version").GetInt32();
            Assert.Equal(3, rows);
            var report = status.GetProperty("report").EnumerateArray()
                .Select(r => (Row: r.GetProperty("row").GetInt64(), Field: r.GetProperty("field").GetString() ?? "", Problem: r.GetProperty("problem").GetString()!)).ToList();
            Assert.Equal(2, report.Count);

            var page = await OpenAsync(dataset, width);

            var box = page.Locator($".import[data-resource-id='{rid}']");
            Assert.Equal(1, await page.Locator(".import").CountAsync()); // only the uploaded resource, not its derived distributions
            Assert.Equal("succeeded", await box.GetAttributeAsync("data-state"));
            var line = box.Locator(".import-status");
            Assert.Equal("polite", await line.GetAttributeAsync("aria-live"));
            Assert.Equal($"Importado: {rows.ToString(CultureInfo.InvariantCulture)} filas (versión {version})", (await line.TextContentAsync())!.Trim());
            Assert.False(await box.Locator("progress").IsVisibleAsync()); // no bar once done

            var details = box.Locator("details.import-rejected");
            Assert.Contains("Filas rechazadas (2)", await details.Locator("summary").TextContentAsync());
            await details.Locator("summary").ClickAsync();
            var cells = await details.Locator("tbody tr").EvaluateAllAsync<string[][]>(
                "trs => trs.map(tr => Array.from(tr.cells, c => c.textContent))");
            Assert.Equal(report.Select(r => r.Row.ToString(CultureInfo.InvariantCulture)), cells.Select(c => c[0]));
            Assert.Equal(report.Select(r => r.Field == "" ? "—" : r.Field), cells.Select(c => c[1]));
            Assert.Equal(report.Select(r => r.Problem), cells.Select(c => c[2]));
            Assert.Equal(["3", "5"], cells.Select(c => c[0]).ToArray());

            var versions = await box.Locator(".import-versions a").GetAttributeAsync("href");
            Assert.EndsWith($"/dataset/{dataset}/resource/{rid}/versions", versions);
            var (vCode, list, _) = await f.GetJsonAsync(new Uri(versions!).PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, vCode);
            Assert.Equal(version, list.EnumerateArray().Last().GetProperty("version").GetInt32());

            // nothing wider than the screen at 360 px
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"));
        }
        finally
        {
            await CleanAsync();
        }
    }

    [Fact]
    public async Task A_refused_file_shows_why_it_failed()
    {
        try
        {
            var (dataset, rid) = await UploadAsync("nombre,lon,lat\nuno,x,y\n");
            var (code, status, _) = await f.GetJsonAsync($"/api/uploads/{rid}/status");
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal("failed", status.GetProperty("state").GetString());

            var page = await OpenAsync(dataset, 360);
            var box = page.Locator($".import[data-resource-id='{rid}']");
            Assert.Equal("failed", await box.GetAttributeAsync("data-state"));
            Assert.Equal("Falló: " + status.GetProperty("message").GetString(), (await box.Locator(".import-status").TextContentAsync())!.Trim());
        }
        finally
        {
            await CleanAsync();
        }
    }

    /// <summary>A long import seen through a stubbed status door: queued, then running with a bar, then done; polling stops.</summary>
    [Fact]
    public async Task Progress_is_polled_while_the_job_runs_and_stops_when_it_is_done()
    {
        try
        {
            var (dataset, rid) = await UploadAsync("nombre,lon,lat\nuno,-96.1,19.1\n");
            var report = Enumerable.Range(0, 60).Select(i => new { row = i + 2, field = "lat", problem = $"problema {i + 2}" }).ToArray();
            object Status(string state, long done, string? message = null) => new
            {
                resourceId = rid, version = 2, state, rowsDone = done, rowsTotal = 50_000L, rejected = state == "succeeded" ? 60 : 0, repaired = 0,
                message, report = state == "succeeded" ? report : [], layer = (string?)null,
                queuedAt = DateTime.UtcNow, startedAt = (DateTime?)null, finishedAt = (DateTime?)null,
            };
            var sequence = new[] { Status("queued", 0), Status("running", 30_000), Status("succeeded", 50_000, "ok") };
            var calls = 0;
            var stage = 0; // the test moves the job on
            var page = await OpenAsync(dataset, 360, p => p.RouteAsync($"**/api/uploads/{rid}/status", route =>
            {
                Interlocked.Increment(ref calls);
                var body = JsonSerializer.Serialize(sequence[Volatile.Read(ref stage)]);
                return route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = body });
            }));
            var box = page.Locator($".import[data-resource-id='{rid}']");
            var line = box.Locator(".import-status");
            Assert.Equal("En cola", (await line.TextContentAsync())!.Trim());
            Assert.True(await box.Locator("progress").IsVisibleAsync());

            var first = calls;
            await page.WaitForTimeoutAsync(4_500);
            Assert.True(calls >= first + 1, "polled every 2 s while queued");

            var fmt = await page.EvaluateAsync<string[]>("() => [30000, 50000].map(n => new Intl.NumberFormat('es-MX').format(n))");
            Volatile.Write(ref stage, 1);
            await page.WaitForFunctionAsync($"() => document.querySelector(\".import[data-resource-id='{rid}']\").dataset.state === 'running'", null, new() { Timeout = 10_000 });
            Assert.Equal($"Importando: {fmt[0]} de {fmt[1]} filas", (await line.TextContentAsync())!.Trim());
            Assert.Equal(30_000, await box.Locator("progress").EvaluateAsync<double>("p => p.value"));
            Assert.Equal(50_000, await box.Locator("progress").EvaluateAsync<double>("p => p.max"));

            Volatile.Write(ref stage, 2);
            await page.WaitForFunctionAsync($"() => document.querySelector(\".import[data-resource-id='{rid}']\").dataset.state === 'succeeded'", null, new() { Timeout = 10_000 });
            Assert.Equal($"Importado: {fmt[1]} filas (versión 2)", (await line.TextContentAsync())!.Trim());
            Assert.False(await box.Locator("progress").IsVisibleAsync());
            Assert.True(await box.Locator(".import-reload a").IsVisibleAsync());
            Assert.Equal(50, await box.Locator("details.import-rejected tbody tr").CountAsync());
            Assert.Contains("10", await box.Locator(".import-more").TextContentAsync());

            var seen = calls;
            await page.WaitForTimeoutAsync(4_500); // two more polling periods
            Assert.Equal(seen, calls);
        }
        finally
        {
            await CleanAsync();
        }
    }
}
