using System.Globalization;
using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Web;

/// <summary>The citizen map in a real headless Chromium (Debian's package), against the real platform.</summary>
[Collection(nameof(MapBrowser))]
public class MapBrowserTests(MapBrowser f) : IAsyncLifetime
{
    private BrowserPages _browser = null!;

    public async Task InitializeAsync() => _browser = await f.BrowserPagesAsync();

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    private async Task<IPage> OpenAsync(int width = 1280, int height = 800)
    {
        var errors = new List<string>();
        var page = await _browser.NewPageAsync(errors, width, height);
        await page.GotoAsync(f.BaseUri.ToString());
        await page.WaitForFunctionAsync("() => window.ovReady === true", null, new() { Timeout = 30_000 });
        Assert.Empty(errors);
        return page;
    }

    /// <summary>Pixels painted (alpha &gt; 0) on the tile canvases under a selector: what protomaps-leaflet drew there.</summary>
    private static async Task<int> PaintedAsync(IPage page, string canvases) => await page.EvaluateAsync<int>($$"""
        () => [...document.querySelectorAll('{{canvases}}')].reduce((n, c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
          return n;
        }, 0)
        """);

    [Fact]
    public async Task At_zoom_14_every_parcel_comes_in_vector_tiles_and_a_click_opens_the_one_under_it()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        var page = await OpenAsync(360, 740);
        var tileResponses = new List<IResponse>();
        page.Response += (_, r) => { if (r.Url.Contains("/ogc/collections/parcels/tiles/WebMercatorQuad/14/")) lock (tileResponses) tileResponses.Add(r); };
        var inv = CultureInfo.InvariantCulture;
        await page.EvaluateAsync($"() => window.ovMap.setView([{lat.ToString(inv)}, {lon.ToString(inv)}], 14, {{ animate: false }})");
        await page.WaitForFunctionAsync("() => window.ovMap.getZoom() === 14");
        // the parcels are drawn from z14 tiles (no "acerque el mapa", no 2,000-parcel page)
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.leaflet-overlay-pane canvas.leaflet-tile').length > 0", null, new() { Timeout = 20_000 });
        for (var i = 0; i < 100 && await PaintedAsync(page, ".leaflet-overlay-pane canvas.leaflet-tile") < 200; i++) await page.WaitForTimeoutAsync(100);
        Assert.True(await PaintedAsync(page, ".leaflet-overlay-pane canvas.leaflet-tile") >= 200, "parcels painted on the tile canvases");
        Assert.True(await page.IsHiddenAsync("#zoom-hint"));
        IResponse[] seen;
        lock (tileResponses) seen = [.. tileResponses];
        Assert.NotEmpty(seen);
        Assert.Contains(seen, r => r.Status == 200 && r.Headers["content-type"] == "application/vnd.mapbox-vector-tile");
        Assert.All(seen, r => Assert.True(r.Status is 200 or 204, $"{r.Url}: {r.Status}"));

        // a click at the centre opens the parcel drawn there, the one that holds the clicked point
        var map = await page.QuerySelectorAsync("#map");
        var box = (await map!.BoundingBoxAsync())!;
        var clicked = await page.EvaluateAsync<double[]>($"() => {{ const p = window.ovMap.containerPointToLatLng([{(box.Width / 2).ToString(inv)}, {(box.Height / 2).ToString(inv)}]); return [p.lng, p.lat]; }}");
        var expected = await f.ScalarAsync<string>("SELECT clave FROM cadastre.parcels WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(@x, @y), 4326))", ("x", clicked[0]), ("y", clicked[1]));
        var byClave = page.WaitForRequestAsync(r => r.Url.EndsWith($"/api/cadastre/parcels/{expected}"), new() { Timeout = 15_000 });
        await page.Mouse.ClickAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await byClave; // fetched by the clave the tile carries
        await page.WaitForSelectorAsync("#info-panel .clave", new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        Assert.Equal(expected, (await page.TextContentAsync("#info-panel .clave"))?.Trim());
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "no horizontal scroll at 360 px");
    }

    [Fact]
    public async Task Citizen_clicks_a_parcel_and_sees_its_information()
    {
        var (clave, lon, lat) = await f.SomeParcelAsync("land_use = 'habitacional'");
        var page = await OpenAsync();
        Assert.Equal("es", await page.GetAttributeAsync("html", "lang"));
        var inv = CultureInfo.InvariantCulture;
        await page.EvaluateAsync($"() => window.ovMap.setView([{lat.ToString(inv)}, {lon.ToString(inv)}], 19, {{ animate: false }})");
        // parcels come in vector tiles: wait until they are painted
        for (var i = 0; i < 100 && await PaintedAsync(page, ".leaflet-overlay-pane canvas.leaflet-tile") < 200; i++) await page.WaitForTimeoutAsync(100);
        var map = await page.QuerySelectorAsync("#map");
        var box = (await map!.BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.WaitForSelectorAsync("#info-panel .clave", new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        Assert.Equal(clave, (await page.TextContentAsync("#info-panel .clave"))?.Trim());
        Assert.Equal("Habitacional", (await page.TextContentAsync("#info-panel .land-use"))?.Trim());
        var area = await f.ScalarAsync<double>("SELECT land_area_m2 FROM cadastre.parcels WHERE clave = @c", ("c", clave));
        Assert.Contains(area.ToString("N2", new CultureInfo("es-MX")), await page.TextContentAsync("#info-panel .land-area"));
        Assert.Contains("$", await page.TextContentAsync("#info-panel .cadastral-value"));
    }

    [Fact]
    public async Task Predial_collection_by_block_is_a_choropleth_with_its_legend()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        var page = await OpenAsync();
        var tileResponses = new List<IResponse>();
        page.Response += (_, r) => { if (r.Url.Contains("/ogc/collections/predial_blocks/tiles/WebMercatorQuad/15/")) lock (tileResponses) tileResponses.Add(r); };
        await page.CheckAsync("#layer-predial_blocks");
        var inv = CultureInfo.InvariantCulture;
        await page.EvaluateAsync($"() => window.ovMap.setView([{lat.ToString(inv)}, {lon.ToString(inv)}], 15, {{ animate: false }})");
        for (var i = 0; i < 150; i++)
        {
            lock (tileResponses) if (tileResponses.Any(r => r.Status == 200)) break;
            await page.WaitForTimeoutAsync(100);
        }
        lock (tileResponses) Assert.Contains(tileResponses, r => r.Status == 200 && r.Headers["content-type"] == "application/vnd.mapbox-vector-tile");
        // paid, partly paid, owing: the three colours and their words under the layer's name (counts only, no amounts)
        Assert.Equal(["Pagado", "Pagado en parte", "Con adeudo"], (await page.Locator("li:has(#layer-predial_blocks) .category-legend li").AllTextContentsAsync()).Select(t => t.Trim()));
    }

    [Fact]
    public async Task From_a_parcel_on_the_map_the_citizen_opens_its_predial_to_pay()
    {
        var (clave, _, _) = await f.SomeParcelAsync();
        var page = await OpenAsync(360, 740);
        await page.FillAsync("#search-clave", clave);
        await page.PressAsync("#search-clave", "Enter");
        await page.WaitForSelectorAsync("#info-pay", new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        await page.ClickAsync("#info-pay");
        await page.WaitForURLAsync(u => u.Contains("/pagos/?clave="), new() { Timeout = 15_000 });
        // the predial page asks for that parcel at once: its debt, line by line, without typing the clave again
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.ovState === 'ready' && !document.getElementById('pagos-debt').hidden", null, new() { Timeout = 30_000 });
        Assert.Equal(clave, (await page.TextContentAsync("#pagos-debt-clave"))?.Trim());
        Assert.Equal(clave, await page.InputValueAsync("#pagos-clave"));
    }

    [Fact]
    public async Task Search_by_clave_on_a_phone_opens_the_parcel_and_reports_unknown_ones()
    {
        var (clave, _, _) = await f.SomeParcelAsync();
        var page = await OpenAsync(360, 740);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "no horizontal scroll at 360 px");
        await page.FillAsync("#search-clave", clave);
        await page.PressAsync("#search-clave", "Enter");
        await page.WaitForSelectorAsync("#info-panel .clave", new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        Assert.Equal(clave, (await page.TextContentAsync("#info-panel .clave"))?.Trim());
        Assert.True(await page.EvaluateAsync<double>("() => window.ovMap.getZoom()") >= 16);

        await page.FillAsync("#search-clave", "999-9999-999");
        await page.PressAsync("#search-clave", "Enter");
        // "Buscando…" comes first: wait for the answer itself
        await page.WaitForFunctionAsync("() => document.querySelector('#search-message').classList.contains('error')", null, new() { Timeout = 10_000 });
        Assert.Contains("999-9999-999", await page.TextContentAsync("#search-message"));
    }

    [Fact]
    public async Task Bundled_boundaries_show_without_base_tiles()
    {
        var page = await OpenAsync();
        // the test host's tile server is unreachable: the INEGI boundaries still come from the platform itself, in vector tiles
        for (var i = 0; i < 100 && (await PaintedAsync(page, ".leaflet-ovLines-pane canvas") < 100 || await PaintedAsync(page, ".leaflet-ovAreas-pane canvas") < 100); i++)
            await page.WaitForTimeoutAsync(100);
        Assert.True(await PaintedAsync(page, ".leaflet-ovLines-pane canvas") >= 100, "municipal boundaries painted");
        Assert.True(await PaintedAsync(page, ".leaflet-ovAreas-pane canvas") >= 100, "localities painted");
        await page.WaitForSelectorAsync("#tile-notice", new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        Assert.Contains("límites oficiales", await page.TextContentAsync("#tile-notice"));
    }

    [Fact]
    public async Task Citizen_opens_a_parcels_history_and_slides_back_to_its_first_version()
    {
        // a parcel this test gave two approved edits: three versions
        var clave = await f.ParcelWithHistoryAsync(3);
        var versions = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_versions WHERE clave = @c", ("c", clave));
        var page = await OpenAsync(360, 740);
        await page.FillAsync("#search-clave", clave);
        await page.PressAsync("#search-clave", "Enter");
        await page.WaitForSelectorAsync("#info-panel .clave", new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        await page.ClickAsync("#info-history summary");
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#ph-list > li').length === {versions}", null, new() { Timeout = 10_000 });
        Assert.Contains($"Versión {versions} ", await page.TextContentAsync("#ph-state"));
        await page.FillAsync("#ph-slider", "0");
        Assert.Contains("Versión 1 ", await page.TextContentAsync("#ph-state"));
        // no staff e-mail address reaches the public page
        Assert.DoesNotContain("@", await page.TextContentAsync("#ph-list"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "no horizontal scroll at 360 px");
    }
}
