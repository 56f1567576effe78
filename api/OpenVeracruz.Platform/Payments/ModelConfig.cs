using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenVeracruz.Platform.Payments;

public sealed class PaymentsConfig :
    IEntityTypeConfiguration<Concept>, IEntityTypeConfiguration<PredialParameterVersion>, IEntityTypeConfiguration<VulnerableDiscount>,
    IEntityTypeConfiguration<PaymentOrder>, IEntityTypeConfiguration<Payment>, IEntityTypeConfiguration<SettledYear>,
    IEntityTypeConfiguration<IdempotencyRecord>, IEntityTypeConfiguration<Kiosk>, IEntityTypeConfiguration<KioskKey>,
    IEntityTypeConfiguration<GatewayIntent>, IEntityTypeConfiguration<GatewayEvent>, IEntityTypeConfiguration<WebhookReceipt>,
    IEntityTypeConfiguration<BankFile>
{
    public const string Schema = "payments";

    public void Configure(EntityTypeBuilder<Concept> b)
    {
        b.ToTable("concepts", Schema, t => t.HasCheckConstraint("ck_concepts_rule",
            "(amount_rule = 'predial' AND fixed_amount IS NULL) OR (amount_rule = 'fixed' AND fixed_amount > 0)"));
        b.HasKey(c => c.Code);
        b.Property(c => c.Code).HasColumnName("code").HasMaxLength(30);
        b.Property(c => c.Number).HasColumnName("number");
        b.HasIndex(c => c.Number).IsUnique();
        b.Property(c => c.Name).HasColumnName("name");
        b.Property(c => c.LegalBasis).HasColumnName("legal_basis");
        b.Property(c => c.AmountRule).HasColumnName("amount_rule").HasMaxLength(10);
        b.Property(c => c.FixedAmount).HasColumnName("fixed_amount").HasPrecision(14, 2);
        b.Property(c => c.Active).HasColumnName("active");
    }

    public void Configure(EntityTypeBuilder<PredialParameterVersion> b)
    {
        b.ToTable("predial_parameters", Schema, t =>
        {
            t.HasCheckConstraint("ck_predial_parameters_rounding", "rounding IN ('peso', 'centavo')");
            t.HasCheckConstraint("ck_predial_parameters_ranges", "due_month BETWEEN 1 AND 12 AND vulnerable_discount_percent BETWEEN 0 AND 100 "
                + "AND surcharge_monthly_percent BETWEEN 0 AND 100 AND surcharge_per_year_percent BETWEEN 0 AND 100 AND max_surcharge_months >= 0 AND minimum_amount >= 0");
        });
        b.HasKey(p => p.Id);
        b.Property(p => p.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(p => p.Year).HasColumnName("year");
        b.Property(p => p.Version).HasColumnName("version");
        b.HasIndex(p => new { p.Year, p.Version }).IsUnique();
        b.HasIndex(p => p.Year).IsUnique().HasFilter("valid_to IS NULL").HasDatabaseName("ux_predial_parameters_current");
        b.Property(p => p.Rates).HasColumnName("rates").HasColumnType("jsonb");
        b.Property(p => p.EarlyDiscounts).HasColumnName("early_discounts").HasColumnType("jsonb");
        b.Property(p => p.VulnerableDiscountPercent).HasColumnName("vulnerable_discount_percent").HasPrecision(6, 3);
        b.Property(p => p.DueMonth).HasColumnName("due_month");
        b.Property(p => p.SurchargeMonthlyPercent).HasColumnName("surcharge_monthly_percent").HasPrecision(6, 3);
        b.Property(p => p.SurchargePerYearPercent).HasColumnName("surcharge_per_year_percent").HasPrecision(6, 3);
        b.Property(p => p.MaxSurchargeMonths).HasColumnName("max_surcharge_months");
        b.Property(p => p.MinimumAmount).HasColumnName("minimum_amount").HasPrecision(14, 2);
        b.Property(p => p.Rounding).HasColumnName("rounding").HasMaxLength(10);
        b.Property(p => p.LegalBasis).HasColumnName("legal_basis");
        b.Property(p => p.EffectiveFrom).HasColumnName("effective_from");
        b.Property(p => p.ValidFrom).HasColumnName("valid_from");
        b.Property(p => p.ValidTo).HasColumnName("valid_to");
        b.Property(p => p.ChangedBy).HasColumnName("changed_by");
        b.Property(p => p.Reason).HasColumnName("reason");
    }

    public void Configure(EntityTypeBuilder<VulnerableDiscount> b)
    {
        b.ToTable("vulnerable_discounts", Schema, t => t.HasCheckConstraint("ck_vulnerable_discounts_kind", "kind IN ('senior', 'retiree', 'disability')"));
        b.HasKey(d => d.Id);
        b.Property(d => d.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(d => d.Clave).HasColumnName("clave").HasMaxLength(12);
        b.Property(d => d.Year).HasColumnName("year");
        b.HasIndex(d => new { d.Clave, d.Year }).IsUnique();
        b.Property(d => d.Kind).HasColumnName("kind").HasMaxLength(12);
        b.Property(d => d.VerifiedBy).HasColumnName("verified_by");
        b.Property(d => d.VerifiedAt).HasColumnName("verified_at");
    }

    public void Configure(EntityTypeBuilder<PaymentOrder> b)
    {
        b.ToTable("orders", Schema, t =>
        {
            t.HasCheckConstraint("ck_orders_state", "state IN ('open', 'paid', 'superseded')");
            t.HasCheckConstraint("ck_orders_amount", "amount > 0");
        });
        b.HasKey(o => o.Id);
        // the order number comes from the sequence payments.order_numbers (created by the migration) before the insert: the reference carries it
        b.Property(o => o.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(o => o.Reference).HasColumnName("reference").HasMaxLength(20);
        b.HasIndex(o => o.Reference).IsUnique();
        b.Property(o => o.ConceptCode).HasColumnName("concept_code").HasMaxLength(30);
        b.Property(o => o.Clave).HasColumnName("clave").HasMaxLength(12);
        // one open order per parcel and concept: concurrent requests for one parcel get the same order
        b.HasIndex(o => new { o.Clave, o.ConceptCode }).IsUnique().HasFilter("state = 'open'").HasDatabaseName("ux_orders_one_open");
        b.Property(o => o.Years).HasColumnName("years");
        b.Property(o => o.Lines).HasColumnName("lines").HasColumnType("jsonb");
        b.Property(o => o.Amount).HasColumnName("amount").HasPrecision(14, 2);
        b.Property(o => o.CreatedAt).HasColumnName("created_at");
        b.Property(o => o.ExpiresAt).HasColumnName("expires_at");
        b.Property(o => o.State).HasColumnName("state").HasMaxLength(12);
        b.Property(o => o.PaidAt).HasColumnName("paid_at");
        b.HasOne<Concept>().WithMany().HasForeignKey(o => o.ConceptCode).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Payment> b)
    {
        b.ToTable("payments", Schema, t =>
        {
            t.HasCheckConstraint("ck_payments_status", "status IN ('applied', 'refund') AND (status = 'refund') = (refund_reason IS NOT NULL)");
            t.HasCheckConstraint("ck_payments_channel", "channel IN ('kiosk', 'online', 'bank')");
            t.HasCheckConstraint("ck_payments_amount", "amount > 0");
        });
        b.HasKey(p => p.Id);
        b.Property(p => p.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(p => p.OrderId).HasColumnName("order_id");
        // a reference is paid at most once: whatever else arrives for it is listed for refund
        b.HasIndex(p => p.OrderId).IsUnique().HasFilter("status = 'applied'").HasDatabaseName("ux_payments_one_applied_per_order");
        b.Property(p => p.Reference).HasColumnName("reference").HasMaxLength(20);
        b.Property(p => p.Channel).HasColumnName("channel").HasMaxLength(10);
        b.Property(p => p.Method).HasColumnName("method").HasMaxLength(12);
        b.Property(p => p.Amount).HasColumnName("amount").HasPrecision(14, 2);
        b.Property(p => p.ReceivedAt).HasColumnName("received_at");
        b.HasIndex(p => p.ReceivedAt);
        b.Property(p => p.RecordedAt).HasColumnName("recorded_at");
        b.Property(p => p.KioskId).HasColumnName("kiosk_id");
        b.Property(p => p.ExternalId).HasColumnName("external_id").HasMaxLength(80);
        b.HasIndex(p => new { p.Channel, p.ExternalId }).IsUnique().HasFilter("external_id IS NOT NULL");
        b.Property(p => p.Status).HasColumnName("status").HasMaxLength(10);
        b.Property(p => p.RefundReason).HasColumnName("refund_reason").HasMaxLength(30);
        b.HasOne<PaymentOrder>().WithMany().HasForeignKey(p => p.OrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Kiosk>().WithMany().HasForeignKey(p => p.KioskId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<SettledYear> b)
    {
        b.ToTable("settled_years", Schema, t => t.HasCheckConstraint("ck_settled_years_source", "source IN ('historic', 'payment') AND (source = 'payment') = (payment_id IS NOT NULL)"));
        b.HasKey(s => new { s.Clave, s.Year });
        b.Property(s => s.Clave).HasColumnName("clave").HasMaxLength(12);
        b.Property(s => s.Year).HasColumnName("year");
        b.Property(s => s.PaymentId).HasColumnName("payment_id");
        b.HasIndex(s => s.PaymentId);
        b.Property(s => s.Source).HasColumnName("source").HasMaxLength(10);
        b.Property(s => s.SettledAt).HasColumnName("settled_at");
        b.HasOne<Payment>().WithMany().HasForeignKey(s => s.PaymentId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("idempotency_keys", Schema);
        b.HasKey(r => new { r.Scope, r.Key });
        b.Property(r => r.Scope).HasColumnName("scope").HasMaxLength(40);
        b.Property(r => r.Key).HasColumnName("key").HasMaxLength(255);
        b.Property(r => r.RequestHash).HasColumnName("request_hash").HasMaxLength(64);
        b.Property(r => r.Status).HasColumnName("status");
        b.Property(r => r.Response).HasColumnName("response");
        b.Property(r => r.CreatedAt).HasColumnName("created_at");
    }

    public void Configure(EntityTypeBuilder<Kiosk> b)
    {
        b.ToTable("kiosks", Schema, t => t.HasCheckConstraint("ck_kiosks_status", "status IN ('operating', 'out_of_service', 'no_paper', 'no_cash')"));
        b.HasKey(k => k.Id);
        b.Property(k => k.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(k => k.Code).HasColumnName("code").HasMaxLength(20);
        b.HasIndex(k => k.Code).IsUnique();
        b.Property(k => k.Name).HasColumnName("name");
        b.Property(k => k.Address).HasColumnName("address");
        b.Property(k => k.LocalityCvegeo).HasColumnName("locality_cvegeo").HasMaxLength(9);
        b.Property(k => k.Status).HasColumnName("status").HasMaxLength(16);
        b.Property(k => k.StatusSince).HasColumnName("status_since");
        b.Property(k => k.Methods).HasColumnName("methods");
        b.Property(k => k.Hours).HasColumnName("hours");
        b.Property(k => k.Location).HasColumnName("location");
        b.Property(k => k.Geom).HasColumnName("geom").HasColumnType("geometry(Point,4326)");
        b.HasIndex(k => k.Geom).HasMethod("gist");
        b.Property(k => k.LastHeartbeatAt).HasColumnName("last_heartbeat_at");
    }

    public void Configure(EntityTypeBuilder<KioskKey> b)
    {
        b.ToTable("kiosk_keys", Schema);
        Shared.DeviceKeys.MapKeyColumns(b);
        b.Property(k => k.KioskId).HasColumnName("kiosk_id");
        b.HasOne<Kiosk>().WithMany().HasForeignKey(k => k.KioskId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<GatewayIntent> b)
    {
        b.ToTable("gateway_intents", Schema, t => t.HasCheckConstraint("ck_gateway_intents_status", "status IN ('requires_confirmation', 'succeeded', 'declined')"));
        b.HasKey(i => i.Id);
        b.Property(i => i.Id).HasColumnName("id").HasMaxLength(40);
        b.Property(i => i.Reference).HasColumnName("reference").HasMaxLength(20);
        b.Property(i => i.Amount).HasColumnName("amount").HasPrecision(14, 2);
        b.Property(i => i.Status).HasColumnName("status").HasMaxLength(24);
        b.Property(i => i.CreatedAt).HasColumnName("created_at");
        b.Property(i => i.ConfirmedAt).HasColumnName("confirmed_at");
    }

    public void Configure(EntityTypeBuilder<GatewayEvent> b)
    {
        b.ToTable("gateway_events", Schema);
        b.HasKey(e => e.Id);
        b.Property(e => e.Id).HasColumnName("id").HasMaxLength(40);
        b.Property(e => e.IntentId).HasColumnName("intent_id").HasMaxLength(40);
        b.HasIndex(e => e.IntentId);
        b.Property(e => e.Type).HasColumnName("type").HasMaxLength(40);
        b.Property(e => e.Payload).HasColumnName("payload");
        b.Property(e => e.CreatedAt).HasColumnName("created_at");
        b.Property(e => e.DeliveredAt).HasColumnName("delivered_at");
        b.Property(e => e.Attempts).HasColumnName("attempts");
        b.HasOne<GatewayIntent>().WithMany().HasForeignKey(e => e.IntentId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<WebhookReceipt> b)
    {
        b.ToTable("webhook_receipts", Schema);
        b.HasKey(r => r.EventId);
        b.Property(r => r.EventId).HasColumnName("event_id").HasMaxLength(40);
        b.Property(r => r.ReceivedAt).HasColumnName("received_at");
        b.Property(r => r.PaymentId).HasColumnName("payment_id");
    }

    public void Configure(EntityTypeBuilder<BankFile> b)
    {
        b.ToTable("bank_files", Schema);
        b.HasKey(f => f.Id);
        b.Property(f => f.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(f => f.Sha256).HasColumnName("sha256").HasMaxLength(64);
        b.HasIndex(f => f.Sha256);
        b.Property(f => f.Name).HasColumnName("name");
        b.Property(f => f.ImportedAt).HasColumnName("imported_at");
        b.Property(f => f.ImportedBy).HasColumnName("imported_by");
        b.Property(f => f.Lines).HasColumnName("lines");
        b.Property(f => f.Imported).HasColumnName("imported");
        b.Property(f => f.Rejected).HasColumnName("rejected");
        b.Property(f => f.Report).HasColumnName("report").HasColumnType("jsonb");
    }
}
