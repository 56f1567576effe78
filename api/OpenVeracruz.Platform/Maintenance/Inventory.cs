using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Maintenance;

public static class EquipmentType
{
    public static readonly string[] All = ["computer", "printer", "switch", "network_link", "phone_exchange", "phone_extension", "access_point", "other"];
}

public static class EquipmentStatus
{
    public static readonly string[] All = ["active", "in_repair", "retired"];
}

/// <summary>A municipal building (layer municipal_buildings: code, name, kind, address, location only; the notes are internal).</summary>
public sealed class Building
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public required string Address { get; set; }
    public required string Location { get; set; }
    public required Point Geom { get; set; }
    /// <summary>Staff-only: network links, closets, contacts of the area. Never in the layer.</summary>
    public string? InternalNotes { get; set; }
}

/// <summary>A piece of IT equipment in a building. Staff-only: no door publishes this table (serial numbers are internal).</summary>
public sealed class Equipment
{
    public long Id { get; set; }
    public required string InventoryNumber { get; set; }
    public required string Type { get; set; }
    public string? Brand { get; set; }
    public string? Model { get; set; }
    public string? Serial { get; set; }
    public DateOnly? AcquiredOn { get; set; }
    public required string ResponsibleArea { get; set; }
    public string Status { get; set; } = "active";
    public int BuildingId { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A preventive plan for one type of equipment: every N months, on a day of the month or on the Nth weekday ("the first
/// Monday"); its tickets are opened <see cref="LeadDays"/> ahead, one per piece of equipment and date.
/// </summary>
public sealed class PreventivePlan
{
    public int Id { get; set; }
    public required string EquipmentType { get; set; }
    public required string Title { get; set; }
    public DateOnly StartsOn { get; set; }
    public int EveryMonths { get; set; } = 1;
    public int? DayOfMonth { get; set; }
    /// <summary>1 … 4, or -1 for the last such weekday of the month.</summary>
    public int? Nth { get; set; }
    public DayOfWeek? Weekday { get; set; }
    public int LeadDays { get; set; } = 7;
    public bool Active { get; set; } = true;
    public required string CreatedBy { get; set; }
}

public sealed class InventoryConfig : IEntityTypeConfiguration<Building>, IEntityTypeConfiguration<Equipment>, IEntityTypeConfiguration<PreventivePlan>
{
    public void Configure(EntityTypeBuilder<Building> b)
    {
        b.ToTable("buildings", MaintenanceConfig.Schema);
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(x => x.Code).HasColumnName("code").HasMaxLength(20);
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Name).HasColumnName("name").HasMaxLength(200);
        b.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(40);
        b.Property(x => x.Address).HasColumnName("address").HasMaxLength(300);
        b.Property(x => x.Location).HasColumnName("location").HasMaxLength(20);
        b.Property(x => x.Geom).HasColumnName("geom").HasColumnType("geometry(Point,4326)");
        b.HasIndex(x => x.Geom).HasMethod("gist");
        b.Property(x => x.InternalNotes).HasColumnName("internal_notes");
    }

    public void Configure(EntityTypeBuilder<Equipment> b)
    {
        b.ToTable("equipment", MaintenanceConfig.Schema, t =>
        {
            t.HasCheckConstraint("ck_equipment_type", "type IN ('computer', 'printer', 'switch', 'network_link', 'phone_exchange', 'phone_extension', 'access_point', 'other')");
            t.HasCheckConstraint("ck_equipment_status", "status IN ('active', 'in_repair', 'retired')");
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(x => x.InventoryNumber).HasColumnName("inventory_number").HasMaxLength(40);
        b.HasIndex(x => x.InventoryNumber).IsUnique();
        b.Property(x => x.Type).HasColumnName("type").HasMaxLength(20);
        b.Property(x => x.Brand).HasColumnName("brand").HasMaxLength(80);
        b.Property(x => x.Model).HasColumnName("model").HasMaxLength(80);
        b.Property(x => x.Serial).HasColumnName("serial").HasMaxLength(80);
        b.Property(x => x.AcquiredOn).HasColumnName("acquired_on");
        b.Property(x => x.ResponsibleArea).HasColumnName("responsible_area").HasMaxLength(120);
        b.Property(x => x.Status).HasColumnName("status").HasMaxLength(12);
        b.Property(x => x.BuildingId).HasColumnName("building_id");
        b.HasIndex(x => new { x.BuildingId, x.Type });
        b.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        b.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<PreventivePlan> b)
    {
        b.ToTable("preventive_plans", MaintenanceConfig.Schema, t =>
        {
            t.HasCheckConstraint("ck_plans_rule", "every_months BETWEEN 1 AND 60 AND ((day_of_month BETWEEN 1 AND 31 AND nth IS NULL AND weekday IS NULL) OR (day_of_month IS NULL AND nth IN (-1, 1, 2, 3, 4) AND weekday BETWEEN 0 AND 6))");
            t.HasCheckConstraint("ck_plans_lead", "lead_days BETWEEN 0 AND 90");
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(x => x.EquipmentType).HasColumnName("equipment_type").HasMaxLength(20);
        b.Property(x => x.Title).HasColumnName("title").HasMaxLength(200);
        b.Property(x => x.StartsOn).HasColumnName("starts_on");
        b.Property(x => x.EveryMonths).HasColumnName("every_months");
        b.Property(x => x.DayOfMonth).HasColumnName("day_of_month");
        b.Property(x => x.Nth).HasColumnName("nth");
        b.Property(x => x.Weekday).HasColumnName("weekday").HasConversion<int?>();
        b.Property(x => x.LeadDays).HasColumnName("lead_days");
        b.Property(x => x.Active).HasColumnName("active");
        b.Property(x => x.CreatedBy).HasColumnName("created_by");
    }
}

/// <summary>The dates a plan falls on.</summary>
public static class Recurrence
{
    /// <summary>The plan's dates from <paramref name="from"/> to <paramref name="to"/> (both included).</summary>
    public static IEnumerable<DateOnly> Between(PreventivePlan p, DateOnly from, DateOnly to)
    {
        var start = new DateOnly(p.StartsOn.Year, p.StartsOn.Month, 1);
        for (var k = 0; k < 1200; k++)
        {
            var month = start.AddMonths(k * p.EveryMonths);
            if (month > to) yield break;
            var d = On(p, month.Year, month.Month);
            if (d >= from && d <= to && d >= p.StartsOn) yield return d;
        }
    }

    public static DateOnly On(PreventivePlan p, int year, int month)
    {
        var days = DateTime.DaysInMonth(year, month);
        if (p.DayOfMonth is { } dom) return new DateOnly(year, month, Math.Min(dom, days));
        var weekday = p.Weekday!.Value;
        if (p.Nth == -1)
        {
            var last = new DateOnly(year, month, days);
            return last.AddDays(-(((int)last.DayOfWeek - (int)weekday + 7) % 7));
        }
        var first = new DateOnly(year, month, 1);
        return first.AddDays(((int)weekday - (int)first.DayOfWeek + 7) % 7 + 7 * (p.Nth!.Value - 1));
    }
}
