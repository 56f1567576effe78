using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Web;

/// <summary>The open-data catalog pages (/datos) in a real headless Chromium, checked against the platform's own APIs.</summary>
[Collection(nameof(CatalogBrowser))]
public class CatalogBrowserTests(CatalogBrowser f) : IAsyncLifetime
{
    private const string Dataset = "localidades-zm-veracruz";
    private BrowserPages _browser = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync() => _browser = await f.BrowserPagesAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        Assert.Empty(_errors); // no uncaught script error on any page
    }

    private async Task<IPage> OpenAsync(string path, string state = "ready", int width = 1280, int height = 800)
    {
        var page = await _browser.NewPageAsync(_errors, width, height);
        var response = await page.GotoAsync(new Uri(f.BaseUri, path).ToString());
        Assert.Equal(state == "not-found" ? 404 : 200, response!.Status);
        await WaitStateAsync(page, state);
        return page;
    }

    /// <summary>The pages mark document.documentElement.dataset.ovState: loading, ready, error, not-found.</summary>
    private static Task WaitStateAsync(IPage page, string state, string? condition = null) =>
        page.WaitForFunctionAsync($"s => document.documentElement.dataset.ovState === s && ({condition ?? "true"})", state, new() { Timeout = 30_000 });

    private async Task<JsonElement> CkanAsync(string actionAndQuery)
    {
        var (status, json, _) = await f.GetJsonAsync("/api/3/action/" + actionAndQuery);
        Assert.Equal(HttpStatusCode.OK, status);
        return json.GetProperty("result");
    }

    private static async Task<List<string>> CardNamesAsync(IPage page) =>
        [.. await page.EvalOnSelectorAllAsync<string[]>("#datos-results .dataset-card", "cards => cards.map(c => c.dataset.name)")];

    private static async Task<int> ShownCountAsync(IPage page) =>
        int.Parse((await page.GetAttributeAsync("#datos-count", "data-count"))!, CultureInfo.InvariantCulture);

    private static List<string> Names(JsonElement search) =>
        [.. search.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("name").GetString()!)];

    [Fact]
    public async Task Search_and_organization_facet_keep_their_state_in_the_address()
    {
        var q = "población";
        var byText = await CkanAsync($"package_search?q={Uri.EscapeDataString(q)}&facet.field={Uri.EscapeDataString("[\"organization\"]")}");
        var orgFq = Uri.EscapeDataString("organization:\"direccion-modernizacion\"");
        var byTextAndOrg = await CkanAsync($"package_search?q={Uri.EscapeDataString(q)}&fq={orgFq}");
        var byOrg = await CkanAsync($"package_search?fq={orgFq}");
        var all = await CkanAsync("package_search");
        Assert.True(byOrg.GetProperty("count").GetInt32() < all.GetProperty("count").GetInt32(), "the organization owns part of the catalog");

        var page = await OpenAsync("/datos"); // the folder's address without the slash is redirected to /datos/
        Assert.Equal(all.GetProperty("count").GetInt32(), await ShownCountAsync(page));
        await page.FillAsync("#datos-q", q);
        await page.PressAsync("#datos-q", "Enter");
        await WaitStateAsync(page, "ready", "new URLSearchParams(location.search).get('q') === 'población'");
        Assert.Equal(byText.GetProperty("count").GetInt32(), await ShownCountAsync(page));
        Assert.Equal(Names(byText), await CardNamesAsync(page));
        Assert.Contains(q, await page.TextContentAsync("#datos-count"));

        var facet = page.Locator("#datos-facet-groups .facet-item[data-field='organization']", new() { HasText = "Dirección de Modernización" });
        Assert.Equal("false", await facet.GetAttributeAsync("aria-pressed"));
        Assert.Equal(byText.GetProperty("search_facets").GetProperty("organization").GetProperty("items")[0].GetProperty("count").GetInt32().ToString(CultureInfo.InvariantCulture),
            await facet.Locator(".facet-count").EvaluateAsync<string>("e => e.firstChild.textContent")); // then " conjuntos" for screen readers
        await facet.ClickAsync();
        await WaitStateAsync(page, "ready", "new URLSearchParams(location.search).get('organization') === 'direccion-modernizacion'");
        Assert.Contains("q=", page.Url);
        Assert.Equal(byTextAndOrg.GetProperty("count").GetInt32(), await ShownCountAsync(page));
        Assert.True(await ShownCountAsync(page) <= byText.GetProperty("count").GetInt32());
        Assert.Equal(Names(byTextAndOrg), await CardNamesAsync(page));
        Assert.All(await page.Locator("#datos-results .dataset-org").AllInnerTextsAsync(), o => Assert.StartsWith("Dirección de Modernización", o));
        Assert.Equal("true", await page.Locator("#datos-facet-groups .facet-item[data-field='organization']").First.GetAttributeAsync("aria-pressed"));
        Assert.Equal("true", await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-pressed')")); // focus stays on the facet

        // the filter is a removable chip; without the text search, the organization narrows the whole catalog
        await page.Locator("#datos-chips .chip", new() { HasText = "búsqueda" }).ClickAsync();
        await WaitStateAsync(page, "ready", "!new URLSearchParams(location.search).has('q')");
        Assert.Equal(byOrg.GetProperty("count").GetInt32(), await ShownCountAsync(page));
        Assert.Equal(Names(byOrg), await CardNamesAsync(page));
        Assert.DoesNotContain("predios-sinteticos", await CardNamesAsync(page));

        // the back button returns to the text search with the filter; a shared address opens the same results
        await page.GoBackAsync();
        await WaitStateAsync(page, "ready", "new URLSearchParams(location.search).get('q') === 'población'");
        Assert.Equal(byTextAndOrg.GetProperty("count").GetInt32(), await ShownCountAsync(page));
        Assert.Equal(q, await page.InputValueAsync("#datos-q"));
        var shared = await OpenAsync(new Uri(page.Url).PathAndQuery);
        Assert.Equal(Names(byTextAndOrg), await CardNamesAsync(shared));

        // sorting by name is the API's title order, and it is part of the address too
        var sorted = await CkanAsync($"package_search?sort={Uri.EscapeDataString("title_string asc")}");
        var browse = await OpenAsync("/datos/");
        await browse.SelectOptionAsync("#datos-sort", "nombre");
        await WaitStateAsync(browse, "ready", "new URLSearchParams(location.search).get('sort') === 'nombre'");
        Assert.Equal(Names(sorted), await CardNamesAsync(browse));

        // the synthetic cadastre carries its badge; each title links to its dataset page
        var cadastre = await OpenAsync("/datos/?organization=direccion-catastro");
        Assert.Equal(["predios-sinteticos"], await CardNamesAsync(cadastre));
        Assert.Equal("Datos sintéticos", (await cadastre.Locator(".dataset-card .badge-synthetic").InnerTextAsync()).Trim());
        await cadastre.Locator(".dataset-card h3 a").ClickAsync();
        await WaitStateAsync(cadastre, "ready");
        Assert.EndsWith("/datos/dataset/predios-sinteticos", cadastre.Url);
    }

    [Fact]
    public async Task Dataset_page_previews_rows_maps_features_and_downloads_the_csv()
    {
        var pkg = await CkanAsync($"package_show?id={Dataset}");
        var datastore = pkg.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("datastore_active").GetBoolean());
        var rows = await CkanAsync($"datastore_search?resource_id={datastore.GetProperty("id").GetString()}&limit=20");
        var (_, items, _) = await f.GetJsonAsync("/ogc/collections/localities/items?limit=50");

        var page = await OpenAsync($"/datos/dataset/{Dataset}");
        Assert.Equal(pkg.GetProperty("title").GetString(), (await page.TextContentAsync("#ds-title"))?.Trim());
        Assert.Equal(pkg.GetProperty("organization").GetProperty("title").GetString(), (await page.TextContentAsync("#ds-org"))?.Trim());
        Assert.Equal(pkg.GetProperty("license_url").GetString(), await page.GetAttributeAsync("#ds-license a", "href"));
        Assert.Contains("INEGI", await page.TextContentAsync("#ds-attribution"));

        // preview: the first 20 rows as datastore_search returns them, column by column
        var fields = rows.GetProperty("fields").EnumerateArray().Select(x => x.GetProperty("id").GetString()!).ToList();
        var cells = await page.EvalOnSelectorAllAsync<string[][]>("#ds-preview tbody tr", "trs => trs.map(tr => [...tr.cells].map(td => td.textContent))");
        var records = rows.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(20, cells.Length);
        Assert.Equal(records.Count, cells.Length);
        for (var i = 0; i < records.Count; i++)
            for (var j = 0; j < fields.Count; j++)
            {
                var v = records[i].GetProperty(fields[j]);
                if (v.ValueKind == JsonValueKind.Number)
                    Assert.Equal(v.GetDouble(), double.Parse(cells[i][j], CultureInfo.InvariantCulture));
                else
                    Assert.Equal(v.ValueKind == JsonValueKind.Null ? "" : v.GetString(), cells[i][j]);
            }
        Assert.Contains(rows.GetProperty("total").GetInt64().ToString(CultureInfo.InvariantCulture), await page.TextContentAsync("#ds-preview caption"));

        // map: the first 50 features of the OGC collection, drawn over the spatial coverage
        Assert.Equal(items.GetProperty("features").GetArrayLength(), await page.EvaluateAsync<int>("() => window.ovDatasetFeatures"));
        Assert.True(await page.EvaluateAsync<int>("() => document.querySelectorAll('#ds-map .leaflet-overlay-pane path').length") > 50);

        // downloads: the CSV button is the real file; the Excel link adds the UTF-8 BOM
        var csvHref = (await page.GetAttributeAsync("#ds-resources a.download[data-format='CSV']", "href"))!;
        Assert.Equal(datastore.GetProperty("url").GetString(), csvHref);
        using (var csv = await f.Http.GetAsync(csvHref))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var bytes = await csv.Content.ReadAsByteArrayAsync();
            Assert.False(bytes is [0xEF, 0xBB, 0xBF, ..]);
            Assert.StartsWith("cvegeo,", System.Text.Encoding.UTF8.GetString(bytes));
        }
        Assert.Equal("CSV para Excel (con acentos)", (await page.TextContentAsync("#ds-excel"))?.Trim());
        var excelHref = (await page.GetAttributeAsync("#ds-excel", "href"))!;
        Assert.Equal(csvHref + "?bom=true", excelHref);
        using (var excel = await f.Http.GetAsync(excelHref))
        {
            Assert.Equal(HttpStatusCode.OK, excel.StatusCode);
            Assert.True(await excel.Content.ReadAsByteArrayAsync() is [0xEF, 0xBB, 0xBF, (byte)'c', ..], "UTF-8 BOM before the header");
        }
        var formats = await page.Locator("#ds-resources .download-format").AllInnerTextsAsync();
        Assert.Equal(pkg.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("format").GetString()!), formats.Select(x => x.Trim()));

        // how to get the data: snippets built from the real addresses, OGC and OData links
        Assert.Contains(csvHref, await page.TextContentAsync("#snippet-curl"));
        Assert.Contains(datastore.GetProperty("id").GetString()!, await page.TextContentAsync("#snippet-python"));
        Assert.Contains("read_csv(\"" + csvHref + "\")", await page.TextContentAsync("#snippet-r"));
        var apiLinks = await page.EvalOnSelectorAllAsync<string[]>("#ds-api-links a", "as => as.map(a => a.href)");
        Assert.Contains(new Uri(f.BaseUri, "/ogc/collections/localities").ToString(), apiLinks);
        Assert.Contains(apiLinks, l => l.Contains("/odata/Localities", StringComparison.Ordinal));
        var odata = apiLinks.First(l => l.Contains("/odata/Localities", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync(odata)).StatusCode);
    }

    [Fact]
    public async Task Both_pages_fit_a_360_px_phone()
    {
        const string noHorizontalScroll = "() => document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth";
        var catalog = await OpenAsync("/datos/?q=censo", width: 360, height: 740);
        Assert.True(await catalog.Locator("#datos-results .dataset-card").CountAsync() > 0);
        Assert.False(await catalog.EvaluateAsync<bool>("() => document.querySelector('#datos-facets').open"), "facets fold away on a phone");
        Assert.True(await catalog.EvaluateAsync<bool>(noHorizontalScroll), "no horizontal scroll on /datos at 360 px");
        await catalog.ClickAsync("#datos-facets summary");
        Assert.True(await catalog.EvaluateAsync<bool>(noHorizontalScroll), "no horizontal scroll with the facets open");

        foreach (var name in new[] { Dataset, "predios-sinteticos" })
        {
            var page = await OpenAsync($"/datos/dataset/{name}", width: 360, height: 740);
            Assert.True(await page.EvaluateAsync<bool>(noHorizontalScroll), $"no horizontal scroll on /datos/dataset/{name} at 360 px");
            // the wide preview table scrolls inside its own box
            Assert.True(await page.EvaluateAsync<bool>("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth > w.clientWidth; }"));
        }
    }

    [Fact]
    public async Task Unknown_dataset_says_so_in_spanish()
    {
        var (status, json, _) = await f.GetJsonAsync("/api/3/action/package_show?id=no-existe-este-conjunto");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(json.GetProperty("success").GetBoolean());

        var page = await OpenAsync("/datos/dataset/no-existe-este-conjunto", state: "not-found");
        Assert.True(await page.IsVisibleAsync("#datos-error"));
        var message = await page.TextContentAsync("#datos-error");
        Assert.Contains("no encontrado", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("no-existe-este-conjunto", message);
        Assert.True(await page.IsHiddenAsync("#dataset"));
        Assert.Equal("/datos/", await page.GetAttributeAsync("#datos-error a", "href"));
    }

    [Fact]
    public async Task Dataset_pages_carry_schema_org_for_search_engines()
    {
        // what a crawler reads without running scripts
        var html = await f.Http.GetStringAsync("/datos/dataset/localidades-censo-2020");
        var start = html.IndexOf("<script type=\"application/ld+json\">", StringComparison.Ordinal);
        Assert.True(start > 0, "the page embeds JSON-LD");
        var json = html[(html.IndexOf('>', start) + 1)..html.IndexOf("</script>", start, StringComparison.Ordinal)];
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("Dataset", doc.RootElement.GetProperty("@type").GetString());
        Assert.Equal("Población por localidad 2020 (Veracruz y Boca del Río)", doc.RootElement.GetProperty("name").GetString());
        Assert.True(html.IndexOf("</head>", StringComparison.Ordinal) > start, "inside the head");
    }

    [Fact]
    public async Task The_map_and_the_catalog_link_to_each_other()
    {
        var page = await _browser.NewPageAsync(_errors);
        await page.GotoAsync(f.BaseUri.ToString());
        await page.WaitForFunctionAsync("() => window.ovReady === true", null, new() { Timeout = 30_000 });
        await page.ClickAsync("#site-header a[href='/datos/']");
        await WaitStateAsync(page, "ready");
        Assert.EndsWith("/datos/", page.Url);
        await page.ClickAsync("#site-header .site-nav a[href='/']");
        await page.WaitForFunctionAsync("() => window.ovReady === true", null, new() { Timeout = 30_000 });
        Assert.Equal(f.BaseUri.ToString(), page.Url);
    }
}
