using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OpenVeracruz.Tests.Web;

/// <summary>The staff editor (/editor/) in a real headless Chromium, against the real platform and database.</summary>
[Collection(nameof(EditorBrowser))]
public partial class EditorBrowserTests(EditorBrowser f) : IAsyncLifetime
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private BrowserPages _browser = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync() => _browser = await f.BrowserPagesAsync();

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    /// <summary>A lot in the middle of a block of this test's own (neighbours sharing an edge on both sides).</summary>
    private async Task<string> MiddleLotAsync()
    {
        var block = await f.FreshBlockAsync();
        return (await f.ColumnAsync<string>($"""
            SELECT p.clave FROM cadastre.parcels p
            WHERE p.clave IN ('{string.Join("', '", block.Claves)}') AND (SELECT count(*) FROM cadastre.parcels n
                                     WHERE n.id <> p.id AND n.geom && p.geom AND ST_Length(ST_Intersection(ST_Boundary(n.geom), ST_Boundary(p.geom))) > 0) >= 2
            ORDER BY p.clave DESC LIMIT 1
            """)).Single();
    }

    private async Task<IPage> SignInAsync(string email)
    {
        var page = await _browser.NewPageAsync(_errors);
        await page.GotoAsync(new Uri(f.BaseUri, "/editor/").ToString());
        await page.WaitForFunctionAsync("() => window.ovEditorReady === true", null, new() { Timeout = 30_000 });
        Assert.True(await page.IsVisibleAsync("#login-form"), "anonymous visitors see the sign-in form");
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PlatformFixture.StaffPassword);
        await page.ClickAsync("#login-submit");
        await page.WaitForFunctionAsync("() => window.ovEditorReady === true && !document.getElementById('workspace').hidden", null, new() { Timeout = 30_000 });
        return page;
    }

    private static async Task SelectAsync(IPage page, string clave)
    {
        await page.FillAsync("#find-clave", clave);
        await page.PressAsync("#find-clave", "Enter");
        await page.WaitForFunctionAsync($"() => document.getElementById('sel-clave').textContent === '{clave}'", null, new() { Timeout = 15_000 });
        // the neighbours are drawn (snapping targets) once the map has zoomed in on the parcel and loaded them
        await page.WaitForFunctionAsync("() => document.getElementById('map').dataset.loading === 'false' && document.querySelectorAll('.leaflet-overlay-pane path').length > 4", null, new() { Timeout = 20_000 });
    }

    /// <summary>The pixel centre of a vertex handle of the outline being edited, picked by the script.</summary>
    private static async Task<(double X, double Y)> CentreOfAsync(IElementHandle handle)
    {
        var box = (await handle.BoundingBoxAsync())!;
        return (box.X + box.Width / 2, box.Y + box.Height / 2);
    }

    private static async Task DragAsync(IPage page, (double X, double Y) from, (double X, double Y) to)
    {
        await page.Mouse.MoveAsync((float)from.X, (float)from.Y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)to.X, (float)to.Y, new() { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    private static async Task<List<IElementHandle>> VertexHandlesAsync(IPage page)
    {
        await page.WaitForSelectorAsync(".leaflet-marker-pane .marker-icon:not(.marker-icon-middle)", new() { Timeout = 10_000 });
        return [.. await page.QuerySelectorAllAsync(".leaflet-marker-pane .marker-icon:not(.marker-icon-middle)")];
    }

    /// <summary>The page position of a longitude/latitude on the editor's map.</summary>
    private static async Task<(double X, double Y)> PixelOfAsync(IPage page, double lon, double lat)
    {
        var p = await page.EvaluateAsync<double[]>($"() => {{ const p = window.ovEditorMap.latLngToContainerPoint([{lat.ToString(Inv)}, {lon.ToString(Inv)}]); const r = document.getElementById('map').getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }}");
        return (p[0], p[1]);
    }

    private async Task<(double MinX, double MinY, double MaxX, double MaxY)> EnvelopeAsync(string clave)
    {
        var e = await f.ColumnAsync<double>($"SELECT unnest(ARRAY[ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)]) FROM cadastre.parcels WHERE clave = '{clave}'");
        return (e[0], e[1], e[2], e[3]);
    }

    /// <summary>A neighbour sharing an edge with the parcel, and a point well inside it.</summary>
    private async Task<(string Clave, double Lon, double Lat)> NeighbourAsync(string clave)
    {
        var neighbour = (await f.ColumnAsync<string>($"""
            SELECT n.clave FROM cadastre.parcels p JOIN cadastre.parcels n ON n.id <> p.id AND n.geom && p.geom
            WHERE p.clave = '{clave}' AND ST_Length(ST_Intersection(ST_Boundary(n.geom), ST_Boundary(p.geom))) > 0 ORDER BY n.clave LIMIT 1
            """)).Single();
        var inside = await f.ColumnAsync<double>($"SELECT unnest(ARRAY[ST_X(pt), ST_Y(pt)]) FROM (SELECT ST_PointOnSurface(geom) AS pt FROM cadastre.parcels WHERE clave = '{neighbour}') s");
        return (neighbour, inside[0], inside[1]);
    }

    /// <summary>Sends the edit form and answers the number of the edit the server accepted as pending.</summary>
    private static async Task<long> SubmitAsync(IPage page)
    {
        await page.ClickAsync("#edit-submit");
        await page.WaitForFunctionAsync("() => document.getElementById('edit-message').classList.contains('ok')", null, new() { Timeout = 15_000 });
        return long.Parse(EditNumber().Match((await page.TextContentAsync("#edit-message"))!).Groups[1].Value, Inv);
    }

    [GeneratedRegex(@"n\.º (\d+)")]
    private static partial Regex EditNumber();

    [Fact]
    public async Task Editor_moves_a_vertex_supervisor_approves_and_the_public_map_and_history_show_it()
    {
        var (editor, _, _) = await f.StaffAsync("editor");
        var (supervisor, _, _) = await f.StaffAsync("supervisor");
        var clave = await MiddleLotAsync();
        var areaBefore = await f.ScalarAsync<double>("SELECT land_area_m2 FROM cadastre.parcels WHERE clave = @c", ("c", clave));
        var version = await f.ScalarAsync<int>("SELECT version FROM cadastre.parcels WHERE clave = @c", ("c", clave));

        // the editor signs in, selects the parcel and drags one corner a third of the way towards the middle
        var page = await SignInAsync(editor);
        await SelectAsync(page, clave);
        await page.ClickAsync("#tool-reshape");
        var vertex = (await VertexHandlesAsync(page))[0];
        var from = await CentreOfAsync(vertex);
        var centre = await page.EvaluateAsync<double[]>("() => { const c = window.ovEditorMap.getCenter(); return [c.lng, c.lat]; }");
        var mid = await PixelOfAsync(page, centre[0], centre[1]);
        await DragAsync(page, from, (from.X + (mid.X - from.X) / 3, from.Y + (mid.Y - from.Y) / 3));
        await page.WaitForFunctionAsync("() => document.getElementById('edit-message').textContent.includes('Contorno modificado')", null, new() { Timeout = 5_000 });
        await page.FillAsync("#edit-reason", "Rectificación de linderos por levantamiento topográfico");
        await page.FillAsync("#edit-source", "Oficio DC/123/2026");
        var id = await SubmitAsync(page);
        Assert.Equal("pending", await f.ScalarAsync<string>("SELECT state FROM cadastre.parcel_edits WHERE id = @id", ("id", id)));
        Assert.Equal(version, await f.ScalarAsync<int>("SELECT version FROM cadastre.parcels WHERE clave = @c", ("c", clave)));
        // an editor cannot decide: the queue shows the edit without the buttons; "only mine" leaves just this one
        await page.ClickAsync("#tab-review");
        await page.ClickAsync($"#review-list [data-edit='{id}']");
        Assert.False(await page.IsVisibleAsync("#review-approve"));
        await page.CheckAsync("#review-mine");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#review-list [data-edit]').length === 1", null, new() { Timeout = 10_000 });
        Assert.NotNull(await page.QuerySelectorAsync($"#review-list [data-edit='{id}']"));
        // the tabs answer the arrow keys
        await page.FocusAsync("#tab-review");
        await page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal("true", await page.GetAttributeAsync("#tab-history", "aria-selected"));
        Assert.True(await page.IsVisibleAsync("#history-view"));
        await page.ClickAsync("#logout");

        // a supervisor signs in, opens the queue, sees before and after on the map and approves
        page = await SignInAsync(supervisor);
        await page.ClickAsync("#tab-review");
        await page.ClickAsync($"#review-list [data-edit='{id}']");
        await page.WaitForSelectorAsync("path.ov-before", new() { Timeout = 10_000 });
        await page.WaitForSelectorAsync("path.ov-after", new() { Timeout = 10_000 });
        Assert.Contains("Oficio DC/123/2026", await page.TextContentAsync("#review-facts"));
        await page.ClickAsync("#review-approve");
        await page.WaitForFunctionAsync("() => document.getElementById('review-message').textContent.includes('aprobada')", null, new() { Timeout = 15_000 });
        Assert.Equal(version + 1, await f.ScalarAsync<int>("SELECT version FROM cadastre.parcels WHERE clave = @c", ("c", clave)));
        var areaAfter = await f.ScalarAsync<double>("SELECT land_area_m2 FROM cadastre.parcels WHERE clave = @c", ("c", clave));
        Assert.True(areaAfter < areaBefore - 1, $"the parcel shrank ({areaBefore} → {areaAfter} m²)");

        // the history: one version more, the newest a reshape with its reason; the slider at the start shows version 1
        await page.ClickAsync("#tab-history");
        await page.FillAsync("#history-clave", clave);
        await page.PressAsync("#history-clave", "Enter");
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#history-list > li').length === {version + 1}", null, new() { Timeout = 10_000 });
        var newest = await page.TextContentAsync("#history-list > li:first-child");
        Assert.Contains("Reforma de geometría", newest);
        Assert.Contains("Rectificación de linderos", newest);
        Assert.Contains("Superficie del terreno", newest);
        Assert.Contains($"Versión {version + 1} ", await page.TextContentAsync("#history-state"));
        await page.FillAsync("#history-slider", "0");
        Assert.Contains("Versión 1 ", await page.TextContentAsync("#history-state"));

        // the public history names the staff by display name, never by e-mail address
        var publicHistory = await f.Http.GetStringAsync($"/api/cadastre/parcels/{clave}/history");
        Assert.DoesNotContain(editor, publicHistory);
        Assert.DoesNotContain(supervisor, publicHistory);
        Assert.Contains("\"proposedBy\":\"editor\"", publicHistory);

        // the public map shows the new land area
        var map = await _browser.NewPageAsync(_errors);
        await map.GotoAsync(f.BaseUri.ToString());
        await map.WaitForFunctionAsync("() => window.ovReady === true", null, new() { Timeout = 30_000 });
        await map.FillAsync("#search-clave", clave);
        await map.PressAsync("#search-clave", "Enter");
        await map.WaitForSelectorAsync("#info-panel .land-area", new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        Assert.Contains(areaAfter.ToString("N2", new CultureInfo("es-MX")), await map.TextContentAsync("#info-panel .land-area"));
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Editor_splits_with_a_drawn_line_merges_a_neighbour_picked_on_the_map_changes_attributes_and_sees_the_owner()
    {
        var (editor, _, _) = await f.StaffAsync("editor");
        var page = await SignInAsync(editor);

        // split: a line drawn across the middle of the lot, from outside one side to outside the other
        var clave = await MiddleLotAsync();
        await SelectAsync(page, clave);
        var env = await EnvelopeAsync(clave);
        var midLat = (env.MinY + env.MaxY) / 2;
        var width = env.MaxX - env.MinX;
        await page.ClickAsync("#tool-split");
        var a = await PixelOfAsync(page, env.MinX - width * 0.4, midLat);
        var b = await PixelOfAsync(page, env.MaxX + width * 0.4, midLat);
        await page.Mouse.ClickAsync((float)a.X, (float)a.Y);
        await page.Mouse.DblClickAsync((float)b.X, (float)b.Y);
        await page.WaitForFunctionAsync("() => document.getElementById('edit-message').textContent.includes('Línea dibujada')", null, new() { Timeout = 5_000 });
        await page.FillAsync("#edit-reason", "Subdivisión autorizada");
        var split = await SubmitAsync(page);
        Assert.Equal("split", await f.ScalarAsync<string>("SELECT kind FROM cadastre.parcel_edits WHERE id = @id", ("id", split)));
        Assert.Equal(2, await page.Locator("path.ov-after").CountAsync()); // the two parts, previewed

        // merge: the lot and the neighbour clicked on the map
        clave = await MiddleLotAsync();
        await SelectAsync(page, clave);
        var (neighbour, nLon, nLat) = await NeighbourAsync(clave);
        await page.ClickAsync("#tool-merge");
        var inside = await PixelOfAsync(page, nLon, nLat);
        await page.Mouse.ClickAsync((float)inside.X, (float)inside.Y);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#merge-list li').length === 2", null, new() { Timeout = 10_000 });
        await page.FillAsync("#edit-reason", "Fusión solicitada por el propietario");
        var merge = await SubmitAsync(page);
        var targets = await f.ColumnAsync<string>($"SELECT unnest(target_claves) FROM cadastre.parcel_edits WHERE id = {merge} AND kind = 'merge'");
        Assert.Equal(new[] { clave, neighbour }.Order(), targets.Order());

        // attributes: the form offers the land uses and construction types of the tariff tables
        clave = await MiddleLotAsync();
        await SelectAsync(page, clave);
        await page.ClickAsync("#tool-attributes");
        await page.SelectOptionAsync("#attr-land-use", "comercial");
        await page.FillAsync("#attr-built", "120.5");
        await page.FillAsync("#edit-reason", "Cambio de uso autorizado");
        var attributes = await SubmitAsync(page);
        Assert.Equal("comercial", await f.ScalarAsync<string>("SELECT payload->'attributes'->>'landUse' FROM cadastre.parcel_edits WHERE id = @id", ("id", attributes)));
        Assert.Equal(120.5, await f.ScalarAsync<double>("SELECT (payload->'attributes'->>'builtAreaM2')::float8 FROM cadastre.parcel_edits WHERE id = @id", ("id", attributes)));

        // the owner (personal data) is shown to staff on request, and the look is logged
        var looks = await f.ScalarAsync<long>("SELECT count(*) FROM private.owner_access_log WHERE clave = @c", ("c", clave));
        Assert.False(await page.IsVisibleAsync("#owner-details"));
        await page.ClickAsync("#owner-show");
        await page.WaitForSelectorAsync("#owner-details", new() { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        Assert.Contains(await f.ScalarAsync<string>("SELECT o.full_name FROM private.owners o JOIN cadastre.parcels p ON p.id = o.parcel_id WHERE p.clave = @c", ("c", clave)),
            await page.TextContentAsync("#owner-details"));
        Assert.Equal(looks + 1, await f.ScalarAsync<long>("SELECT count(*) FROM private.owner_access_log WHERE clave = @c", ("c", clave)));
        Assert.Equal(1, await f.ScalarAsync<long>("SELECT count(*) FROM private.owner_access_log WHERE clave = @c AND user_email = @e", ("c", clave), ("e", editor)));
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Supervisor_changes_a_unit_value_in_the_tariff_tab_and_sees_its_history()
    {
        var (supervisor, _, session) = await f.StaffAsync("supervisor");
        var code = $"PB-{Random.Shared.Next(1000, 9999)}";
        var created = await session.PostAsync("/api/cadastre/construction-types", new StringContent(
            $$"""{"code":"{{code}}","name":"Prueba de navegador","valuePerM2":2500,"reason":"Alta de prueba"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        try
        {
            var page = await SignInAsync(supervisor);
            await page.ClickAsync("#tab-tariffs");
            await page.ClickAsync($"#types-body tr[data-code='{code}'] button:has-text('Cambiar')");
            await page.FillAsync("#tariff-value", "2750.5");
            await page.FillAsync("#tariff-reason", "Actualización de la tabla de valores");
            await page.FillAsync("#tariff-source", "Gaceta Oficial 123");
            await page.ClickAsync("#tariff-save");
            await page.WaitForFunctionAsync("() => document.getElementById('tariff-message').classList.contains('ok')", null, new() { Timeout = 15_000 });
            Assert.Equal(2750.5m, await f.ScalarAsync<decimal>("SELECT value_per_m2 FROM cadastre.construction_types WHERE code = @c", ("c", code)));
            Assert.Contains("$2,750.50", await page.TextContentAsync($"#types-body tr[data-code='{code}']"));
            Assert.Equal(2, await page.Locator("#tariff-history > li").CountAsync());
            Assert.Contains("Gaceta Oficial 123", await page.TextContentAsync("#tariff-history > li:first-child"));
            Assert.Empty(_errors);
        }
        finally
        {
            await using var cmd = f.Db.CreateCommand("DELETE FROM cadastre.tariff_versions WHERE kind = 'construction_type' AND code = @c; DELETE FROM cadastre.construction_types WHERE code = @c");
            cmd.Parameters.AddWithValue("c", code);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_vertex_dragged_into_the_neighbour_is_refused_and_marked_on_the_map_where_they_overlap()
    {
        var (editor, _, _) = await f.StaffAsync("editor");
        var clave = await MiddleLotAsync();
        var page = await SignInAsync(editor);
        await SelectAsync(page, clave);
        var (neighbour, nLon, nLat) = await NeighbourAsync(clave);
        await page.ClickAsync("#tool-reshape");
        var target = await PixelOfAsync(page, nLon, nLat);
        // the corner nearest to the neighbour goes into it
        (double X, double Y)? best = null;
        foreach (var h in await VertexHandlesAsync(page))
        {
            var c = await CentreOfAsync(h);
            if (best is null || Dist(c, target) < Dist(best.Value, target)) best = c;
        }
        await DragAsync(page, best!.Value, target);
        await page.FillAsync("#edit-reason", "Prueba de superposición");
        var pending = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_edits");
        await page.ClickAsync("#edit-submit"); // refused: SubmitAsync would wait for the acceptance
        await page.WaitForSelectorAsync(".issue-marker", new() { Timeout = 15_000 });
        Assert.Contains("se superpone", await page.TextContentAsync("#edit-message"));
        Assert.Contains(neighbour, await page.TextContentAsync(".issue-tooltip"));
        // the mark sits inside the neighbour, where the overlap is
        var marker = await page.EvaluateAsync<double[]>("() => { const r = document.querySelector('.issue-marker').getBoundingClientRect(); const m = document.getElementById('map').getBoundingClientRect(); const ll = window.ovEditorMap.containerPointToLatLng([r.left + r.width / 2 - m.left, r.top + r.height / 2 - m.top]); return [ll.lng, ll.lat]; }");
        Assert.True(await f.ScalarAsync<bool>($"SELECT ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint({marker[0].ToString(Inv)}, {marker[1].ToString(Inv)}), 4326)::geography, 0.5) FROM cadastre.parcels WHERE clave = '{neighbour}'"),
            "the error is marked inside the neighbour parcel");
        // nothing was saved; the tool stays open so the editor can fix the outline
        Assert.Equal(pending, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_edits"));
        Assert.True(await page.IsVisibleAsync("#edit-form"));
        Assert.Empty(_errors);

        static double Dist((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
    }
}
