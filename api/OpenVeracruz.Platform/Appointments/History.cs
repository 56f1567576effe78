using Npgsql;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>
/// The ILLUSTRATIVE history of the dashboard: daily aggregates (never bookings, never people) per seeded service from
/// 1 January 2025 to the day before the first start, written once as appointments.daily_stats rows with origin
/// 'ilustrativo'. Counts come from a fixed hash of (day, service), so every machine that starts on the same day writes
/// the same rows; working days only (the service's weekdays, no federal holiday), predial crowded in January–March,
/// quieter in July and December; scaled so that a whole year attends about <see cref="AppointmentsOptions.HistoryPerYear"/>.
/// </summary>
public static class History
{
    public static readonly DateOnly From = new(2025, 1, 1);

    private sealed record Cell(DateOnly Day, string Office, string Procedure, int Minutes, double Expected, int Index);

    /// <summary>A number in [0, 1) from the day, the service and a salt (SplitMix64's finaliser).</summary>
    internal static double Hash(int day, int service, int salt)
    {
        var z = (ulong)day * 0x9E3779B97F4A7C15UL ^ (ulong)(service + 1) * 0xBF58476D1CE4E5B9UL ^ (ulong)(salt + 7) * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) / (double)(1UL << 53);
    }

    private static double Season(string procedure, int month) => (procedure, month) switch
    {
        ("predial", 1) => 2.6, ("predial", 2) => 1.8, ("predial", 3) => 1.3, ("predial", 12) => 0.5, ("predial", _) => 0.7,
        (_, 7) => 0.75, (_, 12) => 0.6, (_, 1) => 0.9, _ => 1.0,
    };

    private static double Weekday(DayOfWeek d) => d switch { DayOfWeek.Monday => 1.25, DayOfWeek.Friday => 0.85, DayOfWeek.Saturday => 0.6, _ => 1.0 };

    /// <summary>Writes the history when there is none; returns the rows written.</summary>
    public static async Task<int> EnsureAsync(NpgsqlDataSource ds, DateOnly today, int perYear, CancellationToken ct = default)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockIt = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('appointments.history'))", conn, tx))
            await lockIt.ExecuteNonQueryAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM appointments.daily_stats WHERE origin = 'ilustrativo')", conn, tx))
            if ((bool)(await exists.ExecuteScalarAsync(ct))!) return 0;
        var services = new List<(string Office, string Procedure, int Minutes, double Weight, int[] Weekdays)>();
        await using (var read = new NpgsqlCommand("""
            SELECT o.code, s.procedure, s.duration_minutes, sum(x.desks)::float8 / count(DISTINCT x.weekday), array_agg(DISTINCT x.weekday)
            FROM appointments.services s JOIN appointments.offices o ON o.id = s.office_id JOIN appointments.schedules x ON x.service_id = s.id
            WHERE o.code = ANY(@codes) AND s.active GROUP BY 1, 2, 3 ORDER BY 1, 2
            """, conn, tx))
        {
            read.Parameters.AddWithValue("codes", Seed.OfficeCodes);
            await using var r = await read.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) services.Add((r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetDouble(3), r.GetFieldValue<int[]>(4)));
        }
        var end = today.AddDays(-1);
        if (services.Count == 0 || end < From) return 0;
        var holidays = Enumerable.Range(From.Year, end.Year - From.Year + 1).SelectMany(Seed.FederalHolidays).Select(h => h.Day).ToHashSet();
        var cells = new List<Cell>();
        for (var day = From; day <= end; day = day.AddDays(1))
        {
            if (holidays.Contains(day)) continue;
            for (var i = 0; i < services.Count; i++)
            {
                var s = services[i];
                if (!s.Weekdays.Contains((int)day.DayOfWeek)) continue;
                var expected = s.Weight * Season(s.Procedure, day.Month) * Weekday(day.DayOfWeek) * (0.7 + 0.6 * Hash(day.DayNumber, i, 0));
                cells.Add(new Cell(day, s.Office, s.Procedure, s.Minutes, expected, i));
            }
        }
        // scale on the first whole year so that it attends about perYear
        var scale = perYear / cells.Where(c => c.Day.Year == From.Year).Sum(c => c.Expected);
        var rows = cells.Select(c =>
        {
            double H(int salt) => Hash(c.Day.DayNumber, c.Index, salt);
            var attended = (int)Math.Round(c.Expected * scale);
            var noShow = (int)Math.Round(attended * (0.05 + 0.05 * H(1)));
            var cancelled = (int)Math.Round(attended * (0.04 + 0.04 * H(2)));
            var walkIns = (int)Math.Round(attended * (0.2 + 0.3 * H(3)));
            var surveys = (int)Math.Round(attended * (0.1 + 0.2 * H(4)));
            var wait = Math.Round(3 + 12 * H(5), 1);
            var service = Math.Round(c.Minutes * (0.7 + 0.4 * H(6)), 1);
            var timed = attended + walkIns >= Reports.MinTimesPublished;
            return (c, booked: attended + noShow + cancelled, attended, noShow, cancelled, walkIns,
                waitMedian: timed ? wait : (double?)null, waitP90: timed ? Math.Round(wait * (1.8 + 0.6 * H(7)), 1) : (double?)null,
                serviceMedian: timed ? service : (double?)null, serviceP90: timed ? Math.Round(service * (1.4 + 0.3 * H(8)), 1) : (double?)null,
                surveys, surveyMean: surveys >= Reports.MinSurveysPublished ? Math.Round(3.8 + 1.1 * H(9), 2) : (double?)null);
        }).Where(x => x.booked + x.walkIns > 0).ToList();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO appointments.daily_stats (id, day, office, office_name, procedure, service_name, booked, attended, no_show, cancelled, walk_ins,
                wait_median_min, wait_p90_min, service_median_min, service_p90_min, surveys, survey_mean, origin, geom)
            SELECT to_char(u.day, 'YYYY-MM-DD') || '-' || u.office || '-' || u.procedure, u.day, o.code, o.name, s.procedure, s.name,
                   u.booked, u.attended, u.no_show, u.cancelled, u.walk_ins, u.wm, u.wp, u.sm, u.sp, u.surveys, u.mean, 'ilustrativo', o.geom
            FROM unnest(@day, @office, @procedure, @booked, @attended, @no_show, @cancelled, @walk_ins, @wm, @wp, @sm, @sp, @surveys, @mean)
                 AS u(day, office, procedure, booked, attended, no_show, cancelled, walk_ins, wm, wp, sm, sp, surveys, mean)
            JOIN appointments.offices o ON o.code = u.office JOIN appointments.services s ON s.office_id = o.id AND s.procedure = u.procedure
            ON CONFLICT (id) DO NOTHING
            """, conn, tx);
        insert.Parameters.AddWithValue("day", rows.Select(x => x.c.Day).ToArray());
        insert.Parameters.AddWithValue("office", rows.Select(x => x.c.Office).ToArray());
        insert.Parameters.AddWithValue("procedure", rows.Select(x => x.c.Procedure).ToArray());
        insert.Parameters.AddWithValue("booked", rows.Select(x => x.booked).ToArray());
        insert.Parameters.AddWithValue("attended", rows.Select(x => x.attended).ToArray());
        insert.Parameters.AddWithValue("no_show", rows.Select(x => x.noShow).ToArray());
        insert.Parameters.AddWithValue("cancelled", rows.Select(x => x.cancelled).ToArray());
        insert.Parameters.AddWithValue("walk_ins", rows.Select(x => x.walkIns).ToArray());
        insert.Parameters.AddWithValue("wm", rows.Select(x => x.waitMedian).ToArray());
        insert.Parameters.AddWithValue("wp", rows.Select(x => x.waitP90).ToArray());
        insert.Parameters.AddWithValue("sm", rows.Select(x => x.serviceMedian).ToArray());
        insert.Parameters.AddWithValue("sp", rows.Select(x => x.serviceP90).ToArray());
        insert.Parameters.AddWithValue("surveys", rows.Select(x => x.surveys).ToArray());
        insert.Parameters.AddWithValue("mean", rows.Select(x => x.surveyMean).ToArray());
        var written = await insert.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return written;
    }
}
