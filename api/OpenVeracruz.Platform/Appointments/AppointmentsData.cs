using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Appointments;

namespace OpenVeracruz.Platform.Data;

/// <summary>Cero Filas' part of the context: offices, services, capacity, bookings, turns.</summary>
public sealed partial class AppDbContext
{
    public DbSet<Office> Offices => Set<Office>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<Schedule> Schedules => Set<Schedule>();
    public DbSet<Absence> Absences => Set<Absence>();
    public DbSet<Closure> Closures => Set<Closure>();
    public DbSet<Holiday> Holidays => Set<Holiday>();
    public DbSet<Booking> Bookings => Set<Booking>();
    public DbSet<Turn> Turns => Set<Turn>();
    public DbSet<TurnCounter> TurnCounters => Set<TurnCounter>();
    public DbSet<Desk> Desks => Set<Desk>();
    public DbSet<StaffOffice> StaffOffices => Set<StaffOffice>();
    public DbSet<Survey> Surveys => Set<Survey>();
    public DbSet<OutboxMessage> AppointmentOutbox => Set<OutboxMessage>();
    public DbSet<DailyStat> AppointmentDailyStats => Set<DailyStat>();
    public DbSet<AdminChange> AppointmentAdminChanges => Set<AdminChange>();
}
