using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>What decides a service's slots, read once per request.</summary>
public sealed record ServiceFacts(Service Service, Office Office, IReadOnlyList<ScheduleRange> Schedules, CapacityCalendar Calendar)
{
    /// <summary>The slots of a day for a visit of <paramref name="visitMinutes"/>, from the date the office offers the service.</summary>
    public IEnumerable<Slot> SlotsOn(DateOnly day, int visitMinutes) =>
        day < Service.ValidFrom ? [] : Slots.For(day, Service.DurationMinutes, visitMinutes, Schedules, Calendar);
}

public static class Capacity
{
    /// <summary>States that take a desk (a hold only until it expires).</summary>
    public static readonly string[] Occupying = ["booked", "checked_in", "attended"];

    public static async Task<ServiceFacts?> LoadAsync(AppDbContext db, int serviceId, CancellationToken ct)
    {
        var service = await db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serviceId && s.Active, ct);
        if (service is null) return null;
        var office = await db.Offices.AsNoTracking().FirstAsync(o => o.Id == service.OfficeId, ct);
        if (!office.Active) return null;
        return await FactsOfAsync(db, service, office, ct);
    }

    /// <summary>The schedules and calendar of a service, active or not (staff changing it read them too).</summary>
    public static async Task<ServiceFacts> FactsOfAsync(AppDbContext db, Service service, Office office, CancellationToken ct)
    {
        var serviceId = service.Id;
        var schedules = await db.Schedules.AsNoTracking().Where(s => s.ServiceId == serviceId)
            .Select(s => new ScheduleRange(s.Weekday, s.Starts, s.Ends, s.Desks)).ToListAsync(ct);
        var holidays = (await db.Holidays.AsNoTracking().Select(h => h.Day).ToListAsync(ct)).ToHashSet();
        var closures = await db.Closures.AsNoTracking().Where(c => c.OfficeId == office.Id).Select(c => new DayOff(c.FromDay, c.ToDay, int.MaxValue)).ToListAsync(ct);
        var absences = await db.Absences.AsNoTracking().Where(a => a.ServiceId == serviceId).Select(a => new DayOff(a.FromDay, a.ToDay, a.Desks)).ToListAsync(ct);
        return new ServiceFacts(service, office, schedules, new CapacityCalendar(holidays, closures, absences));
    }

    public static async Task<List<Occupied>> OccupiedAsync(AppDbContext db, int serviceId, DateTime from, DateTime to, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        return await db.Bookings.AsNoTracking()
            .Where(b => b.ServiceId == serviceId && b.StartsAt < to && b.EndsAt > from && (Occupying.Contains(b.State) || (b.State == "held" && b.HoldExpiresAt > now)))
            .Select(b => new Occupied(b.Desk, b.StartsAt, b.EndsAt)).ToListAsync(ct);
    }

    /// <summary>The free slots of a day (after the lead time, within the horizon) with their free desks.</summary>
    public static IEnumerable<(Slot Slot, int Free)> FreeSlots(ServiceFacts facts, DateOnly day, int visitMinutes, List<Occupied> occupied, AppointmentsOptions o, DateTime now)
    {
        var earliest = now.AddMinutes(o.MinLeadMinutes);
        if (day > Slots.LocalDay(now).AddDays(o.HorizonDays)) yield break;
        foreach (var slot in facts.SlotsOn(day, visitMinutes))
        {
            if (slot.Start < earliest) continue;
            var free = Slots.FreeDesks(slot, occupied).Count();
            if (free > 0) yield return (slot, free);
        }
    }

    /// <summary>The first free slot from today to the horizon, or null.</summary>
    public static async Task<Slot?> NextFreeAsync(AppDbContext db, ServiceFacts facts, AppointmentsOptions o, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var today = Slots.LocalDay(now);
        var occupied = await OccupiedAsync(db, facts.Service.Id, now, Slots.Utc(today.AddDays(o.HorizonDays + 1), TimeOnly.MinValue), ct);
        for (var d = 0; d <= o.HorizonDays; d++)
            foreach (var (slot, _) in FreeSlots(facts, today.AddDays(d), facts.Service.DurationMinutes, occupied, o, now))
                return slot;
        return null;
    }
}
