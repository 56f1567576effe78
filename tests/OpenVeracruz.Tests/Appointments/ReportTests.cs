using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Appointments;
using static OpenVeracruz.Tests.Appointments.CitasKit;

namespace OpenVeracruz.Tests.Appointments;

/// <summary>Reports for staff, the CSV, the daily open dataset through the doors, the survey after a visit and the C6A2 indicator.</summary>
[Collection(nameof(CeroFilasBackOffice))]
public class ReportTests(CeroFilasBackOffice fixture) : CitasTests(fixture)
{
    private static async Task<JsonElement> OkAsync(HttpClient c, HttpMethod m, string url, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (s, json, r) = await SendAsync(c, m, url, body);
        Assert.True(s == expected, $"{m} {url}: {(int)s} {await r.Content.ReadAsStringAsync()}");
        return json;
    }

    private async Task ExecAsync(string sql, params (string Name, object Value)[] args)
    {
        await using var cmd = f.Db.CreateCommand(sql);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<(string Folio, string Token)> BookTodayAsync(TestService svc, string time, TimeSpan fromNow)
    {
        var (status, conf) = await BookAsync(Citizen(f), svc.ServiceId, At(await FreeDayAsync(f, ahead: 5), time), NewCurp());
        Assert.Equal(HttpStatusCode.Created, status);
        var folio = conf.GetProperty("folio").GetString()!;
        await StaffKit.MoveBookingAsync(f, folio, fromNow);
        return (folio, conf.GetProperty("token").GetString()!);
    }

    /// <summary>A day at an office: one appointment attended, one cancelled, three walk-ins, four visits served; their survey keys.</summary>
    private async Task<(TestService Svc, List<string> Keys)> DayAtTheOfficeAsync()
    {
        var svc = await NewServiceAsync(f, desks: 2);
        var staff = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        var (attended, _) = await BookTodayAsync(svc, "09:00", TimeSpan.FromMinutes(3));
        var (cancelled, token) = await BookTodayAsync(svc, "09:15", TimeSpan.FromHours(3));
        var (cs, _, _) = await PostAsync(Citizen(f), $"/api/appointments/{cancelled}/cancel", new { }, token);
        Assert.Equal(HttpStatusCode.OK, cs);
        await OkAsync(staff, HttpMethod.Post, "/api/turns/checkin", new { office = svc.OfficeCode, folio = attended }, HttpStatusCode.Created);
        foreach (var _ in Enumerable.Range(0, 3))
            await OkAsync(staff, HttpMethod.Post, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId }, HttpStatusCode.Created);
        await OkAsync(staff, HttpMethod.Post, "/api/turns/desk", new { office = svc.OfficeCode, name = "Ventanilla 1" });
        var keys = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = (await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { })).GetProperty("id").GetInt64();
            await OkAsync(staff, HttpMethod.Post, $"/api/turns/{id}/start", new { });
            keys.Add((await OkAsync(staff, HttpMethod.Post, $"/api/turns/{id}/finish", new { notes = "Atendido" })).GetProperty("surveyKey").GetString()!);
        }
        return (svc, keys);
    }

    [Fact]
    public async Task A_day_at_the_office_is_reported_exported_and_published_without_anyone_in_it()
    {
        var (svc, keys) = await DayAtTheOfficeAsync();
        await ExecAsync("UPDATE appointments.services SET name = '=HYPERLINK(\"http://evil.example\")' WHERE id = @s", ("s", svc.ServiceId));
        var citizen = Citizen(f);
        var secret = "Comentario privado " + Guid.NewGuid().ToString("N")[..8];
        await OkAsync(citizen, HttpMethod.Post, $"/api/surveys/{keys[0]}", new { score = 5, comment = secret }, HttpStatusCode.Created);
        await OkAsync(citizen, HttpMethod.Post, $"/api/surveys/{keys[1]}", new { score = 3 }, HttpStatusCode.Created);
        var today = Slots.LocalDay(DateTime.UtcNow);

        var (_, _, viewer) = await f.StaffAsync("viewer");
        var report = await OkAsync(viewer, HttpMethod.Get, $"/api/appointments/reports?from={today:yyyy-MM-dd}&to={today:yyyy-MM-dd}&service={svc.ServiceId}");
        var row = Assert.Single(report.EnumerateArray());
        Assert.Equal((2, 1, 1, 0, 3, 2, 4.0), (row.GetProperty("booked").GetInt32(), row.GetProperty("attended").GetInt32(), row.GetProperty("cancelled").GetInt32(),
            row.GetProperty("noShow").GetInt32(), row.GetProperty("walkIns").GetInt32(), row.GetProperty("surveys").GetInt32(), row.GetProperty("surveyMean").GetDouble()));
        Assert.Equal(JsonValueKind.Number, row.GetProperty("waitMedianMin").ValueKind);
        Assert.Equal(JsonValueKind.Number, row.GetProperty("serviceP90Min").ValueKind);
        Assert.DoesNotContain(secret, report.GetRawText());
        var byOffice = await OkAsync(viewer, HttpMethod.Get, $"/api/appointments/reports?from={today:yyyy-MM-dd}&office={svc.OfficeCode}");
        Assert.Single(byOffice.EnumerateArray());
        var (_, _, badResponse) = await SendAsync(viewer, HttpMethod.Get, "/api/appointments/reports?from=2026-02-30");
        await ProblemAssert.IsProblemAsync(badResponse, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.NewClient().GetAsync("/api/appointments/reports")).StatusCode);

        // CSV for Excel: a BOM, and a name that starts like a formula stays text
        var csv = await viewer.GetByteArrayAsync($"/api/appointments/reports.csv?from={today:yyyy-MM-dd}&service={svc.ServiceId}");
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv[..3]);
        var text = Encoding.UTF8.GetString(csv[3..]);
        Assert.StartsWith("dia,oficina,nombre_oficina,servicio_id,tramite,servicio,citas,atendidas", text);
        Assert.Contains("'=HYPERLINK", text);
        Assert.DoesNotContain(",=HYPERLINK", text);

        // the open dataset: recomputed twice, the same single row; small cells keep counts, not means
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var id = $"{today:yyyy-MM-dd}-{svc.OfficeCode}-{svc.Procedure}";
        for (var i = 0; i < 2; i++)
            Assert.True((await OkAsync(supervisor, HttpMethod.Post, "/api/appointments/admin/daily-stats", new { day = $"{today:yyyy-MM-dd}" })).GetProperty("rows").GetInt32() >= 1);
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.daily_stats WHERE id = @i", ("i", id)));
        var published = (await OkAsync(f.NewClient(), HttpMethod.Get, $"/ogc/collections/appointments_daily/items/{id}")).GetProperty("properties");
        Assert.Equal((2, 1, 3, 2, "registrado"), (published.GetProperty("booked").GetInt32(), published.GetProperty("attended").GetInt32(),
            published.GetProperty("walk_ins").GetInt32(), published.GetProperty("surveys").GetInt32(), published.GetProperty("origin").GetString()));
        Assert.Equal(JsonValueKind.Null, published.GetProperty("survey_mean").ValueKind); // 2 answers: the mean would tell each one
        Assert.Equal(JsonValueKind.Number, published.GetProperty("wait_median_min").ValueKind); // 4 timed turns
        await OkAsync(Citizen(f), HttpMethod.Post, $"/api/surveys/{keys[2]}", new { score = 4 }, HttpStatusCode.Created);
        await OkAsync(Citizen(f), HttpMethod.Post, $"/api/surveys/{keys[3]}", new { score = 4 }, HttpStatusCode.Created);
        // a fifth visit and its answer make the mean publishable
        var staff = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        await OkAsync(staff, HttpMethod.Post, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId }, HttpStatusCode.Created);
        await OkAsync(staff, HttpMethod.Post, "/api/turns/desk", new { office = svc.OfficeCode, name = "Ventanilla 2" });
        var fifth = (await OkAsync(staff, HttpMethod.Post, "/api/turns/next", new { })).GetProperty("id").GetInt64();
        var key = (await OkAsync(staff, HttpMethod.Post, $"/api/turns/{fifth}/finish", new { })).GetProperty("surveyKey").GetString()!;
        await OkAsync(Citizen(f), HttpMethod.Post, $"/api/surveys/{key}", new { score = 4 }, HttpStatusCode.Created);
        await using (var scope = f.Services.CreateAsyncScope())
        {
            var job = scope.ServiceProvider.GetRequiredService<DailyStatsJob>();
            // four runs at once (two web processes, a retry, the button): one row per cell, never doubled
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                await using var own = f.Services.CreateAsyncScope();
                await own.ServiceProvider.GetRequiredService<DailyStatsJob>().ComputeAsync(today, CancellationToken.None);
            })));
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.daily_stats WHERE id = @i", ("i", id)));
            await job.RunAsync(); // yesterday: idempotent too
            var yesterday = await f.ScalarAsync<long>("SELECT count(*) FROM appointments.daily_stats WHERE day = @d", ("d", today.AddDays(-1)));
            await job.RunAsync();
            Assert.Equal(yesterday, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.daily_stats WHERE day = @d", ("d", today.AddDays(-1))));
        }
        published = (await OkAsync(f.NewClient(), HttpMethod.Get, $"/ogc/collections/appointments_daily/items/{id}")).GetProperty("properties");
        Assert.Equal((5, 4.0), (published.GetProperty("surveys").GetInt32(), published.GetProperty("survey_mean").GetDouble()));

        // no door shows a comment, a name or a CURP
        foreach (var url in new[]
        {
            $"/ogc/collections/appointments_daily/items/{id}", $"/downloads/appointments_daily.csv", $"/odata/AppointmentsDaily?$top=5000&$orderby=Day desc",
            $"/api/surveys/{keys[0]}", $"/api/screens/{svc.OfficeCode}", "/api/appointments/indicator",
        })
        {
            var body = await f.NewClient().GetStringAsync(url);
            Assert.DoesNotContain(secret, body);
            Assert.DoesNotContain("María José", body);
            Assert.DoesNotContain("curp", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task One_survey_answer_per_visit_even_when_sixteen_arrive_at_once()
    {
        var (_, keys) = await DayAtTheOfficeAsync();
        var key = keys[0];
        var form = await OkAsync(Citizen(f), HttpMethod.Get, $"/api/surveys/{key}");
        Assert.False(form.GetProperty("answered").GetBoolean());
        Assert.StartsWith("Oficina de pruebas", form.GetProperty("office").GetString());
        foreach (var (body, spanish) in new (object, string)[] { (new { score = 0 }, "1 a 5"), (new { score = 6 }, "1 a 5"), (new { comment = "sin calificación" }, "1 a 5"),
                     (new { score = 4, comment = new string('ñ', SurveyEndpoints.MaxComment + 1) }, "500") })
        {
            var (_, _, r) = await PostAsync(Citizen(f), $"/api/surveys/{key}", body);
            Assert.Contains(spanish, (await ProblemAssert.IsProblemAsync(r, HttpStatusCode.BadRequest)).GetProperty("detail_es").GetString());
        }
        var (_, _, unknown) = await PostAsync(Citizen(f), $"/api/surveys/{new string('x', 32)}", new { score = 5 });
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound);
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.surveys s JOIN appointments.turns t ON t.id = s.turn_id WHERE t.survey_key = @k", ("k", key)));

        var answers = await Task.WhenAll(Enumerable.Range(1, 16).Select(i =>
            PostAsync(Citizen(f), $"/api/surveys/{key}", new { score = 1 + i % 5, comment = $"Respuesta {i}" })));
        Assert.Equal(1, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.Equal(15, answers.Count(a => a.Status == HttpStatusCode.Conflict));
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.surveys s JOIN appointments.turns t ON t.id = s.turn_id WHERE t.survey_key = @k", ("k", key)));
        Assert.True((await OkAsync(Citizen(f), HttpMethod.Get, $"/api/surveys/{key}")).GetProperty("answered").GetBoolean());
    }

    [Fact]
    public async Task The_synthetic_history_reaches_the_C6A2_goal_and_is_written_once()
    {
        var indicator = await OkAsync(f.NewClient(), HttpMethod.Get, "/api/appointments/indicator?year=2025");
        var attended = indicator.GetProperty("attended").GetInt64();
        Assert.InRange(attended, 12_500, 13_900);
        Assert.Equal(("C6A2", 13_200, true, 12), (indicator.GetProperty("activity").GetString(), indicator.GetProperty("goal").GetInt32(),
            indicator.GetProperty("includesIllustrativeData").GetBoolean(), indicator.GetProperty("months").GetArrayLength()));
        var january = indicator.GetProperty("months")[0].GetProperty("attended").GetInt64();
        var july = indicator.GetProperty("months")[6].GetProperty("attended").GetInt64();
        Assert.True(january > july, $"predial crowds January ({january}) more than July ({july})");
        var mir = indicator.GetProperty("mir");
        Assert.Equal((5, 3_600, 1), (mir.GetProperty("dependencies").GetInt32(), mir.GetProperty("goal").GetInt32(), mir.GetProperty("baseline").GetInt32()));

        // working days only, never a federal holiday, and a second start writes nothing
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.daily_stats WHERE origin = 'ilustrativo' AND (extract(dow FROM day) = 0 OR day = DATE '2025-01-01' OR day = DATE '2025-09-16')"));
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.daily_stats WHERE origin = 'ilustrativo' AND extract(dow FROM day) = 6 AND office <> 'tesoreria-cajas'"));
        var rows = await f.ScalarAsync<long>("SELECT count(*) FROM appointments.daily_stats WHERE origin = 'ilustrativo'");
        Assert.Equal(0, await History.EnsureAsync(f.Db, Slots.LocalDay(DateTime.UtcNow), 13_200));
        Assert.Equal(rows, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.daily_stats WHERE origin = 'ilustrativo'"));
        var (_, _, r) = await SendAsync(f.NewClient(), HttpMethod.Get, "/api/appointments/indicator?year=1999");
        await ProblemAssert.IsProblemAsync(r, HttpStatusCode.BadRequest);
    }
}
