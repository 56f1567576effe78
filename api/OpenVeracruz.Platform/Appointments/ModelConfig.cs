using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenVeracruz.Platform.Auth;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>The "appointments" schema. Columns are the properties in snake_case; the rules that protect capacity and numbering are constraints (see the migration for the exclusion constraint).</summary>
public sealed class ModelConfig :
    IEntityTypeConfiguration<Office>, IEntityTypeConfiguration<Service>, IEntityTypeConfiguration<Schedule>, IEntityTypeConfiguration<Absence>,
    IEntityTypeConfiguration<Closure>, IEntityTypeConfiguration<Holiday>, IEntityTypeConfiguration<Booking>, IEntityTypeConfiguration<Turn>,
    IEntityTypeConfiguration<TurnCounter>, IEntityTypeConfiguration<Desk>, IEntityTypeConfiguration<StaffOffice>, IEntityTypeConfiguration<Survey>,
    IEntityTypeConfiguration<OutboxMessage>, IEntityTypeConfiguration<DailyStat>, IEntityTypeConfiguration<AdminChange>
{
    public const string Schema = "appointments";

    private static void Table<T>(EntityTypeBuilder<T> b, string name) where T : class
    {
        b.ToTable(name, Schema);
        foreach (var p in b.Metadata.GetDeclaredProperties()) p.SetColumnName(Snake(p.Name));
    }

    internal static string Snake(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    public void Configure(EntityTypeBuilder<Office> b)
    {
        b.Property(o => o.Geom).HasColumnType("geometry(Point,4326)");
        b.HasIndex(o => o.Code).IsUnique();
        Table(b, "offices");
    }

    public void Configure(EntityTypeBuilder<Service> b)
    {
        b.Property(s => s.Cost).HasPrecision(10, 2);
        b.HasIndex(s => new { s.OfficeId, s.Procedure }).IsUnique();
        b.HasIndex(s => new { s.OfficeId, s.Prefix }).IsUnique();
        b.HasOne<Office>().WithMany().HasForeignKey(s => s.OfficeId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t => t.HasCheckConstraint("ck_services_duration", "duration_minutes BETWEEN 5 AND 480"));
        Table(b, "services");
    }

    public void Configure(EntityTypeBuilder<Schedule> b)
    {
        b.HasOne<Service>().WithMany().HasForeignKey(s => s.ServiceId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => new { s.ServiceId, s.Weekday });
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_schedules_weekday", "weekday BETWEEN 0 AND 6");
            t.HasCheckConstraint("ck_schedules_range", "starts < ends");
            t.HasCheckConstraint("ck_schedules_desks", "desks BETWEEN 1 AND 100");
        });
        Table(b, "schedules");
    }

    public void Configure(EntityTypeBuilder<Absence> b)
    {
        b.HasOne<Service>().WithMany().HasForeignKey(a => a.ServiceId).OnDelete(DeleteBehavior.Cascade);
        Table(b, "absences");
    }

    public void Configure(EntityTypeBuilder<Closure> b)
    {
        b.HasOne<Office>().WithMany().HasForeignKey(c => c.OfficeId).OnDelete(DeleteBehavior.Cascade);
        Table(b, "closures");
    }

    public void Configure(EntityTypeBuilder<Holiday> b)
    {
        b.HasKey(h => h.Day);
        Table(b, "holidays");
    }

    public void Configure(EntityTypeBuilder<Booking> b)
    {
        b.HasIndex(x => x.Folio).IsUnique();
        b.HasIndex(x => x.HoldKey).IsUnique();
        // one active appointment per person and procedure, whatever the office (the old system had no key at all)
        b.HasIndex(x => new { x.Curp, x.Procedure }).IsUnique().HasFilter("state IN ('booked', 'checked_in')").HasDatabaseName("ux_bookings_active_per_curp");
        b.HasIndex(x => new { x.ServiceId, x.StartsAt });
        b.HasIndex(x => new { x.StartsAt, x.State });
        b.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Office>().WithMany().HasForeignKey(x => x.OfficeId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t => t.HasCheckConstraint("ck_bookings_state", "state IN ('held','booked','checked_in','attended','cancelled','no_show')"));
        Table(b, "bookings");
    }

    public void Configure(EntityTypeBuilder<Turn> b)
    {
        b.HasIndex(t => new { t.OfficeId, t.Day, t.Code }).IsUnique();
        b.HasIndex(t => t.BookingId).IsUnique();
        b.HasIndex(t => t.SurveyKey).IsUnique();
        b.HasIndex(t => new { t.OfficeId, t.Day, t.State });
        b.HasOne<Service>().WithMany().HasForeignKey(t => t.ServiceId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Office>().WithMany().HasForeignKey(t => t.OfficeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Booking>().WithMany().HasForeignKey(t => t.BookingId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t => t.HasCheckConstraint("ck_turns_state", "state IN ('waiting','called','serving','parked','missed','done','no_show')"));
        Table(b, "turns");
    }

    public void Configure(EntityTypeBuilder<TurnCounter> b)
    {
        b.HasKey(c => new { c.OfficeId, c.Prefix, c.Day });
        Table(b, "turn_counters");
    }

    public void Configure(EntityTypeBuilder<Desk> b)
    {
        b.HasKey(d => d.UserId);
        b.HasOne<StaffUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Office>().WithMany().HasForeignKey(d => d.OfficeId).OnDelete(DeleteBehavior.Cascade);
        Table(b, "desks");
    }

    public void Configure(EntityTypeBuilder<StaffOffice> b)
    {
        b.HasKey(s => new { s.UserId, s.OfficeId });
        b.HasOne<StaffUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Office>().WithMany().HasForeignKey(s => s.OfficeId).OnDelete(DeleteBehavior.Cascade);
        Table(b, "staff_offices");
    }

    public void Configure(EntityTypeBuilder<Survey> b)
    {
        b.HasKey(s => s.TurnId);
        b.HasOne<Turn>().WithMany().HasForeignKey(s => s.TurnId).OnDelete(DeleteBehavior.Cascade);
        b.ToTable(t => t.HasCheckConstraint("ck_surveys_score", "score BETWEEN 1 AND 5"));
        Table(b, "surveys");
    }

    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.Property(m => m.Id).UseIdentityAlwaysColumn();
        b.HasIndex(m => m.SentAt);
        Table(b, "outbox");
    }

    public void Configure(EntityTypeBuilder<DailyStat> b)
    {
        b.Property(s => s.Geom).HasColumnType("geometry(Point,4326)");
        b.HasIndex(s => s.Geom).HasMethod("gist");
        b.HasIndex(s => s.Day);
        b.Property(s => s.Origin).HasDefaultValue("registrado");
        b.ToTable(t => t.HasCheckConstraint("ck_daily_stats_origin", "origin IN ('registrado','ilustrativo')"));
        Table(b, "daily_stats");
    }

    public void Configure(EntityTypeBuilder<AdminChange> b)
    {
        b.Property(c => c.Id).UseIdentityAlwaysColumn();
        b.Property(c => c.Before).HasColumnType("jsonb");
        b.Property(c => c.After).HasColumnType("jsonb");
        b.HasIndex(c => new { c.Entity, c.EntityKey, c.At });
        Table(b, "admin_changes");
    }
}
