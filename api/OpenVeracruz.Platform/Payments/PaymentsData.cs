using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Payments;

namespace OpenVeracruz.Platform.Data;

/// <summary>The payments' part of the context (schema payments).</summary>
public sealed partial class AppDbContext
{
    public DbSet<Concept> PaymentConcepts => Set<Concept>();
    public DbSet<PredialParameterVersion> PredialParameters => Set<PredialParameterVersion>();
    public DbSet<VulnerableDiscount> VulnerableDiscounts => Set<VulnerableDiscount>();
    public DbSet<PaymentOrder> PaymentOrders => Set<PaymentOrder>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<SettledYear> SettledYears => Set<SettledYear>();
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();
    public DbSet<Kiosk> Kiosks => Set<Kiosk>();
    public DbSet<KioskKey> KioskKeys => Set<KioskKey>();
    public DbSet<GatewayIntent> GatewayIntents => Set<GatewayIntent>();
    public DbSet<GatewayEvent> GatewayEvents => Set<GatewayEvent>();
    public DbSet<WebhookReceipt> WebhookReceipts => Set<WebhookReceipt>();
    public DbSet<BankFile> BankFiles => Set<BankFile>();
    public DbSet<Receipt> Receipts => Set<Receipt>();
    public DbSet<ReconciliationItem> ReconciliationItems => Set<ReconciliationItem>();
    public DbSet<ReconciliationDay> ReconciliationDays => Set<ReconciliationDay>();
}
