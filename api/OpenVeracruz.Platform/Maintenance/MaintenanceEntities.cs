using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Maintenance;

public static class TicketKind
{
    public const string Corrective = "corrective", Preventive = "preventive";
    public static readonly string[] All = [Corrective, Preventive];
}

/// <summary>Who or what opened a ticket.</summary>
public static class TicketSource
{
    public const string Staff = "staff", WifiHealth = "wifi-health", Kiosk = "kiosk", Plan = "plan";
}

/// <summary>A maintenance ticket (staff-only: no door publishes this table).</summary>
public sealed class Ticket
{
    public long Id { get; set; }
    public required string Kind { get; set; }
    public required string Source { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public int Urgency { get; set; }
    public int Impact { get; set; }
    public int Priority { get; set; }
    public string State { get; set; } = TicketState.Reported;
    /// <summary>What the ticket is about, when it is a thing the platform knows: "wifi:WIFI-03". One open corrective ticket per subject.</summary>
    public string? Subject { get; set; }
    public Point? Location { get; set; }
    public string? ReportedById { get; set; }
    public required string ReportedByName { get; set; }
    public string? AssigneeId { get; set; }
    public string? AssigneeName { get; set; }
    public DateTime ReportedAt { get; set; }
    public DateTime? AssignedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    /// <summary>SLA deadlines, computed in business hours when the ticket is opened (or reopened).</summary>
    public DateTime AssignDueAt { get; set; }
    public DateTime ResolveDueAt { get; set; }
    /// <summary>The equipment concerned, when known; a preventive plan's tickets always name one.</summary>
    public long? EquipmentId { get; set; }
    public int? PlanId { get; set; }
    /// <summary>A preventive ticket's date in its plan: (plan, equipment, date) is unique, so the job may run twice.</summary>
    public DateOnly? DueOn { get; set; }
    public uint Version { get; set; }
}

/// <summary>What happened to a ticket: a transition (from → to), a comment, or a note of the platform. Append-only.</summary>
public sealed class TicketEvent
{
    public long Id { get; set; }
    public long TicketId { get; set; }
    public DateTime At { get; set; }
    public required string Kind { get; set; }
    public string? ActorId { get; set; }
    public required string ActorName { get; set; }
    public string? FromState { get; set; }
    public string? ToState { get; set; }
    public string? Text { get; set; }
}

/// <summary>A file attached to a ticket (an image or a PDF, checked by its content); the file is on disk, its facts here.</summary>
public sealed class TicketAttachment
{
    public long Id { get; set; }
    public long TicketId { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Bytes { get; set; }
    public required string StoredPath { get; set; }
    public DateTime At { get; set; }
    public required string ById { get; set; }
}

public sealed class MaintenanceConfig : IEntityTypeConfiguration<Ticket>, IEntityTypeConfiguration<TicketEvent>, IEntityTypeConfiguration<TicketAttachment>
{
    public const string Schema = "maintenance";
    public const string OneOpenTicketPerSubject = "ux_tickets_open_subject";

    public void Configure(EntityTypeBuilder<Ticket> b)
    {
        b.ToTable("tickets", Schema, t =>
        {
            t.HasCheckConstraint("ck_tickets_kind", "kind IN ('corrective', 'preventive')");
            t.HasCheckConstraint("ck_tickets_state", "state IN ('reported', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened')");
            t.HasCheckConstraint("ck_tickets_scale", "urgency BETWEEN 1 AND 5 AND impact BETWEEN 1 AND 5 AND priority BETWEEN 1 AND 5");
            t.HasCheckConstraint("ck_tickets_assigned", "state = 'reported' OR assignee_id IS NOT NULL");
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(12);
        b.Property(x => x.Source).HasColumnName("source").HasMaxLength(16);
        b.Property(x => x.Title).HasColumnName("title").HasMaxLength(200);
        b.Property(x => x.Description).HasColumnName("description").HasMaxLength(4000);
        b.Property(x => x.Urgency).HasColumnName("urgency");
        b.Property(x => x.Impact).HasColumnName("impact");
        b.Property(x => x.Priority).HasColumnName("priority");
        b.Property(x => x.State).HasColumnName("state").HasMaxLength(12);
        b.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(100);
        // the job and a person reporting the same failing thing at once: the database keeps one open corrective ticket
        b.HasIndex(x => x.Subject).IsUnique().HasDatabaseName(OneOpenTicketPerSubject)
            .HasFilter("subject IS NOT NULL AND kind = 'corrective' AND state IN ('reported', 'assigned', 'in_progress', 'reopened')");
        b.Property(x => x.Location).HasColumnName("location").HasColumnType("geometry(Point,4326)");
        b.Property(x => x.ReportedById).HasColumnName("reported_by_id");
        b.Property(x => x.ReportedByName).HasColumnName("reported_by_name").HasMaxLength(200);
        b.Property(x => x.AssigneeId).HasColumnName("assignee_id");
        b.Property(x => x.AssigneeName).HasColumnName("assignee_name").HasMaxLength(200);
        b.HasIndex(x => new { x.AssigneeId, x.State });
        b.HasIndex(x => x.State);
        b.Property(x => x.ReportedAt).HasColumnName("reported_at");
        b.Property(x => x.AssignedAt).HasColumnName("assigned_at");
        b.Property(x => x.ResolvedAt).HasColumnName("resolved_at");
        b.Property(x => x.ClosedAt).HasColumnName("closed_at");
        b.Property(x => x.AssignDueAt).HasColumnName("assign_due_at");
        b.Property(x => x.ResolveDueAt).HasColumnName("resolve_due_at");
        b.Property(x => x.EquipmentId).HasColumnName("equipment_id");
        b.Property(x => x.PlanId).HasColumnName("plan_id");
        b.Property(x => x.DueOn).HasColumnName("due_on");
        b.HasIndex(x => new { x.PlanId, x.EquipmentId, x.DueOn }).IsUnique().HasDatabaseName("ux_tickets_plan_equipment_day").HasFilter("plan_id IS NOT NULL");
        b.HasOne<Equipment>().WithMany().HasForeignKey(x => x.EquipmentId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<PreventivePlan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.SetNull);
        b.Property(x => x.Version).IsRowVersion();
    }

    public void Configure(EntityTypeBuilder<TicketEvent> b)
    {
        b.ToTable("ticket_events", Schema, t => t.HasCheckConstraint("ck_ticket_events_kind", "kind IN ('transition', 'comment', 'note')"));
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(x => x.TicketId).HasColumnName("ticket_id");
        b.HasIndex(x => x.TicketId);
        b.Property(x => x.At).HasColumnName("at");
        b.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(12);
        b.Property(x => x.ActorId).HasColumnName("actor_id");
        b.Property(x => x.ActorName).HasColumnName("actor_name").HasMaxLength(200);
        b.Property(x => x.FromState).HasColumnName("from_state").HasMaxLength(12);
        b.Property(x => x.ToState).HasColumnName("to_state").HasMaxLength(12);
        b.Property(x => x.Text).HasColumnName("text").HasMaxLength(4000);
        b.HasOne<Ticket>().WithMany().HasForeignKey(x => x.TicketId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<TicketAttachment> b)
    {
        b.ToTable("ticket_attachments", Schema);
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(x => x.TicketId).HasColumnName("ticket_id");
        b.HasIndex(x => x.TicketId);
        b.Property(x => x.FileName).HasColumnName("file_name").HasMaxLength(200);
        b.Property(x => x.ContentType).HasColumnName("content_type").HasMaxLength(40);
        b.Property(x => x.Bytes).HasColumnName("bytes");
        b.Property(x => x.StoredPath).HasColumnName("stored_path");
        b.Property(x => x.At).HasColumnName("at");
        b.Property(x => x.ById).HasColumnName("by_id");
        b.HasOne<Ticket>().WithMany().HasForeignKey(x => x.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
