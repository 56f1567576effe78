using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

public sealed record ScheduleRange(int Weekday, TimeOnly Starts, TimeOnly Ends, int Desks);

public sealed record DayOff(DateOnly From, DateOnly To, int Desks = int.MaxValue)
{
    public bool Covers(DateOnly day) => From <= day && day <= To;
}

/// <summary>What takes capacity away: municipal holidays, closures of the office, absences of the service's staff (desks).</summary>
public sealed record CapacityCalendar(IReadOnlySet<DateOnly> Holidays, IReadOnlyList<DayOff> Closures, IReadOnlyList<DayOff> Absences);

/// <summary>A slot: its start and end in UTC and the desks that serve it.</summary>
public sealed record Slot(DateTime Start, DateTime End, int Desks);

/// <summary>An occupied desk interval (a hold or an appointment).</summary>
public sealed record Occupied(int Desk, DateTime Start, DateTime End);

/// <summary>
/// Slots from schedules × desks, minus holidays, closures and absences. Each service has its own duration (the old
/// system sized every slot to the office's longest procedure); a visit with several services lasts their sum, and
/// fits only where the whole visit ends within the staff's time. Local times are Veracruz's (UTC−6, no DST).
/// </summary>
public static class Slots
{
    public static DateTime Utc(DateOnly day, TimeOnly time) =>
        new DateTimeOffset(day.ToDateTime(time), Instants.VeracruzOffset).UtcDateTime;

    public static DateOnly LocalDay(DateTime utc) => DateOnly.FromDateTime(utc + Instants.VeracruzOffset);

    public static DateTime LocalTime(DateTime utc) => DateTime.SpecifyKind(utc + Instants.VeracruzOffset, DateTimeKind.Unspecified);

    public static IEnumerable<Slot> For(DateOnly day, int stepMinutes, int visitMinutes, IEnumerable<ScheduleRange> schedules, CapacityCalendar calendar)
    {
        if (calendar.Holidays.Contains(day) || calendar.Closures.Any(c => c.Covers(day))) yield break;
        var missing = calendar.Absences.Where(a => a.Covers(day)).Sum(a => (long)a.Desks);
        foreach (var s in schedules.Where(s => s.Weekday == (int)day.DayOfWeek).OrderBy(s => s.Starts))
        {
            var desks = (int)Math.Max(0, s.Desks - missing);
            if (desks == 0) continue;
            var end = Utc(day, s.Ends);
            for (var t = Utc(day, s.Starts); t.AddMinutes(visitMinutes) <= end; t = t.AddMinutes(stepMinutes))
                yield return new Slot(t, t.AddMinutes(visitMinutes), desks);
        }
    }

    /// <summary>The desks of a slot that no hold or appointment overlaps.</summary>
    public static IEnumerable<int> FreeDesks(Slot slot, IEnumerable<Occupied> occupied)
    {
        var taken = occupied.Where(o => o.Start < slot.End && slot.Start < o.End).Select(o => o.Desk).ToHashSet();
        return Enumerable.Range(1, slot.Desks).Where(d => !taken.Contains(d));
    }
}
