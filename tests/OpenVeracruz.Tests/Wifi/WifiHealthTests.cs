using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Wifi;

namespace OpenVeracruz.Tests.Wifi;

/// <summary>
/// The health check on the real database: a silent site fails after the tolerance and gets one corrective ticket, even when
/// staff report it at the same moment; when it reports again it operates and the ticket says so. Coverage and nearest sites.
/// </summary>
[Collection(nameof(WifiSpaces))]
public class WifiHealthTests(WifiSpaces f)
{
    /// <summary>A monitored site of the test's own whose last heartbeat was <paramref name="silentMinutes"/> ago and whose problem began long ago.</summary>
    private async Task<string> SilentSiteAsync(int silentMinutes, bool problemKnown)
    {
        var code = "TH-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await f.ScalarAsync<int>("""
            INSERT INTO wifi.sites (code, name, place, address, status, status_since, coverage_radius_m, hours, access_points, location, geom,
                                    monitored_since, last_heartbeat_at, problem_since)
            VALUES (@c, 'Plaza de prueba ' || @c, 'plaza', 'Calle de prueba', 'operating', now() - interval '1 day', 100, '08:00–20:00', 2, 'aproximada',
                    ST_SetSRID(ST_MakePoint(-96.15, 19.17), 4326), now() - interval '2 days', now() - make_interval(mins => @m),
                    CASE WHEN @known THEN now() - interval '1 hour' END);
            SELECT 1
            """, ("c", code), ("m", silentMinutes), ("known", problemKnown));
        return code;
    }

    private async Task<int> RunHealthAsync()
    {
        await using var scope = f.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WifiHealthJob>().RunAsync(DateTime.UtcNow, CancellationToken.None);
    }

    private Task<long> OpenTicketsAsync(string code) => f.ScalarAsync<long>(
        "SELECT count(*) FROM maintenance.tickets WHERE subject = @s AND state IN ('reported', 'assigned', 'in_progress', 'reopened')", ("s", "wifi:" + code));

    private Task<string> StatusAsync(string code) => f.ScalarAsync<string>("SELECT status FROM wifi.sites WHERE code = @c", ("c", code));

    [Fact]
    public async Task A_silent_site_fails_after_the_tolerance_gets_one_ticket_and_operates_again_when_it_reports()
    {
        var code = await SilentSiteAsync(120, problemKnown: false);
        await RunHealthAsync();
        Assert.Equal("operating", await StatusAsync(code)); // the problem is new: the tolerance starts now
        Assert.True(await f.ScalarAsync<bool>("SELECT problem_since IS NOT NULL FROM wifi.sites WHERE code = @c", ("c", code)));
        Assert.Equal(0, await OpenTicketsAsync(code));

        await f.ScalarAsync<int>("UPDATE wifi.sites SET problem_since = now() - interval '20 minutes' WHERE code = @c; SELECT 1", ("c", code));
        await RunHealthAsync();
        await RunHealthAsync(); // the next run opens nothing more
        Assert.Equal("failing", await StatusAsync(code));
        Assert.Equal(1, await OpenTicketsAsync(code));
        Assert.Equal("wifi-health", await f.ScalarAsync<string>("SELECT source FROM maintenance.tickets WHERE subject = @s", ("s", "wifi:" + code)));
        // the public layer shows the status
        Assert.Contains("failing", await f.Http.GetStringAsync($"/ogc/collections/wifi_sites/items?limit=1000"));

        // the controller is back: a heartbeat, then the check
        await f.ScalarAsync<int>("UPDATE wifi.sites SET last_heartbeat_at = now() WHERE code = @c; SELECT 1", ("c", code));
        await RunHealthAsync();
        Assert.Equal("operating", await StatusAsync(code));
        Assert.Equal(1, await OpenTicketsAsync(code)); // the technician closes it; the platform only notes the recovery
        Assert.Equal(1, await f.ScalarAsync<long>("""
            SELECT count(*) FROM maintenance.ticket_events e JOIN maintenance.tickets t ON t.id = e.ticket_id
            WHERE t.subject = @s AND e.kind = 'note' AND e.text LIKE 'El sitio volvió a reportar%'
            """, ("s", "wifi:" + code)));
    }

    [Fact]
    public async Task The_health_check_and_staff_reporting_the_same_failing_site_at_once_open_one_ticket()
    {
        var code = await SilentSiteAsync(120, problemKnown: true);
        var staff = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => f.StaffAsync("viewer")));
        var reports = Enumerable.Range(0, 16).Select(i => staff[i % staff.Length].Session
            .PostAsync($"/api/wifi/sites/{code}/faults", PlatformFixture.Json(new { description = $"No hay internet ({i})" }))).ToList();
        var job = RunHealthAsync();
        var statuses = (await Task.WhenAll(reports)).Select(r => r.StatusCode).ToList();
        await job;
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.OK, s.ToString()));
        Assert.True(statuses.Count(s => s == HttpStatusCode.Created) <= 1);
        Assert.Equal(1, await OpenTicketsAsync(code));
        Assert.Equal("failing", await StatusAsync(code));
        // every report after the first is a comment on the one ticket
        Assert.True(await f.ScalarAsync<long>("""
            SELECT count(*) FROM maintenance.ticket_events e JOIN maintenance.tickets t ON t.id = e.ticket_id WHERE t.subject = @s AND e.kind = 'comment'
            """, ("s", "wifi:" + code)) >= 15);
        await ProblemAssert.IsProblemAsync(await staff[0].Session.PostAsync("/api/wifi/sites/NO-EXISTE/faults", PlatformFixture.Json(new { })), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Coverage_counts_census_population_inside_the_circles_once()
    {
        using var doc = JsonDocument.Parse(await f.Http.GetStringAsync("/api/wifi/coverage"));
        var c = doc.RootElement;
        Assert.Equal(607_209, c.GetProperty("municipalPopulation").GetInt32()); // Censo 2020, municipality 30193
        var sites = c.GetProperty("sites").EnumerateArray().ToList();
        var zocalo = sites.Single(s => s.GetProperty("code").GetString() == "WIFI-01");
        Assert.InRange(zocalo.GetProperty("population").GetInt32(), 1, 5_000); // 120 m in the city's dense centre
        var covered = c.GetProperty("populationCovered").GetInt32();
        // overlapping circles count once: the total is at most the sum of the sites
        Assert.InRange(covered, 1, sites.Sum(s => s.GetProperty("population").GetInt32()));
        Assert.Equal(Math.Round(100.0 * covered / 607_209, 2), c.GetProperty("percentCovered").GetDouble());
    }

    [Fact]
    public async Task The_nearest_spaces_are_ordered_by_metres_from_a_point_or_a_clave()
    {
        using var doc = JsonDocument.Parse(await f.Http.GetStringAsync("/api/wifi/nearest?lon=-96.1369&lat=19.1993&limit=3"));
        var sites = doc.RootElement.GetProperty("sites").EnumerateArray().ToList();
        Assert.Equal(3, sites.Count);
        Assert.Equal("WIFI-01", sites[0].GetProperty("code").GetString());
        Assert.True(sites[0].GetProperty("inside").GetBoolean());
        Assert.True(sites[0].GetProperty("distanceM").GetInt32() < 5);
        var distances = sites.Select(s => s.GetProperty("distanceM").GetInt32()).ToList();
        Assert.Equal(distances.Order(), distances);

        var (clave, _, _) = await f.SomeParcelAsync();
        using var byClave = JsonDocument.Parse(await f.Http.GetStringAsync($"/api/wifi/nearest?clave={clave}"));
        Assert.Equal(clave, byClave.RootElement.GetProperty("clave").GetString());
        Assert.NotEmpty(byClave.RootElement.GetProperty("sites").EnumerateArray());

        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/wifi/nearest?clave=999-9999-999"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/wifi/nearest?clave=abc"), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/wifi/nearest?lon=-96.13"), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/wifi/nearest?lon=-96.13&lat=95"), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/api/wifi/nearest"), HttpStatusCode.BadRequest);
    }
}
