using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Cadastre;

/// <summary>
/// The unit value tables through the real API and database: public reads, supervisor writes with If-Match, history,
/// set-based revaluation of the parcels and time travel. Every tariff changed is put back, so the shared cadastre stays.
/// </summary>
[Collection(nameof(CadastreEditing))]
public class TariffTests(CadastreEditing f)
{
    private static StringContent Json(object o) => new(JsonSerializer.Serialize(o), Encoding.UTF8, "application/json");
    private static JsonElement Parse(string json) { using var d = JsonDocument.Parse(json); return d.RootElement.Clone(); }

    private HttpClient As(string token) => f.WithToken(token);

    private async Task<HttpClient> SupervisorAsync() => As((await f.StaffAsync("supervisor")).Token);

    private static async Task<HttpResponseMessage> PutAsync(HttpClient c, string url, object body, string? ifMatch)
    {
        using var req = new HttpRequestMessage(HttpMethod.Put, url) { Content = Json(body) };
        if (ifMatch is not null) req.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await c.SendAsync(req);
    }

    private async Task<(string ETag, JsonElement Json)> GetAsync(string url)
    {
        var r = await f.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (r.Headers.ETag?.ToString() ?? "", Parse(await r.Content.ReadAsStringAsync()));
    }

    /// <summary>Clave, area and value of every current parcel of a zone or type, and the sum of their versions.</summary>
    private async Task<(Dictionary<string, (double Area, decimal Price, decimal Other, decimal Total)> Parcels, long Versions)> ParcelsAsync(
        string column, string code, string area, string price, string other)
    {
        var rows = new Dictionary<string, (double, decimal, decimal, decimal)>();
        await using (var cmd = f.Db.CreateCommand($"SELECT clave, {area}, {price}, {other}, cadastral_value FROM cadastre.parcels WHERE {column} = @c"))
        {
            cmd.Parameters.AddWithValue("c", code);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) rows[r.GetString(0)] = (r.GetDouble(1), r.GetDecimal(2), r.GetDecimal(3), r.GetDecimal(4));
        }
        return (rows, await f.ScalarAsync<long>($"SELECT coalesce(sum(version), 0)::bigint FROM cadastre.parcels WHERE {column} = @c", ("c", code)));
    }

    [Fact]
    public async Task The_tables_and_land_uses_are_public_with_etags_and_history()
    {
        var (_, zones) = await GetAsync("/api/cadastre/valuation-zones");
        Assert.True(zones.GetArrayLength() >= 5);
        var z = zones.EnumerateArray().First();
        Assert.True(z.GetProperty("landValuePerM2").GetDecimal() > 0);
        Assert.False(string.IsNullOrEmpty(z.GetProperty("name").GetString()));
        var code = z.GetProperty("code").GetString()!;
        var (etag, one) = await GetAsync($"/api/cadastre/valuation-zones/{code}");
        Assert.Equal($"\"v{z.GetProperty("version").GetInt32()}\"", etag);
        Assert.Equal(z.GetProperty("landValuePerM2").GetDecimal(), one.GetProperty("landValuePerM2").GetDecimal());
        var (_, history) = await GetAsync($"/api/cadastre/valuation-zones/{code}/history");
        var last = history.GetProperty("versions").EnumerateArray().Last();
        Assert.Equal(z.GetProperty("version").GetInt32(), last.GetProperty("version").GetInt32());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("validTo").ValueKind);

        var (_, types) = await GetAsync("/api/cadastre/construction-types");
        var t = types.EnumerateArray().First(x => x.GetProperty("valuePerM2").GetDecimal() > 0);
        var (typeTag, _) = await GetAsync($"/api/cadastre/construction-types/{t.GetProperty("code").GetString()}");
        Assert.Equal($"\"v{t.GetProperty("version").GetInt32()}\"", typeTag);

        var (_, uses) = await GetAsync("/api/cadastre/land-uses");
        Assert.Contains(uses.EnumerateArray(), u => u.GetProperty("code").GetString() == "baldio" && u.GetProperty("label").GetString() == "Baldío");

        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/cadastre/valuation-zones/NO-EXISTE"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/cadastre/construction-types/NO-EXISTE/history"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_supervisors_and_admins_change_the_tables()
    {
        // without a reason the request is a 400 for those allowed, so nothing changes whoever calls
        var noReason = new { code = "VZ-01", name = "x", landValuePerM2 = 1m, valuePerM2 = 1m };
        var writes = new (HttpMethod Method, string Url)[]
        {
            (HttpMethod.Post, "/api/cadastre/valuation-zones"), (HttpMethod.Put, "/api/cadastre/valuation-zones/VZ-01"),
            (HttpMethod.Post, "/api/cadastre/construction-types"), (HttpMethod.Put, "/api/cadastre/construction-types/COM"),
        };
        var expected = new Dictionary<string, HttpStatusCode>
        {
            ["viewer"] = HttpStatusCode.Forbidden, ["editor"] = HttpStatusCode.Forbidden,
            ["supervisor"] = HttpStatusCode.BadRequest, ["admin"] = HttpStatusCode.BadRequest,
        };
        var versions = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.tariff_versions");
        async Task<HttpStatusCode> Send(HttpClient c, HttpMethod m, string url)
        {
            using var req = new HttpRequestMessage(m, url) { Content = Json(noReason) };
            req.Headers.TryAddWithoutValidation("If-Match", "\"v1\"");
            return (await c.SendAsync(req)).StatusCode;
        }
        foreach (var (m, url) in writes)
            Assert.Equal(HttpStatusCode.Unauthorized, await Send(f.Http, m, url));
        foreach (var (role, status) in expected)
        {
            var c = As((await f.StaffAsync(role)).Token);
            foreach (var (m, url) in writes)
                Assert.True(status == await Send(c, m, url), $"{role} {m} {url}");
        }
        Assert.Equal(versions, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.tariff_versions"));
    }

    [Theory]
    [InlineData("valuation-zones", "landValuePerM2", "valuation_zone", "land_area_m2", "land_value", "construction_value", "landValue")]
    [InlineData("construction-types", "valuePerM2", "construction_type", "built_area_m2", "construction_value", "land_value", "constructionValue")]
    public async Task A_new_value_revalues_every_parcel_with_a_version_and_as_of_keeps_the_old(
        string route, string field, string column, string area, string price, string other, string priceField)
    {
        // the code with the fewest parcels (a priced one): every parcel of it gets a new version twice
        var code = await f.ScalarAsync<string>($"""
            SELECT p.{column} FROM cadastre.parcels p JOIN cadastre.{column}s t ON t.code = p.{column}
            WHERE t.{(column == "valuation_zone" ? "land_value_per_m2" : "value_per_m2")} > 0 GROUP BY 1 ORDER BY count(*), 1 LIMIT 1
            """);
        var url = $"/api/cadastre/{route}/{code}";
        var (etag, before) = await GetAsync(url);
        var oldValue = before.GetProperty(field).GetDecimal();
        var (parcels, versionSum) = await ParcelsAsync(column, code, area, price, other);
        Assert.NotEmpty(parcels);
        var sample = parcels.Keys.Order().First();
        var (sampleTag, _) = await GetAsync($"/api/cadastre/parcels/{sample}");
        // an edit proposed before the change must not be approved over it
        var (_, editor, _) = await f.StaffAsync("editor");
        var proposed = await As(editor).SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/cadastre/edits")
        {
            Content = Json(new { kind = "attributes", clave = sample, attributes = new { landUse = "comercial" }, reason = "Pendiente durante la revaluación" }),
            Headers = { { "If-Match", sampleTag } },
        });
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var editId = Parse(await proposed.Content.ReadAsStringAsync()).GetProperty("id").GetInt64();

        var supervisor = await SupervisorAsync();
        var newValue = oldValue + 137.35m; // odd cents: the rounding has to match Parcel's exactly
        var t0 = DateTime.UtcNow.AddMilliseconds(-1);
        await Task.Delay(20);
        var restored = false;
        try
        {
            var changed = await PutAsync(supervisor, url, new Dictionary<string, object>
            {
                [field] = newValue, ["reason"] = "Actualización de la tabla de valores unitarios 2027", ["sourceDocument"] = "Gaceta Oficial del Estado, núm. ext. 123",
            }, etag);
            Assert.True(changed.StatusCode == HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
            Assert.Equal($"\"v{before.GetProperty("version").GetInt32() + 1}\"", changed.Headers.ETag?.ToString());
            Assert.Equal(newValue, Parse(await changed.Content.ReadAsStringAsync()).GetProperty(field).GetDecimal());

            // every parcel, as Parcel computes it in decimal; one more version each
            var (now, nowVersions) = await ParcelsAsync(column, code, area, price, other);
            Assert.Equal(parcels.Keys.Order(), now.Keys.Order());
            foreach (var (clave, p) in now)
            {
                Assert.Equal(Math.Round((decimal)p.Area * newValue, 2), p.Price);
                Assert.Equal(p.Price + p.Other, p.Total);
            }
            Assert.Equal(versionSum + parcels.Count, nowVersions);
            Assert.Equal(0L, await f.ScalarAsync<long>("""
                SELECT count(*) FROM cadastre.parcels p
                WHERE (SELECT count(*) FROM cadastre.parcel_versions v WHERE v.parcel_id = p.id AND v.valid_to IS NULL AND v.version = p.version
                       AND v.land_value = p.land_value AND v.construction_value = p.construction_value AND v.cadastral_value = p.cadastral_value) <> 1
                """));

            // the public door, the parcel history and the tariff history show it
            var (_, parcel) = await GetAsync($"/api/cadastre/parcels/{sample}");
            Assert.Equal(now[sample].Price, parcel.GetProperty(priceField).GetDecimal());
            var last = (await GetAsync($"/api/cadastre/parcels/{sample}/history")).Json.GetProperty("versions").EnumerateArray().Last();
            Assert.Equal("revaluation", last.GetProperty("changeKind").GetString());
            Assert.Equal("Gaceta Oficial del Estado, núm. ext. 123", last.GetProperty("sourceDocument").GetString());
            Assert.Contains(last.GetProperty("changes").EnumerateArray(), c => c.GetProperty("field").GetString() == price);
            var history = (await GetAsync($"{url}/history")).Json.GetProperty("versions").EnumerateArray().ToList();
            Assert.Equal(oldValue, history[^2].GetProperty("value").GetDecimal());
            Assert.Equal(newValue, history[^1].GetProperty("value").GetDecimal());
            Assert.Equal(parcels.Count, history[^1].GetProperty("parcelsRevalued").GetInt32());
            Assert.Equal(history[^2].GetProperty("validTo").GetDateTime(), history[^1].GetProperty("validFrom").GetDateTime());

            // before the change: the old values, and for a zone the old land value per m²
            var at = Uri.EscapeDataString(t0.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));
            var (_, then) = await GetAsync($"/api/cadastre/parcels/{sample}?asOf={at}");
            Assert.Equal(parcels[sample].Price, then.GetProperty(priceField).GetDecimal());
            if (field == "landValuePerM2")
            {
                Assert.Equal(oldValue, then.GetProperty("landValuePerM2").GetDecimal());
                Assert.Equal(newValue, parcel.GetProperty("landValuePerM2").GetDecimal());
            }

            // the edit proposed on the earlier version is refused at approval
            await ProblemAssert.IsProblemAsync(await supervisor.PostAsync($"/api/cadastre/edits/{editId}/approve", null), HttpStatusCode.PreconditionFailed);

            var back = await PutAsync(supervisor, url, new Dictionary<string, object> { [field] = oldValue, ["reason"] = "Prueba: valor anterior" }, changed.Headers.ETag!.ToString());
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
            restored = true;
            // back at the old value every parcel has exactly the value it was loaded with
            var (again, _) = await ParcelsAsync(column, code, area, price, other);
            foreach (var (clave, p) in parcels)
                Assert.Equal((clave, p.Price, p.Total), (clave, again[clave].Price, again[clave].Total));
        }
        finally
        {
            if (!restored)
            {
                var (tag, _) = await GetAsync(url);
                await PutAsync(supervisor, url, new Dictionary<string, object> { [field] = oldValue, ["reason"] = "Prueba: valor anterior" }, tag);
            }
            await supervisor.PostAsync($"/api/cadastre/edits/{editId}/reject", Json(new { reason = "Prueba terminada" }));
        }
    }

    [Fact]
    public async Task Stale_or_missing_if_match_and_bad_values_are_problems_and_change_nothing()
    {
        var url = "/api/cadastre/valuation-zones/VZ-05";
        var (etag, zone) = await GetAsync(url);
        var version = zone.GetProperty("version").GetInt32();
        var stale = $"\"v{version + 7}\"";
        var parcelVersions = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_versions");
        var tariffVersions = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.tariff_versions");
        var s = await SupervisorAsync();
        var good = new { landValuePerM2 = 1999.99m, reason = "Prueba" };

        Assert.Contains("If-Match", (await ProblemAssert.IsProblemAsync(await PutAsync(s, url, good, null), (HttpStatusCode)428)).GetProperty("detail").GetString());
        Assert.Contains("versión", (await ProblemAssert.IsProblemAsync(await PutAsync(s, url, good, stale), HttpStatusCode.PreconditionFailed)).GetProperty("detail_es").GetString());
        foreach (var bad in new object[]
        {
            new { landValuePerM2 = -5m, reason = "Prueba" }, new { landValuePerM2 = 0m, reason = "Prueba" },
            new { landValuePerM2 = 50_000_000m, reason = "Prueba" }, new { landValuePerM2 = 12.345m, reason = "Prueba" },
            new { landValuePerM2 = 2000m, reason = "  " }, new { name = "", landValuePerM2 = 2000m, reason = "Prueba" },
            new { code = "VZ-04", landValuePerM2 = 2000m, reason = "Prueba" },
        })
            await ProblemAssert.IsProblemAsync(await PutAsync(s, url, bad, etag), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await PutAsync(s, "/api/cadastre/valuation-zones/VZ-99", good, "\"v1\""), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await PutAsync(s, "/api/cadastre/construction-types/COM", new { valuePerM2 = -1m, reason = "Prueba" }, "\"v1\""), HttpStatusCode.BadRequest);
        // creating: an existing code is a 409, a malformed code or a missing value a 400
        await ProblemAssert.IsProblemAsync(await s.PostAsync("/api/cadastre/valuation-zones", Json(new { code = "VZ-05", name = "Otra", landValuePerM2 = 10m, reason = "Prueba" })), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await s.PostAsync("/api/cadastre/valuation-zones", Json(new { code = "zona nueva!", name = "Otra", landValuePerM2 = 10m, reason = "Prueba" })), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await s.PostAsync("/api/cadastre/construction-types", Json(new { code = "NUEVO", name = "Otro", reason = "Prueba" })), HttpStatusCode.BadRequest);

        var (after, same) = await GetAsync(url);
        Assert.Equal(etag, after);
        Assert.Equal(zone.GetProperty("landValuePerM2").GetDecimal(), same.GetProperty("landValuePerM2").GetDecimal());
        Assert.Equal(parcelVersions, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcel_versions"));
        Assert.Equal(tariffVersions, await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.tariff_versions"));
    }

    [Fact]
    public async Task A_new_construction_type_is_created_renamed_and_its_history_lists_both_versions()
    {
        var code = "T-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var s = await SupervisorAsync();
        try
        {
            var created = await s.PostAsync("/api/cadastre/construction-types", Json(new { code, name = "Palafito", valuePerM2 = 3100.5m, reason = "Alta", sourceDocument = "Acta de cabildo 7/2027" }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("\"v1\"", created.Headers.ETag?.ToString());
            Assert.EndsWith($"/api/cadastre/construction-types/{code}", created.Headers.Location!.ToString());
            Assert.Contains((await GetAsync("/api/cadastre/construction-types")).Json.EnumerateArray(), t => t.GetProperty("code").GetString() == code);
            await ProblemAssert.IsProblemAsync(await s.PostAsync("/api/cadastre/construction-types", Json(new { code, name = "Otra", valuePerM2 = 1m, reason = "Alta" })), HttpStatusCode.Conflict);

            var renamed = await PutAsync(s, $"/api/cadastre/construction-types/{code.ToLowerInvariant()}", new { name = "Palafito de madera", reason = "Corrección del nombre" }, "\"v1\"");
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
            var body = Parse(await renamed.Content.ReadAsStringAsync());
            Assert.Equal(("Palafito de madera", 3100.5m, 2), (body.GetProperty("name").GetString(), body.GetProperty("valuePerM2").GetDecimal(), body.GetProperty("version").GetInt32()));

            var history = (await GetAsync($"/api/cadastre/construction-types/{code}/history")).Json;
            var versions = history.GetProperty("versions").EnumerateArray().ToList();
            Assert.Equal([1, 2], versions.Select(v => v.GetProperty("version").GetInt32()));
            Assert.Equal("Acta de cabildo 7/2027", versions[0].GetProperty("sourceDocument").GetString());
            Assert.Equal("Palafito", versions[0].GetProperty("name").GetString());
            Assert.NotEqual(JsonValueKind.Null, versions[0].GetProperty("validTo").ValueKind);
            Assert.Equal("Corrección del nombre", versions[1].GetProperty("reason").GetString());
            // the public history names staff by display name, never by e-mail address
            Assert.Equal("supervisor", versions[1].GetProperty("changedBy").GetString());
            Assert.Equal(0, versions[1].GetProperty("parcelsRevalued").GetInt32());
        }
        finally
        {
            await using var cmd = f.Db.CreateCommand("DELETE FROM cadastre.tariff_versions WHERE kind = 'construction_type' AND code = @c; DELETE FROM cadastre.construction_types WHERE code = @c");
            cmd.Parameters.AddWithValue("c", code);
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
