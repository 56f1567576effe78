namespace OpenVeracruz.Platform.Maintenance;

/// <summary>
/// Working time of the IT area: a daily window (08:00–15:00 by default) on the working weekdays, at a fixed offset from UTC
/// (−6, Veracruz has kept no daylight saving time since 2022), minus the municipal holidays. SLA targets count in it.
/// </summary>
public sealed class BusinessCalendar(TimeOnly opens, TimeOnly closes, TimeSpan utcOffset, IReadOnlySet<DayOfWeek> workdays, IReadOnlySet<DateOnly> holidays)
{
    private const int MaxDays = 3660; // ten years of calendar days: a target beyond that is a configuration mistake

    public TimeSpan DailyHours => closes - opens;

    private bool IsWorkday(DateOnly d) => workdays.Contains(d.DayOfWeek) && !holidays.Contains(d);

    /// <summary>The instant (UTC) when <paramref name="amount"/> of working time has passed since <paramref name="startUtc"/>.</summary>
    public DateTime Add(DateTime startUtc, TimeSpan amount)
    {
        var local = startUtc + utcOffset;
        var day = DateOnly.FromDateTime(local);
        var left = amount;
        for (var i = 0; i < MaxDays; i++, day = day.AddDays(1))
        {
            if (!IsWorkday(day)) continue;
            var open = day.ToDateTime(opens);
            var close = day.ToDateTime(closes);
            var from = local > open ? local : open;
            if (from >= close) continue;
            if (from + left <= close) return DateTime.SpecifyKind(from + left - utcOffset, DateTimeKind.Utc);
            left -= close - from;
        }
        throw new InvalidOperationException("The business calendar has no working time within ten years");
    }

    /// <summary>Working time between two instants (zero when <paramref name="toUtc"/> is not after <paramref name="fromUtc"/>).</summary>
    public TimeSpan Between(DateTime fromUtc, DateTime toUtc)
    {
        if (toUtc <= fromUtc) return TimeSpan.Zero;
        var (a, b) = (fromUtc + utcOffset, toUtc + utcOffset);
        var total = TimeSpan.Zero;
        var days = 0;
        for (var day = DateOnly.FromDateTime(a); day <= DateOnly.FromDateTime(b) && days < MaxDays; day = day.AddDays(1), days++)
        {
            if (!IsWorkday(day)) continue;
            var from = Max(a, day.ToDateTime(opens));
            var to = Min(b, day.ToDateTime(closes));
            if (to > from) total += to - from;
        }
        return total;
    }

    private static DateTime Max(DateTime x, DateTime y) => x > y ? x : y;
    private static DateTime Min(DateTime x, DateTime y) => x < y ? x : y;
}
