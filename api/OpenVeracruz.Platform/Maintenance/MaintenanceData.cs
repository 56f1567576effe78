using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Maintenance;

namespace OpenVeracruz.Platform.Data;

/// <summary>The IT maintenance part of the context.</summary>
public sealed partial class AppDbContext
{
    public DbSet<Ticket> MaintenanceTickets => Set<Ticket>();
    public DbSet<TicketEvent> MaintenanceTicketEvents => Set<TicketEvent>();
    public DbSet<TicketAttachment> MaintenanceAttachments => Set<TicketAttachment>();
}
