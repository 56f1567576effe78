using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>One office, service and day: appointments, walk-ins, waits (ticket or check-in → called), service times (start → finish), surveys.</summary>
public sealed record DayReport(DateOnly Day, string Office, string OfficeName, int ServiceId, string Procedure, string Service,
    int Booked, int Attended, int NoShow, int Cancelled, int WalkIns,
    double? WaitMedianMin, double? WaitP90Min, double? ServiceMedianMin, double? ServiceP90Min, int Surveys, double? SurveyMean);
public sealed record RecomputeRequest(string? Day);
public sealed record Recomputed(DateOnly Day, int Rows);
public sealed record MonthAttended(string Month, long Attended);
public sealed record MirIndicator(string Indicator, int Dependencies, int Goal, int Baseline);
/// <summary>C6A2 "Dar atención a los usuarios de manera ordenada y con seguridad a través de la Plataforma Cero Filas".</summary>
public sealed record AppointmentsIndicator(string Activity, string Description, int Year, long Attended, int Goal, double Percent, long Booked,
    bool IncludesIllustrativeData, IReadOnlyList<MonthAttended> Months, MirIndicator Mir);

/// <summary>
/// Reports for staff (live, from the bookings, turns and surveys), the daily open dataset (appointments.daily_stats,
/// the layer appointments_daily) and the C6A2 indicator read from it. Survey comments are never read here.
/// </summary>
public static class Reports
{
    public const int YearlyGoal = 13_200, MirGoal = 3_600, MirBaseline = 1;
    /// <summary>Published cells with fewer answers or timed turns than this show no mean, median or p90 (one person's answer or wait).</summary>
    public const int MinSurveysPublished = 5, MinTimesPublished = 3;

    /// <summary>Per service and local day between @from and @to (inclusive; @a and @b the same bounds in UTC), optionally one office or service.</summary>
    private const string StatsSql = """
        WITH b AS (
          SELECT ((b.starts_at AT TIME ZONE 'UTC') - interval '6 hours')::date AS day, b.service_id,
                 count(*)::int AS booked, count(*) FILTER (WHERE b.state = 'attended')::int AS attended,
                 count(*) FILTER (WHERE b.state = 'no_show')::int AS no_show, count(*) FILTER (WHERE b.state = 'cancelled')::int AS cancelled
          FROM appointments.bookings b
          WHERE b.state <> 'held' AND b.starts_at >= @a AND b.starts_at < @b
          GROUP BY 1, 2),
        t AS (
          SELECT t.day, t.service_id, count(*) FILTER (WHERE t.kind = 'walkin')::int AS walk_ins,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.called_at - t.created) / 60) FILTER (WHERE t.called_at IS NOT NULL) AS wait_median,
                 percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.called_at - t.created) / 60) FILTER (WHERE t.called_at IS NOT NULL) AS wait_p90,
                 count(*) FILTER (WHERE t.called_at IS NOT NULL)::int AS waits,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.finished_at - t.started_at) / 60) FILTER (WHERE t.state = 'done' AND t.started_at IS NOT NULL) AS service_median,
                 percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.finished_at - t.started_at) / 60) FILTER (WHERE t.state = 'done' AND t.started_at IS NOT NULL) AS service_p90,
                 count(*) FILTER (WHERE t.state = 'done' AND t.started_at IS NOT NULL)::int AS services,
                 count(s.turn_id)::int AS surveys, avg(s.score)::float8 AS survey_mean
          FROM appointments.turns t LEFT JOIN appointments.surveys s ON s.turn_id = t.id
          WHERE t.day BETWEEN @from AND @to
          GROUP BY 1, 2)
        SELECT coalesce(b.day, t.day) AS day, o.code, o.name, sv.id, sv.procedure, sv.name,
               coalesce(b.booked, 0), coalesce(b.attended, 0), coalesce(b.no_show, 0), coalesce(b.cancelled, 0), coalesce(t.walk_ins, 0),
               round(t.wait_median::numeric, 1)::float8, round(t.wait_p90::numeric, 1)::float8, coalesce(t.waits, 0),
               round(t.service_median::numeric, 1)::float8, round(t.service_p90::numeric, 1)::float8, coalesce(t.services, 0),
               coalesce(t.surveys, 0), round(t.survey_mean::numeric, 2)::float8, o.geom
        FROM b FULL JOIN t ON t.day = b.day AND t.service_id = b.service_id
        JOIN appointments.services sv ON sv.id = coalesce(b.service_id, t.service_id)
        JOIN appointments.offices o ON o.id = sv.office_id
        WHERE (@office::text IS NULL OR o.code = @office) AND (@service::int IS NULL OR sv.id = @service)
        """;

    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder app)
    {
        const string tag = "Reportes de Cero Filas / Cero Filas reports";
        app.MapGet("/api/appointments/reports", Json).RequireAuthorization(Roles.Viewer).WithTags(tag).WithName("AppointmentReports")
            .WithSummary("Por oficina, servicio y día: citas, sin cita, esperas y encuestas (from, to, office, service) / Per office, service and day");
        app.MapGet("/api/appointments/reports.csv", Csv).RequireAuthorization(Roles.Viewer).WithTags(tag).WithName("AppointmentReportsCsv").Produces(200, contentType: "text/csv")
            .WithSummary("El mismo reporte en CSV para Excel (UTF-8 con BOM) / The same report as CSV for Excel");
        app.MapPost("/api/appointments/admin/daily-stats", Recompute).RequireAuthorization(Roles.Supervisor).WithTags("Administración de Cero Filas / Cero Filas administration")
            .WithName("RecomputeDailyStats").WithSummary("Recalcula los datos abiertos de un día (hoy por omisión) / Recompute a day of the open dataset");
        app.MapGet("/api/appointments/indicator", Indicator).WithTags("Citas (Cero Filas) / Appointments").WithName("AppointmentsIndicator")
            .WithSummary("Indicador C6A2: citas atendidas en el año contra la meta de 13,200 / Appointments attended in a year against the C6A2 goal");
        return app;
    }

    private static NpgsqlCommand Command(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, DateOnly from, DateOnly to, string? office, int? service)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue("a", Slots.Utc(from, TimeOnly.MinValue));
        cmd.Parameters.AddWithValue("b", Slots.Utc(to.AddDays(1), TimeOnly.MinValue));
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        cmd.Parameters.Add(new NpgsqlParameter("office", NpgsqlDbType.Text) { Value = (object?)office ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("service", NpgsqlDbType.Integer) { Value = (object?)service ?? DBNull.Value });
        return cmd;
    }

    public static async Task<List<DayReport>> ReadAsync(NpgsqlDataSource ds, DateOnly from, DateOnly to, string? office, int? service, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var cmd = Command(conn, null, StatsSql + " ORDER BY 1, 2, 5", from, to, office, service);
        var list = new List<DayReport>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        double? D(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
        while (await r.ReadAsync(ct))
            list.Add(new DayReport(r.GetFieldValue<DateOnly>(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetString(4), r.GetString(5),
                r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9), r.GetInt32(10), D(11), D(12), D(14), D(15), r.GetInt32(17), D(18)));
        return list;
    }

    private static (DateOnly From, DateOnly To, string? Office, int? Service) Filters(HttpRequest request)
    {
        var today = Slots.LocalDay(DateTime.UtcNow);
        var to = QueryArgs.Get(request, "to") is { } t ? AdminEndpoints.Day(t, "to") : today;
        var from = QueryArgs.Get(request, "from") is { } f ? AdminEndpoints.Day(f, "from") : to.AddDays(-30);
        if (to < from) throw Fail.Bad("'to' is before 'from'", "'to' es anterior a 'from'", "to");
        if (to.DayNumber - from.DayNumber > 366) throw Fail.Bad("A report covers at most a year", "Un reporte cubre un año como máximo", "to");
        var office = QueryArgs.Get(request, "office");
        if (office is { Length: > 60 }) throw Fail.Bad("'office' is an office code", "'office' es la clave de una oficina", "office");
        int? service = QueryArgs.Get(request, "service") is { } s ? QueryArgs.OptionalInt(s, "service", 0, 1, int.MaxValue) : null;
        return (from, to, office, service);
    }

    private static async Task<Ok<List<DayReport>>> Json(HttpRequest request, NpgsqlDataSource ds, CancellationToken ct)
    {
        var (from, to, office, service) = Filters(request);
        return TypedResults.Ok(await ReadAsync(ds, from, to, office, service, ct));
    }

    private static readonly string[] CsvHeader =
    [
        "dia", "oficina", "nombre_oficina", "servicio_id", "tramite", "servicio", "citas", "atendidas", "no_presentadas", "canceladas", "sin_cita",
        "espera_mediana_min", "espera_p90_min", "atencion_mediana_min", "atencion_p90_min", "encuestas", "calificacion_promedio",
    ];

    private static async Task Csv(HttpContext http, NpgsqlDataSource ds, CancellationToken ct)
    {
        var (from, to, office, service) = Filters(http.Request);
        var rows = await ReadAsync(ds, from, to, office, service, ct);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"cero-filas-{from:yyyyMMdd}-{to:yyyyMMdd}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var h in CsvHeader) csv.WriteField(h);
        await csv.NextRecordAsync();
        static string N(double? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";
        foreach (var r in rows)
        {
            foreach (var field in new[]
            {
                $"{r.Day:yyyy-MM-dd}", SpreadsheetText.Neutralise(r.Office), SpreadsheetText.Neutralise(r.OfficeName), r.ServiceId.ToString(CultureInfo.InvariantCulture),
                SpreadsheetText.Neutralise(r.Procedure), SpreadsheetText.Neutralise(r.Service), $"{r.Booked}", $"{r.Attended}", $"{r.NoShow}", $"{r.Cancelled}", $"{r.WalkIns}",
                N(r.WaitMedianMin), N(r.WaitP90Min), N(r.ServiceMedianMin), N(r.ServiceP90Min), $"{r.Surveys}", N(r.SurveyMean),
            })
                csv.WriteField(field);
            await csv.NextRecordAsync();
        }
    }

    private static async Task<Ok<Recomputed>> Recompute(RecomputeRequest body, DailyStatsJob job, CancellationToken ct)
    {
        var today = Slots.LocalDay(DateTime.UtcNow);
        var day = body.Day is null ? today : AdminEndpoints.Day(body.Day, "day");
        if (day > today) throw Fail.Bad("A day to come has nothing to count yet", "Un día futuro todavía no tiene nada que contar", "day");
        return TypedResults.Ok(new Recomputed(day, await job.ComputeAsync(day, ct)));
    }

    /// <summary>
    /// Writes the published rows of one day: the day's computed rows are replaced in one transaction (under a lock
    /// per day), so running it twice gives the same rows, never double. Small cells keep their counts but not their
    /// means: a mean of fewer than <see cref="MinSurveysPublished"/> answers, or times of fewer than
    /// <see cref="MinTimesPublished"/> turns, would be one person's.
    /// </summary>
    internal static async Task<int> PublishDayAsync(NpgsqlDataSource ds, DateOnly day, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockDay = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('appointments.daily_stats'), @d)", conn, tx))
        {
            lockDay.Parameters.AddWithValue("d", day.DayNumber);
            await lockDay.ExecuteNonQueryAsync(ct);
        }
        await using (var clear = new NpgsqlCommand("DELETE FROM appointments.daily_stats WHERE day = @d AND origin = 'registrado'", conn, tx))
        {
            clear.Parameters.AddWithValue("d", day);
            await clear.ExecuteNonQueryAsync(ct);
        }
        await using var insert = Command(conn, tx, $"""
            INSERT INTO appointments.daily_stats (id, day, office, office_name, procedure, service_name, booked, attended, no_show, cancelled, walk_ins,
                wait_median_min, wait_p90_min, service_median_min, service_p90_min, surveys, survey_mean, origin, geom)
            SELECT to_char(s.day, 'YYYY-MM-DD') || '-' || s.code || '-' || s.procedure, s.day, s.code, s.oname, s.procedure, s.sname,
                   s.booked, s.attended, s.no_show, s.cancelled, s.walk_ins,
                   CASE WHEN s.waits >= {MinTimesPublished} THEN s.wait_median END, CASE WHEN s.waits >= {MinTimesPublished} THEN s.wait_p90 END,
                   CASE WHEN s.services >= {MinTimesPublished} THEN s.service_median END, CASE WHEN s.services >= {MinTimesPublished} THEN s.service_p90 END,
                   s.surveys, CASE WHEN s.surveys >= {MinSurveysPublished} THEN s.survey_mean END, 'registrado', s.geom
            FROM ({StatsSql}) AS s(day, code, oname, sid, procedure, sname, booked, attended, no_show, cancelled, walk_ins,
                  wait_median, wait_p90, waits, service_median, service_p90, services, surveys, survey_mean, geom)
            ON CONFLICT (id) DO UPDATE SET booked = excluded.booked, attended = excluded.attended, no_show = excluded.no_show, cancelled = excluded.cancelled,
                walk_ins = excluded.walk_ins, wait_median_min = excluded.wait_median_min, wait_p90_min = excluded.wait_p90_min,
                service_median_min = excluded.service_median_min, service_p90_min = excluded.service_p90_min, surveys = excluded.surveys,
                survey_mean = excluded.survey_mean, origin = 'registrado', office_name = excluded.office_name, service_name = excluded.service_name, geom = excluded.geom
            """, day, day, null, null);
        var rows = await insert.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return rows;
    }

    private static async Task<Ok<AppointmentsIndicator>> Indicator(NpgsqlDataSource ds, CancellationToken ct, int? year = null)
    {
        var y = year ?? Slots.LocalDay(DateTime.UtcNow).Year;
        if (y is < 2000 or > 2100) throw new BadRequestException("'year' must be between 2000 and 2100", "'year' debe estar entre 2000 y 2100", "year");
        await using var cmd = ds.CreateCommand("""
            SELECT to_char(day, 'YYYY-MM'), sum(attended)::bigint, sum(booked)::bigint, bool_or(origin = 'ilustrativo')
            FROM appointments.daily_stats WHERE day >= make_date(@y, 1, 1) AND day < make_date(@y + 1, 1, 1)
            GROUP BY ROLLUP (1) ORDER BY 1 NULLS LAST;
            SELECT count(DISTINCT o.dependency)::int FROM appointments.daily_stats d JOIN appointments.offices o ON o.code = d.office
            WHERE d.day >= make_date(@y, 1, 1) AND d.day < make_date(@y + 1, 1, 1) AND d.booked > 0;
            """);
        cmd.Parameters.AddWithValue("y", y);
        var months = new List<MonthAttended>();
        long attended = 0, booked = 0;
        var illustrative = false;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (r.IsDBNull(0)) (attended, booked, illustrative) = (r.GetInt64(1), r.GetInt64(2), r.GetBoolean(3));
            else months.Add(new MonthAttended(r.GetString(0), r.GetInt64(1)));
        }
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        var dependencies = r.GetInt32(0);
        return TypedResults.Ok(new AppointmentsIndicator("C6A2", "Dar atención a los usuarios de manera ordenada y con seguridad a través de la Plataforma Cero Filas",
            y, attended, YearlyGoal, Math.Round(100.0 * attended / YearlyGoal, 1), booked, illustrative, months,
            new MirIndicator("Dependencias municipales que usan citas digitales", dependencies, MirGoal, MirBaseline)));
    }
}

/// <summary>The daily open dataset: yesterday (Veracruz's day) after midnight, idempotently; any day on demand.</summary>
public sealed class DailyStatsJob(NpgsqlDataSource ds)
{
    public Task<int> RunAsync() => ComputeAsync(Slots.LocalDay(DateTime.UtcNow).AddDays(-1), CancellationToken.None);

    public Task<int> ComputeAsync(DateOnly day, CancellationToken ct) => Reports.PublishDayAsync(ds, day, ct);
}
