using System.Globalization;
using System.Net;
using System.Text.Json;
using static OpenVeracruz.Tests.PlatformFixture;

namespace OpenVeracruz.Tests.Cadastre;

/// <summary>Cadastral editing through the real API and database: four eyes, If-Match, topology, split/merge, history, as-of.</summary>
[Collection(nameof(CadastreEditing))]
public class EditTests(CadastreEditing f)
{
    private static string Inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private HttpClient As(string token) => f.WithToken(token);

    /// <summary>The first lot of a block that is this test's alone.</summary>
    private async Task<string> FreshLotAsync() => (await f.FreshBlockAsync()).Claves[0];

    private async Task<(string ETag, JsonElement Json)> GetParcelAsync(string clave)
    {
        var r = await f.Http.GetAsync($"/api/cadastre/parcels/{clave}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return (r.Headers.ETag!.ToString(), doc.RootElement.Clone());
    }

    private static async Task<long> ProposedIdAsync(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{r.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("id").GetInt64();
    }

    private async Task<string> GeometrySqlAsync(string clave, string expression) =>
        await f.ScalarAsync<string>($"SELECT ST_AsGeoJSON({expression}, 10) FROM (SELECT geom AS g, ST_Transform(geom, 32614) AS m FROM cadastre.parcels WHERE clave = @c) s", ("c", clave));

    private static JsonElement Parse(string json) { using var d = JsonDocument.Parse(json); return d.RootElement.Clone(); }

    private async Task<JsonElement> ShrunkAsync(string clave, double factor = 0.9) =>
        Parse(await GeometrySqlAsync(clave, $"ST_Transform(ST_Scale(m, ST_MakePoint({Inv(factor)}, {Inv(factor)}), ST_Centroid(m)), 4326)"));

    [Fact]
    public async Task Only_editors_propose_and_only_supervisors_decide()
    {
        var clave = await FreshLotAsync();
        var expected = new Dictionary<string, (HttpStatusCode Propose, HttpStatusCode Decide)>
        {
            ["viewer"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["editor"] = (HttpStatusCode.BadRequest, HttpStatusCode.Forbidden),
            ["supervisor"] = (HttpStatusCode.BadRequest, HttpStatusCode.NotFound),
            ["admin"] = (HttpStatusCode.BadRequest, HttpStatusCode.NotFound),
        };
        // a proposal without a reason is a 400 for those allowed; an unknown edit a 404 for those allowed to decide
        var noReason = new { kind = "attributes", clave, attributes = new { landUse = "comercial" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await ProposeAsync(f.Http, noReason, "\"v1\"")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Http.PostAsync("/api/cadastre/edits/999999999/approve", PlatformFixture.Json(new { }))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Http.PostAsync("/api/cadastre/edits/999999999/reject", PlatformFixture.Json(new { reason = "x" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Http.GetAsync("/api/cadastre/edits?state=pending")).StatusCode);
        foreach (var (role, (propose, decide)) in expected)
        {
            var (_, token, _) = await f.StaffAsync(role);
            var c = As(token);
            Assert.Equal(propose, (await ProposeAsync(c, noReason, "\"v1\"")).StatusCode);
            Assert.Equal(decide, (await c.PostAsync("/api/cadastre/edits/999999999/approve", PlatformFixture.Json(new { }))).StatusCode);
            Assert.Equal(decide, (await c.PostAsync("/api/cadastre/edits/999999999/reject", PlatformFixture.Json(new { reason = "x" }))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/cadastre/edits?state=pending")).StatusCode);
        }
    }

    [Fact]
    public async Task Four_eyes_a_supervisor_cannot_approve_their_own_edit_another_can()
    {
        var clave = await FreshLotAsync();
        var (_, s1, _) = await f.StaffAsync("supervisor");
        var (_, s2, _) = await f.StaffAsync("supervisor");
        var (etag, before) = await GetParcelAsync(clave);
        var built = Math.Round(before.GetProperty("builtAreaM2").GetDouble() + 1.5, 2); // differs on every run
        var id = await ProposedIdAsync(await ProposeAsync(As(s1), new
        {
            kind = "attributes", clave, attributes = new { landUse = "comercial", builtAreaM2 = built },
            reason = "Cambio de uso de suelo", sourceDocument = "Oficio DC/123/2026",
        }, etag));
        var queue = Parse(await As(s2).GetStringAsync("/api/cadastre/edits?state=pending"));
        var queued = queue.EnumerateArray().Single(e => e.GetProperty("id").GetInt64() == id);
        Assert.Equal("Polygon", queued.GetProperty("before")[0].GetProperty("geometry").GetProperty("type").GetString());
        var own = await ProblemAssert.IsProblemAsync(await As(s1).PostAsync($"/api/cadastre/edits/{id}/approve", null), HttpStatusCode.Conflict);
        Assert.Contains("propia", own.GetProperty("detail_es").GetString());
        Assert.Equal(HttpStatusCode.OK, (await As(s2).PostAsync($"/api/cadastre/edits/{id}/approve", null)).StatusCode);
        var (etag2, after) = await GetParcelAsync(clave);
        Assert.NotEqual(etag, etag2);
        Assert.Equal("comercial", after.GetProperty("landUse").GetString());
        Assert.Equal(built, after.GetProperty("builtAreaM2").GetDouble());
        Assert.Equal(before.GetProperty("version").GetInt32() + 1, after.GetProperty("version").GetInt32());
        var history = Parse(await f.Http.GetStringAsync($"/api/cadastre/parcels/{clave}/history"));
        var last = history.GetProperty("versions").EnumerateArray().Last();
        Assert.Equal("Oficio DC/123/2026", last.GetProperty("sourceDocument").GetString());
        Assert.Contains(last.GetProperty("changes").EnumerateArray(), c => c.GetProperty("field").GetString() == "built_area_m2"
            && double.Parse(c.GetProperty("after").GetString()!, CultureInfo.InvariantCulture) == built);
        // a decided edit cannot be decided again
        await ProblemAssert.IsProblemAsync(await As(s2).PostAsync($"/api/cadastre/edits/{id}/reject", PlatformFixture.Json(new { reason = "tarde" })), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Writes_need_if_match_and_a_stale_one_is_412_even_in_parallel()
    {
        var clave = await FreshLotAsync();
        var (_, editor, _) = await f.StaffAsync("editor");
        var c = As(editor);
        var body = new { kind = "attributes", clave, attributes = new { builtAreaM2 = 10.0 }, reason = "Prueba de versión" };
        await ProblemAssert.IsProblemAsync(await ProposeAsync(c, body, null), (HttpStatusCode)428);
        var (etag, json) = await GetParcelAsync(clave);
        Assert.Matches("^\"v\\d+\"$", etag);
        var version = json.GetProperty("version").GetInt32();
        var stale = $"\"v{(version > 1 ? version - 1 : version + 5)}\"";
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ProposeAsync(c, body, stale)));
        foreach (var a in answers) await ProblemAssert.IsProblemAsync(a, HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Two_edits_approved_in_parallel_one_wins_the_other_gets_412()
    {
        var clave = await FreshLotAsync();
        var (_, editor, _) = await f.StaffAsync("editor");
        var (_, s1, _) = await f.StaffAsync("supervisor");
        var (_, s2, _) = await f.StaffAsync("supervisor");
        var (etag, json) = await GetParcelAsync(clave);
        var id1 = await ProposedIdAsync(await ProposeAsync(As(editor), new { kind = "attributes", clave, attributes = new { builtAreaM2 = 31.0 }, reason = "Uno" }, etag));
        var id2 = await ProposedIdAsync(await ProposeAsync(As(editor), new { kind = "attributes", clave, attributes = new { builtAreaM2 = 32.0 }, reason = "Dos" }, etag));
        var versionsBefore = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_versions WHERE clave = @c", ("c", clave));
        var results = await Task.WhenAll(
            As(s1).PostAsync($"/api/cadastre/edits/{id1}/approve", null),
            As(s2).PostAsync($"/api/cadastre/edits/{id2}/approve", null));
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(results, r => r.StatusCode != HttpStatusCode.OK);
        await ProblemAssert.IsProblemAsync(loser, HttpStatusCode.PreconditionFailed);
        Assert.Equal(versionsBefore + 1, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_versions WHERE clave = @c", ("c", clave)));
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_versions WHERE clave = @c AND valid_to IS NULL", ("c", clave)));
        Assert.Equal(json.GetProperty("version").GetInt32() + 1, (await GetParcelAsync(clave)).Json.GetProperty("version").GetInt32());
        // the losing edit is not left pending forever: the winner marks it superseded once it has committed
        var (winner, loserId) = results[0].StatusCode == HttpStatusCode.OK ? (id1, id2) : (id2, id1);
        await AssertSupersededAsync(loserId, winner);
        var listed = Parse(await As(s1).GetStringAsync("/api/cadastre/edits?state=superseded")).EnumerateArray().Single(e => e.GetProperty("id").GetInt64() == loserId);
        Assert.Equal("superseded", listed.GetProperty("state").GetString());
        Assert.Contains($"edición {winner}", listed.GetProperty("rejectionReason").GetString());
        // approving it again is still 412 (whichever order the two approvals landed in); rejecting it is 409: it is decided
        var again = await ProblemAssert.IsProblemAsync(await As(s1).PostAsync($"/api/cadastre/edits/{loserId}/approve", null), HttpStatusCode.PreconditionFailed);
        Assert.Contains("sustituida", again.GetProperty("detail_es").GetString());
        var reject = await ProblemAssert.IsProblemAsync(await As(s2).PostAsync($"/api/cadastre/edits/{loserId}/reject", PlatformFixture.Json(new { reason = "tarde" })), HttpStatusCode.Conflict);
        Assert.Contains("ya fue sustituida", reject.GetProperty("detail_es").GetString());
        await AssertSupersededAsync(loserId, winner);
    }

    /// <summary>The edit is superseded by <paramref name="by"/>: decided by the same supervisor, at the same moment.</summary>
    private async Task AssertSupersededAsync(long id, long by)
    {
        Assert.Equal(1L, await f.ScalarAsync<long>("""
            SELECT count(*) FROM cadastre.parcel_edits e JOIN cadastre.parcel_edits w ON w.id = @by
            WHERE e.id = @id AND e.state = 'superseded' AND w.state = 'approved'
              AND e.decided_by = w.decided_by AND e.decided_at = w.decided_at AND e.rejection_reason = @reason
            """, ("id", id), ("by", by), ("reason", $"Superseded by edit {by} / Sustituida por la edición {by}")));
    }

    [Fact]
    public async Task An_approval_supersedes_the_pending_edits_it_made_stale_and_only_those()
    {
        var block = await f.FreshBlockAsync();
        var (p, q) = (block.Claves[0], block.Claves[1]);
        var (_, editor, _) = await f.StaffAsync("editor");
        var (_, sup, _) = await f.StaffAsync("supervisor");
        var e = As(editor);
        var (pTag, pJson) = await GetParcelAsync(p);
        var (qTag, _) = await GetParcelAsync(q);
        var onP = await ProposedIdAsync(await ProposeAsync(e, new { kind = "attributes", clave = p, attributes = new { builtAreaM2 = 41.0 }, reason = "Sobre P" }, pTag));
        var retireP = await ProposedIdAsync(await ProposeAsync(e, new { kind = "retire", clave = p, reason = "Baja de P" }, pTag));
        var mergePQ = await ProposedIdAsync(await ProposeAsync(e, new { kind = "merge", claves = new[] { p, q }, reason = "Fusión P y Q" }, $"{pTag}, {qTag}"));
        var onQ = await ProposedIdAsync(await ProposeAsync(e, new { kind = "attributes", clave = q, attributes = new { builtAreaM2 = 42.0 }, reason = "Sobre Q" }, qTag));
        var onQToo = await ProposedIdAsync(await ProposeAsync(e, new { kind = "attributes", clave = q, attributes = new { builtAreaM2 = 43.0 }, reason = "También sobre Q" }, qTag));
        async Task<string> State(long id) => await f.ScalarAsync<string>("SELECT state FROM cadastre.parcel_edits WHERE id = @id", ("id", id));

        // retiring P makes the other edits naming P stale (P no longer exists): the merge as well, though Q is unchanged
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{retireP}/approve", null)).StatusCode);
        await AssertSupersededAsync(onP, retireP);
        await AssertSupersededAsync(mergePQ, retireP);
        Assert.Equal("pending", await State(onQ));
        Assert.Equal("pending", await State(onQToo));
        // changing Q makes the other edit on Q stale
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{onQ}/approve", null)).StatusCode);
        await AssertSupersededAsync(onQToo, onQ);
        Assert.Equal("approved", await State(onQ));
        // an edit proposed on Q's new version is current and stays pending through an unrelated approval
        var (qTag2, _) = await GetParcelAsync(q);
        var fresh = await ProposedIdAsync(await ProposeAsync(e, new { kind = "attributes", clave = q, attributes = new { builtAreaM2 = 44.0 }, reason = "Sobre Q de nuevo" }, qTag2));
        var other = block.Claves[2];
        var otherEdit = await ProposedIdAsync(await ProposeAsync(e, new { kind = "attributes", clave = other, attributes = new { builtAreaM2 = 45.0 }, reason = "Otro predio" }, (await GetParcelAsync(other)).ETag));
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{otherEdit}/approve", null)).StatusCode);
        Assert.Equal("pending", await State(fresh));

        var superseded = Parse(await As(sup).GetStringAsync("/api/cadastre/edits?state=superseded")).EnumerateArray().Select(x => x.GetProperty("id").GetInt64()).ToList();
        Assert.Superset(new HashSet<long> { onP, mergePQ, onQToo }, superseded.ToHashSet());
        Assert.DoesNotContain(fresh, superseded);
        await ProblemAssert.IsProblemAsync(await As(sup).GetAsync("/api/cadastre/edits?state=stale"), HttpStatusCode.BadRequest);

        // an edit already decided cannot be decided again: 409 saying how it was decided
        var twice = await ProblemAssert.IsProblemAsync(await As(sup).PostAsync($"/api/cadastre/edits/{onQ}/approve", null), HttpStatusCode.Conflict);
        Assert.Contains("ya fue aprobada", twice.GetProperty("detail_es").GetString());
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{fresh}/reject", PlatformFixture.Json(new { reason = "Sin soporte documental" }))).StatusCode);
        var rejectedTwice = await ProblemAssert.IsProblemAsync(await As(sup).PostAsync($"/api/cadastre/edits/{fresh}/reject", PlatformFixture.Json(new { reason = "Otra vez" })), HttpStatusCode.Conflict);
        Assert.Contains("ya fue rechazada", rejectedTwice.GetProperty("detail_es").GetString());
        Assert.Contains("Sin soporte documental", rejectedTwice.GetProperty("detail_es").GetString());
        await ProblemAssert.IsProblemAsync(await As(sup).PostAsync($"/api/cadastre/edits/{fresh}/approve", null), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await As(sup).PostAsync($"/api/cadastre/edits/{onP}/reject", PlatformFixture.Json(new { reason = "x" })), HttpStatusCode.Conflict);

        // the retired land gets a parcel again under a new clave
        var land = await ProposedIdAsync(await ProposeAsync(e, new
        {
            kind = "create", clave = await FreeClaveAsync(pJson), geometry = pJson.GetProperty("geometry"), reason = "Alta sobre el terreno liberado",
            attributes = new { landUse = "baldio", builtAreaM2 = 0.0, constructionType = pJson.GetProperty("constructionType").GetString() },
        }, null));
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{land}/approve", null)).StatusCode);
    }

    [Fact]
    public async Task Topology_violations_are_409_with_the_offending_location()
    {
        var clave = await FreshLotAsync();
        var (_, editor, _) = await f.StaffAsync("editor");
        var c = As(editor);
        var (etag, _) = await GetParcelAsync(clave);
        async Task<JsonElement> Rejected(object geometry)
        {
            var p = await ProblemAssert.IsProblemAsync(await ProposeAsync(c, new { kind = "reshape", clave, geometry, reason = "Prueba" }, etag), HttpStatusCode.Conflict);
            var loc = p.GetProperty("location");
            Assert.Equal(2, loc.GetArrayLength());
            Assert.InRange(loc[0].GetDouble(), -180, 180);
            return p;
        }
        // overlapping the neighbours: 30 % larger
        var overlap = await Rejected(await ShrunkAsync(clave, 1.3));
        Assert.Contains("superpone", overlap.GetProperty("detail_es").GetString());
        // outside the municipality: a 10 m square in the Gulf of Mexico
        var gulf = Parse(await f.ScalarAsync<string>("SELECT ST_AsGeoJSON(ST_Transform(ST_Expand(ST_Transform(ST_SetSRID(ST_MakePoint(-95.9, 19.3), 4326), 32614), 5), 4326), 10)"));
        var outside = await Rejected(gulf);
        Assert.Contains("municipio", outside.GetProperty("detail_es").GetString());
        Assert.InRange(outside.GetProperty("location")[0].GetDouble(), -95.91, -95.89);
        // a bow-tie
        var bowTie = Parse(await GeometrySqlAsync(clave, "ST_Transform(ST_MakePolygon(ST_MakeLine(ARRAY[ST_PointN(ST_ExteriorRing(m), 1), ST_PointN(ST_ExteriorRing(m), 3), ST_PointN(ST_ExteriorRing(m), 2), ST_PointN(ST_ExteriorRing(m), 4), ST_PointN(ST_ExteriorRing(m), 1)])), 4326)"));
        var invalid = await Rejected(bowTie);
        Assert.Contains("inválida", invalid.GetProperty("detail_es").GetString());
        // tiny: 10 % of each side is 1 % of the area
        var tiny = await Rejected(await ShrunkAsync(clave, 0.1));
        Assert.Contains("mínimo", tiny.GetProperty("detail_es").GetString());
        // malformed input is a 400, not a 409
        await ProblemAssert.IsProblemAsync(await ProposeAsync(c, new { kind = "reshape", clave, geometry = new { type = "Polygon", coordinates = "x" }, reason = "Prueba" }, etag), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_vertex_0_1_m_off_a_neighbours_vertex_is_snapped_onto_it()
    {
        var clave = await FreshLotAsync();
        var (_, editor, _) = await f.StaffAsync("editor");
        // a vertex of the parcel that is also a vertex of a neighbour, moved 0.1 m east
        await using var cmd = f.Db.CreateCommand("""
            SELECT d.path[2], ST_X(d.geom), ST_Y(d.geom) FROM cadastre.parcels p, ST_DumpPoints(p.geom) d
            WHERE p.clave = @c AND d.path[2] > 1 AND d.path[2] < ST_NPoints(p.geom)
              AND EXISTS (SELECT 1 FROM cadastre.parcels n, ST_DumpPoints(n.geom) nd WHERE n.id <> p.id AND n.geom && p.geom AND ST_Equals(nd.geom, d.geom))
            ORDER BY 1 LIMIT 1
            """);
        cmd.Parameters.AddWithValue("c", clave);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        var (index, x, y) = (r.GetInt32(0), r.GetDouble(1), r.GetDouble(2));
        var moved = Parse(await GeometrySqlAsync(clave, $"ST_MakePolygon(ST_SetPoint(ST_ExteriorRing(g), {index - 1}, ST_Transform(ST_Translate(ST_Transform(ST_PointN(ST_ExteriorRing(g), {index}), 32614), 0.1, 0), 4326)))"));
        var sent = moved.GetProperty("coordinates")[0][index - 1];
        Assert.NotEqual(x, sent[0].GetDouble());
        var (etag, _) = await GetParcelAsync(clave);
        var response = await ProposeAsync(As(editor), new { kind = "reshape", clave, geometry = moved, reason = "Ajuste de vértice" }, etag);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var stored = Parse(text).GetProperty("payload").GetProperty("geometry").GetProperty("coordinates")[0][index - 1];
        Assert.Equal(x, stored[0].GetDouble(), 12);
        Assert.Equal(y, stored[1].GetDouble(), 12);
    }

    [Fact]
    public async Task Split_then_merge_conserve_the_area_and_record_lineage_both_ways()
    {
        var clave = await FreshLotAsync();
        var (_, editor, _) = await f.StaffAsync("editor");
        var (_, sup, _) = await f.StaffAsync("supervisor");
        var (etag, parent) = await GetParcelAsync(clave);
        var area = parent.GetProperty("landAreaM2").GetDouble();
        // a line across the middle of the longer side, 1 m beyond the parcel on both ends
        var line = Parse(await GeometrySqlAsync(clave, """
            ST_Transform(CASE WHEN ST_XMax(m) - ST_XMin(m) >= ST_YMax(m) - ST_YMin(m)
              THEN ST_SetSRID(ST_MakeLine(ST_MakePoint((ST_XMin(m) + ST_XMax(m)) / 2, ST_YMin(m) - 1), ST_MakePoint((ST_XMin(m) + ST_XMax(m)) / 2, ST_YMax(m) + 1)), 32614)
              ELSE ST_SetSRID(ST_MakeLine(ST_MakePoint(ST_XMin(m) - 1, (ST_YMin(m) + ST_YMax(m)) / 2), ST_MakePoint(ST_XMax(m) + 1, (ST_YMin(m) + ST_YMax(m)) / 2)), 32614) END, 4326)
            """));
        var split = await ProposedIdAsync(await ProposeAsync(As(editor), new { kind = "split", clave, splitLine = line, reason = "Subdivisión", sourceDocument = "Escritura 4567" }, etag));
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{split}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/api/cadastre/parcels/{clave}")).StatusCode);

        var history = Parse(await f.Http.GetStringAsync($"/api/cadastre/parcels/{clave}/history"));
        Assert.False(history.GetProperty("current").GetBoolean());
        var children = history.GetProperty("children").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, children.Count);
        Assert.Equal(children.Count, children.Distinct().Count());
        Assert.All(children, ch => Assert.StartsWith(clave[..8], ch));
        var childAreas = new List<double>();
        foreach (var ch in children)
        {
            Assert.True(OpenVeracruz.Platform.Shared.ClaveCatastral.TryParse(ch, out _));
            var (childTag, child) = await GetParcelAsync(ch);
            Assert.Equal("\"v1\"", childTag);
            childAreas.Add(child.GetProperty("landAreaM2").GetDouble());
            var childHistory = Parse(await f.Http.GetStringAsync($"/api/cadastre/parcels/{ch}/history"));
            Assert.Equal([clave], childHistory.GetProperty("parents").EnumerateArray().Select(e => e.GetString()));
        }
        Assert.InRange(childAreas.Sum(), area - 0.05, area + 0.05);

        var merge = await ProposedIdAsync(await ProposeAsync(As(editor), new { kind = "merge", claves = children, reason = "Fusión" }, "\"v1\", \"v1\""));
        var merged = Parse(await (await As(sup).PostAsync($"/api/cadastre/edits/{merge}/approve", null)).Content.ReadAsStringAsync());
        var result = merged.GetProperty("after")[0].GetProperty("clave").GetString()!;
        Assert.DoesNotContain(result, children.Append(clave));
        var (_, mergedParcel) = await GetParcelAsync(result);
        Assert.InRange(mergedParcel.GetProperty("landAreaM2").GetDouble(), area - 0.05, area + 0.05);
        var mergedHistory = Parse(await f.Http.GetStringAsync($"/api/cadastre/parcels/{result}/history"));
        Assert.Equal(children.Order(), mergedHistory.GetProperty("parents").EnumerateArray().Select(e => e.GetString()!).Order());
        foreach (var ch in children)
            Assert.Equal([result], Parse(await f.Http.GetStringAsync($"/api/cadastre/parcels/{ch}/history")).GetProperty("children").EnumerateArray().Select(e => e.GetString()));
        // the owner follows the land
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM private.owners o JOIN cadastre.parcels p ON p.id = o.parcel_id WHERE p.clave = @c", ("c", result)));
    }

    [Fact]
    public async Task As_of_before_an_approved_reshape_shows_the_earlier_geometry_also_through_ogc()
    {
        var clave = await FreshLotAsync();
        var (_, editor, _) = await f.StaffAsync("editor");
        var (_, sup, _) = await f.StaffAsync("supervisor");
        var (etag, before) = await GetParcelAsync(clave);
        var id = await ProposedIdAsync(await ProposeAsync(As(editor), new { kind = "reshape", clave, geometry = await ShrunkAsync(clave), reason = "Rectificación de medidas" }, etag));
        var t0 = DateTime.UtcNow.AddMilliseconds(-1);
        await Task.Delay(20);
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{id}/approve", null)).StatusCode);
        await Task.Delay(20);
        var t1 = DateTime.UtcNow;
        var (_, now) = await GetParcelAsync(clave);
        var oldArea = before.GetProperty("landAreaM2").GetDouble();
        var newArea = now.GetProperty("landAreaM2").GetDouble();
        Assert.InRange(newArea, oldArea * 0.81 - 0.05, oldArea * 0.81 + 0.05);
        string At(DateTime t) => Uri.EscapeDataString(t.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));

        var (s0, then, _) = await f.GetJsonAsync($"/api/cadastre/parcels/{clave}?asOf={At(t0)}");
        Assert.Equal(HttpStatusCode.OK, s0);
        Assert.Equal(oldArea, then.GetProperty("landAreaM2").GetDouble());
        var (_, later, _) = await f.GetJsonAsync($"/api/cadastre/parcels/{clave}?asOf={At(t1)}");
        Assert.Equal(newArea, later.GetProperty("landAreaM2").GetDouble());

        // at: a point of the old outline outside the new one finds the parcel only before
        var lonLat = await f.ScalarAsync<string>("""
            SELECT ST_X(pt) || ' ' || ST_Y(pt) FROM (SELECT ST_PointOnSurface(ST_Difference(v.geom, p.geom)) pt
            FROM cadastre.parcels p JOIN cadastre.parcel_versions v ON v.parcel_id = p.id AND v.version = p.version - 1 WHERE p.clave = @c) s
            """, ("c", clave));
        var xy = lonLat.Split(' ');
        var (sa, atThen, _) = await f.GetJsonAsync($"/api/cadastre/parcels/at?lon={xy[0]}&lat={xy[1]}&asOf={At(t0)}");
        Assert.Equal(HttpStatusCode.OK, sa);
        Assert.Equal(clave, atThen.GetProperty("clave").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/api/cadastre/parcels/at?lon={xy[0]}&lat={xy[1]}")).StatusCode);

        var (o0, ogcThen, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?clave={clave}&datetime={At(t0)}");
        Assert.Equal(HttpStatusCode.OK, o0);
        Assert.Equal(oldArea, ogcThen.GetProperty("features")[0].GetProperty("properties").GetProperty("land_area_m2").GetDouble());
        var (_, ogcLater, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?clave={clave}&datetime={At(t1)}");
        Assert.Equal(newArea, ogcLater.GetProperty("features")[0].GetProperty("properties").GetProperty("land_area_m2").GetDouble());

        var (_, item, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items/{clave}?datetime={At(t0)}");
        Assert.Equal(oldArea, item.GetProperty("properties").GetProperty("land_area_m2").GetDouble());

        // a date is the start of that day in Veracruz: long before the load nothing existed; tomorrow shows today's cadastre
        Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/api/cadastre/parcels/{clave}?asOf=2000-01-01")).StatusCode);
        var tomorrow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(-6)).Date.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var (st, tomorrowView, _) = await f.GetJsonAsync($"/api/cadastre/parcels/{clave}?asOf={tomorrow}");
        Assert.Equal(HttpStatusCode.OK, st);
        Assert.Equal(newArea, tomorrowView.GetProperty("landAreaM2").GetDouble());
        var (_, ogcLongAgo, _) = await f.GetJsonAsync($"/ogc/collections/parcels/items?clave={clave}&datetime=2000-01-01");
        Assert.Equal(0, ogcLongAgo.GetProperty("numberMatched").GetInt32());

        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/api/cadastre/parcels/{clave}?asOf=ayer"), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/api/cadastre/parcels/at?lon={xy[0]}&lat={xy[1]}&asOf=2026-13-01"), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Http.GetAsync($"/ogc/collections/parcels/items?datetime=yesterday")).StatusCode);
        // other collections ignore datetime
        Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync("/ogc/collections/localities/items?limit=1&datetime=yesterday")).StatusCode);
    }

    [Fact]
    public async Task The_owner_is_for_staff_only_and_every_look_is_logged()
    {
        var clave = await FreshLotAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Http.GetAsync($"/api/cadastre/parcels/{clave}/owner")).StatusCode);
        var (email, viewer, _) = await f.StaffAsync("viewer");
        var owner = Parse(await As(viewer).GetStringAsync($"/api/cadastre/parcels/{clave}/owner"));
        var expected = await f.ScalarAsync<string>("SELECT o.curp FROM private.owners o JOIN cadastre.parcels p ON p.id = o.parcel_id WHERE p.clave = @c", ("c", clave));
        Assert.Equal(expected, owner.GetProperty("curp").GetString());
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM private.owner_access_log WHERE user_email = @e AND clave = @c", ("e", email), ("c", clave)));
    }

    [Fact]
    public async Task Retire_then_create_on_the_freed_land_with_a_new_clave()
    {
        var clave = await FreshLotAsync();
        var (_, editor, _) = await f.StaffAsync("editor");
        var (_, sup, _) = await f.StaffAsync("supervisor");
        var (etag, old) = await GetParcelAsync(clave);
        var outline = old.GetProperty("geometry");
        var retire = await ProposedIdAsync(await ProposeAsync(As(editor), new { kind = "retire", clave, reason = "Baja por integración a vía pública" }, etag));
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{retire}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/api/cadastre/parcels/{clave}")).StatusCode);
        // nothing is lost: the private owner row stays, with the retired parcel's clave and the time of the retirement
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM private.owners WHERE clave = @c AND parcel_id IS NULL AND retired_at IS NOT NULL", ("c", clave)));

        // the old clave stays taken; a new lot number of the same block is free
        var body = new { kind = "create", clave, geometry = outline, attributes = new { landUse = "baldio", builtAreaM2 = 0.0, constructionType = old.GetProperty("constructionType").GetString() }, reason = "Alta" };
        var reused = await ProposeAsync(As(editor), body, null);
        Assert.Contains("ya está en uso", (await ProblemAssert.IsProblemAsync(reused, HttpStatusCode.Conflict)).GetProperty("detail_es").GetString());
        var fresh = await FreeClaveAsync(old);
        var create = await ProposedIdAsync(await ProposeAsync(As(editor), body with { clave = fresh }, null));
        Assert.Equal(HttpStatusCode.OK, (await As(sup).PostAsync($"/api/cadastre/edits/{create}/approve", null)).StatusCode);
        var (newTag, created) = await GetParcelAsync(fresh);
        Assert.Equal("\"v1\"", newTag);
        Assert.Equal(old.GetProperty("landAreaM2").GetDouble(), created.GetProperty("landAreaM2").GetDouble(), 1);
        Assert.Equal(0m, created.GetProperty("constructionValue").GetDecimal());
        var history = Parse(await f.Http.GetStringAsync($"/api/cadastre/parcels/{clave}/history"));
        Assert.False(history.GetProperty("current").GetBoolean());
        Assert.NotNull(history.GetProperty("versions").EnumerateArray().Last().GetProperty("validTo").GetString());
    }

    /// <summary>A clave never used in the block of this parcel (the next lot number after current and past ones).</summary>
    private async Task<string> FreeClaveAsync(JsonElement parcel)
    {
        var lot = await f.ScalarAsync<int>("SELECT max(lot) + 1 FROM cadastre.parcel_versions WHERE zone = @z AND block = @b",
            ("z", parcel.GetProperty("zone").GetInt32()), ("b", parcel.GetProperty("block").GetInt32()));
        return $"{parcel.GetProperty("clave").GetString()![..8]}-{lot:D3}";
    }

    [Fact]
    public async Task Every_current_parcel_has_exactly_one_open_version_matching_its_own()
    {
        Assert.Equal(0L, await f.ScalarAsync<long>("""
            SELECT count(*) FROM cadastre.parcels p
            WHERE (SELECT count(*) FROM cadastre.parcel_versions v WHERE v.parcel_id = p.id AND v.valid_to IS NULL AND v.version = p.version) <> 1
               OR EXISTS (SELECT 1 FROM cadastre.parcel_versions v WHERE v.parcel_id = p.id AND v.valid_to IS NULL AND v.version <> p.version)
            """));
    }
}
