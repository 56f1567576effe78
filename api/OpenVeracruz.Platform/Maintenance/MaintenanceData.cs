using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Maintenance;

namespace OpenVeracruz.Platform.Data;

/// <summary>The IT maintenance part of the context.</summary>
public sealed partial class AppDbContext
{
    public DbSet<Ticket> MaintenanceTickets => Set<Ticket>();
    public DbSet<TicketEvent> MaintenanceTicketEvents => Set<TicketEvent>();
    public DbSet<TicketAttachment> MaintenanceAttachments => Set<TicketAttachment>();
    public DbSet<Building> MaintenanceBuildings => Set<Building>();
    public DbSet<Equipment> MaintenanceEquipment => Set<Equipment>();
    public DbSet<PreventivePlan> MaintenancePlans => Set<PreventivePlan>();
}
