using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Wifi;

/// <summary>
/// Controllers report hourly connection counts and heartbeats with their site's key; the counts become the open datasets
/// of connections per site per day and month in every door, and the C1A1 indicator.
/// </summary>
[Collection(nameof(WifiSpaces))]
public class WifiReportTests(WifiSpaces f)
{
    /// <summary>A site of the test's own (in the public layer like any other) and a controller key issued by a supervisor.</summary>
    private async Task<(string Code, string Key, Guid KeyId, HttpClient Supervisor)> SiteWithKeyAsync()
    {
        var code = "TW-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await f.ScalarAsync<int>("""
            INSERT INTO wifi.sites (code, name, place, address, status, status_since, coverage_radius_m, hours, access_points, location, geom)
            VALUES (@c, 'Parque de prueba ' || @c, 'parque', 'Calle de prueba', 'operating', now(), 100, '08:00–20:00', 2, 'aproximada',
                    ST_SetSRID(ST_MakePoint(-96.14, 19.18), 4326));
            SELECT 1
            """, ("c", code));
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var issued = await supervisor.PostAsync($"/api/wifi/sites/{code}/keys", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        using var doc = JsonDocument.Parse(await issued.Content.ReadAsStringAsync());
        var key = doc.RootElement.GetProperty("key").GetString()!;
        Assert.StartsWith("ovw_", key);
        return (code, key, doc.RootElement.GetProperty("id").GetGuid(), supervisor);
    }

    private HttpClient Controller(string key)
    {
        var c = f.NewClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static DateTime HoursAgo(int n)
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc).AddHours(-n);
    }

    private Task<long> RowsAsync(string code) =>
        f.ScalarAsync<long>("SELECT count(*) FROM wifi.hourly_reports r JOIN wifi.sites s ON s.id = r.site_id WHERE s.code = @c", ("c", code));

    private Task<long> SessionsAsync(string code) =>
        f.ScalarAsync<long>("SELECT coalesce(sum(sessions), 0)::bigint FROM wifi.hourly_reports r JOIN wifi.sites s ON s.id = r.site_id WHERE s.code = @c", ("c", code));

    [Fact]
    public async Task A_resent_hour_replaces_it_and_64_parallel_identical_reports_make_one_row()
    {
        var (code, key, _, _) = await SiteWithKeyAsync();
        using var controller = Controller(key);
        var hour = HoursAgo(3);

        var first = await controller.PostAsync("/api/wifi/reports", Json(new { hour = hour.ToString("yyyy-MM-ddTHH:mm:ssZ"), sessions = 40, uniqueDevices = 31, bytesIn = 900_000_000L, bytesOut = 80_000_000L }));
        Assert.True(HttpStatusCode.Created == first.StatusCode, await first.Content.ReadAsStringAsync());
        // the same hour sent again, corrected and in local time: it replaces, never adds
        var local = hour.AddHours(-6).ToString("yyyy-MM-ddTHH:mm:ss") + "-06:00";
        var again = await controller.PostAsync("/api/wifi/reports", Json(new { hour = local, sessions = 42, uniqueDevices = 33 }));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using (var doc = JsonDocument.Parse(await again.Content.ReadAsStringAsync()))
        {
            Assert.True(doc.RootElement.GetProperty("replaced").GetBoolean());
            Assert.Equal(code, doc.RootElement.GetProperty("site").GetString());
        }
        Assert.Equal(1, await RowsAsync(code));
        Assert.Equal(42, await SessionsAsync(code));

        var parallelHour = HoursAgo(2).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var statuses = await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
            (await controller.PostAsync("/api/wifi/reports", Json(new { hour = parallelHour, sessions = 7, uniqueDevices = 5, bytesIn = 1000, bytesOut = 10 }))).StatusCode));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.OK, s.ToString()));
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(2, await RowsAsync(code));
        Assert.Equal(42 + 7, await SessionsAsync(code));
        // a report is also a heartbeat
        Assert.True(await f.ScalarAsync<bool>("SELECT last_heartbeat_at > now() - interval '1 minute' FROM wifi.sites WHERE code = @c", ("c", code)));
    }

    [Fact]
    public async Task Unknown_missing_and_revoked_keys_are_refused_and_nothing_is_stored()
    {
        var (code, key, keyId, supervisor) = await SiteWithKeyAsync();
        var body = new { hour = HoursAgo(1).ToString("yyyy-MM-ddTHH:mm:ssZ"), sessions = 3, uniqueDevices = 2 };

        using var anonymous = f.NewClient();
        var p = await ProblemAssert.IsProblemAsync(await anonymous.PostAsync("/api/wifi/reports", Json(body)), HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", p.GetProperty("detail").GetString());
        using var stranger = Controller("ovw_" + new string('0', 48));
        await ProblemAssert.IsProblemAsync(await stranger.PostAsync("/api/wifi/reports", Json(body)), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await stranger.PostAsync("/api/wifi/heartbeat", null), HttpStatusCode.Unauthorized);

        using var controller = Controller(key);
        Assert.Equal(HttpStatusCode.OK, (await controller.PostAsync("/api/wifi/heartbeat", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.DeleteAsync($"/api/wifi/keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.DeleteAsync($"/api/wifi/keys/{keyId}")).StatusCode); // revoking again is harmless
        await ProblemAssert.IsProblemAsync(await controller.PostAsync("/api/wifi/reports", Json(body)), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await controller.PostAsync("/api/wifi/heartbeat", null), HttpStatusCode.Unauthorized);
        Assert.Equal(0, await RowsAsync(code));

        // the key list shows who revoked it and when, and never the key or its hash
        var list = await supervisor.GetStringAsync($"/api/wifi/sites/{code}/keys");
        Assert.DoesNotContain(key, list);
        Assert.DoesNotContain(await f.ScalarAsync<string>("SELECT hash FROM wifi.site_keys WHERE id = @id", ("id", keyId)), list, StringComparison.OrdinalIgnoreCase);
        using var keys = JsonDocument.Parse(list);
        Assert.False(keys.RootElement[0].GetProperty("revokedAt").ValueKind == JsonValueKind.Null);
        Assert.StartsWith("supervisor-", keys.RootElement[0].GetProperty("revokedBy").GetString());
        await ProblemAssert.IsProblemAsync(await supervisor.PostAsync("/api/wifi/sites/NO-EXISTE/keys", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_reports_are_clear_problems_and_change_nothing()
    {
        var (code, key, _, _) = await SiteWithKeyAsync();
        using var controller = Controller(key);
        var ok = HoursAgo(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var cases = new (object Body, string Field)[]
        {
            (new { hour = DateTime.UtcNow.AddHours(3).ToString("yyyy-MM-ddTHH:00:00Z"), sessions = 1, uniqueDevices = 1 }, "hour"),
            (new { hour = DateTime.UtcNow.AddDays(-200).ToString("yyyy-MM-ddTHH:00:00Z"), sessions = 1, uniqueDevices = 1 }, "hour"),
            (new { hour = HoursAgo(1).AddMinutes(17).ToString("yyyy-MM-ddTHH:mm:ssZ"), sessions = 1, uniqueDevices = 1 }, "hour"),
            (new { hour = "ayer", sessions = 1, uniqueDevices = 1 }, "hour"),
            (new { sessions = 1, uniqueDevices = 1 }, "hour"),
            (new { hour = ok, sessions = -5, uniqueDevices = 0 }, "sessions"),
            (new { hour = ok, sessions = 1.5, uniqueDevices = 1 }, "sessions"),
            (new { hour = ok, sessions = 4, uniqueDevices = 9 }, "uniqueDevices"),
            (new { hour = ok, sessions = 4, uniqueDevices = 2, bytesIn = -1 }, "bytesIn"),
            (new { hour = ok, sessions = 4, uniqueDevices = 2, macs = new[] { "aa:bb:cc:dd:ee:ff" } }, "macs"),
            (new { hour = ok, sessions = 4, uniqueDevices = 2, clientIp = "10.0.0.7" }, "clientIp"),
        };
        foreach (var (body, field) in cases)
        {
            var p = await ProblemAssert.IsProblemAsync(await controller.PostAsync("/api/wifi/reports", Json(body)), HttpStatusCode.BadRequest);
            Assert.Equal(field, p.GetProperty("parameter").GetString());
        }
        await ProblemAssert.IsProblemAsync(await controller.PostAsync("/api/wifi/reports", new StringContent("[1,2]", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        var broken = await controller.PostAsync("/api/wifi/reports", new StringContent("{\"hour\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(0, await RowsAsync(code));
    }

    [Fact]
    public async Task Reported_hours_are_open_data_per_day_and_month_in_every_door()
    {
        var (code, key, _, _) = await SiteWithKeyAsync();
        using var controller = Controller(key);
        // two hours of the same local day (Mexico City, UTC-6): 12:00 and 13:00 local, ten days ago
        var day = DateTime.UtcNow.AddDays(-10).Date;
        foreach (var (h, n) in new[] { (18, 25), (19, 17) })
            Assert.Equal(HttpStatusCode.Created, (await controller.PostAsync("/api/wifi/reports",
                Json(new { hour = day.AddHours(h).ToString("yyyy-MM-ddTHH:mm:ssZ"), sessions = n, uniqueDevices = 10, bytesIn = 1_500_000, bytesOut = 500_000 }))).StatusCode);
        var id = $"{code}-{day:yyyyMMdd}";

        var (status, item, _) = await f.GetJsonAsync($"/ogc/collections/wifi_connections_daily/items/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        var props = item.GetProperty("properties");
        Assert.Equal(42, props.GetProperty("sessions").GetInt32());
        Assert.Equal(2, props.GetProperty("hours_reported").GetInt32());
        Assert.Equal(4.0, props.GetProperty("megabytes").GetDouble());
        Assert.Equal("reportado", props.GetProperty("origin").GetString());
        Assert.Equal(day.ToString("yyyy-MM-dd"), props.GetProperty("day").GetString());

        var (mStatus, month, _) = await f.GetJsonAsync($"/ogc/collections/wifi_connections_monthly/items/{code}-{day:yyyy-MM}");
        Assert.Equal(HttpStatusCode.OK, mStatus);
        Assert.Equal(42, month.GetProperty("properties").GetProperty("sessions").GetInt32());

        var csv = await f.Http.GetStringAsync("/downloads/wifi_connections_daily.csv");
        Assert.Contains(id, csv);
        var odata = await f.Http.GetStringAsync($"/odata/WifiConnectionsDaily('{id}')");
        Assert.Contains("\"Sessions\":42", odata);
        var sites = await f.Http.GetStringAsync("/downloads/wifi_sites.geojson");
        Assert.Contains(code, sites);
        Assert.DoesNotContain("last_heartbeat", sites);
        Assert.DoesNotContain("monitored_since", sites);
    }

    [Fact]
    public async Task The_C1A1_indicator_reads_the_yearly_total_against_21500()
    {
        var expected = await f.ScalarAsync<long>("""
            SELECT coalesce(sum(sessions), 0)::bigint FROM wifi.hourly_reports
            WHERE (hour AT TIME ZONE 'America/Mexico_City') >= '2025-01-01' AND (hour AT TIME ZONE 'America/Mexico_City') < '2026-01-01'
            """);
        var (status, json, _) = await f.GetJsonAsync("/api/wifi/indicator?year=2025");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(21_500, json.GetProperty("goal").GetInt32());
        Assert.Equal(expected, json.GetProperty("connections").GetInt64());
        Assert.True(expected > 15_000, $"the illustrative history of the seed sites gives a plausible year ({expected})");
        Assert.True(json.GetProperty("includesIllustrativeData").GetBoolean());
        Assert.Equal(12, json.GetProperty("months").GetArrayLength());
        Assert.Equal(expected, json.GetProperty("months").EnumerateArray().Sum(m => m.GetProperty("sessions").GetInt64()));
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/wifi/indicator?year=99999"), HttpStatusCode.BadRequest);
    }
}
