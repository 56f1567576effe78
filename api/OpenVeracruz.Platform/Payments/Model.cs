using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Payments;

/// <summary>A municipal concept that can be paid: predial (computed) or a fee of a fixed amount. Its number is the reference's first two digits.</summary>
public sealed class Concept
{
    public required string Code { get; set; }
    public int Number { get; set; }
    public required string Name { get; set; }
    public required string LegalBasis { get; set; }
    /// <summary>predial (the calculator) or fixed (<see cref="FixedAmount"/>).</summary>
    public required string AmountRule { get; set; }
    public decimal? FixedAmount { get; set; }
    public bool Active { get; set; } = true;
}

/// <summary>
/// One version of a fiscal year's predial parameters. Append-only: a change closes the current version (valid_to) and
/// adds the next, with who, why and the legal basis, like the cadastre's tariff versions.
/// </summary>
public sealed class PredialParameterVersion
{
    public long Id { get; set; }
    public int Year { get; set; }
    public int Version { get; set; }
    /// <summary>JSON object: land use → rate per thousand.</summary>
    public required string Rates { get; set; }
    /// <summary>JSON object: month number → early-payment discount percent.</summary>
    public required string EarlyDiscounts { get; set; }
    public decimal VulnerableDiscountPercent { get; set; }
    public int DueMonth { get; set; }
    public decimal SurchargeMonthlyPercent { get; set; }
    public decimal SurchargePerYearPercent { get; set; }
    public int MaxSurchargeMonths { get; set; }
    public decimal MinimumAmount { get; set; }
    public required string Rounding { get; set; }
    public required string LegalBasis { get; set; }
    public DateOnly EffectiveFrom { get; set; }
    public DateTime ValidFrom { get; set; }
    public DateTime? ValidTo { get; set; }
    public required string ChangedBy { get; set; }
    public required string Reason { get; set; }
}

/// <summary>A senior, retiree or disability discount on a home for one fiscal year, recorded by the staff member who verified the documents.</summary>
public sealed class VulnerableDiscount
{
    public long Id { get; set; }
    public required string Clave { get; set; }
    public int Year { get; set; }
    /// <summary>senior, retiree or disability (no document or name of the person is kept here).</summary>
    public required string Kind { get; set; }
    public required string VerifiedBy { get; set; }
    public DateTime VerifiedAt { get; set; }
}

public static class OrderState
{
    public const string Open = "open", Paid = "paid", Superseded = "superseded";
}

/// <summary>An order of payment (orden de pago) with its reference; the lines and the amount are fixed when it is issued.</summary>
public sealed class PaymentOrder
{
    public long Id { get; set; }
    public required string Reference { get; set; }
    public required string ConceptCode { get; set; }
    public required string Clave { get; set; }
    public int[] Years { get; set; } = [];
    /// <summary>JSON array of <see cref="PredialLine"/> as issued.</summary>
    public required string Lines { get; set; }
    public decimal Amount { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The end of the reference's last day (23:59:59.999 in Veracruz), UTC.</summary>
    public DateTime ExpiresAt { get; set; }
    public required string State { get; set; }
    public DateTime? PaidAt { get; set; }
}

public static class PaymentStatus
{
    /// <summary>Applied to its order (at most one per order: a unique index).</summary>
    public const string Applied = "applied";
    /// <summary>Money received that pays nothing: listed for refund with <see cref="Payment.RefundReason"/>.</summary>
    public const string Refund = "refund";
}

public static class Channels
{
    public const string Kiosk = "kiosk", Online = "online", Bank = "bank";
    public static readonly string[] All = [Kiosk, Online, Bank];
}

/// <summary>Money received on one channel for one reference.</summary>
public sealed class Payment
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public required string Reference { get; set; }
    public required string Channel { get; set; }
    public required string Method { get; set; }
    public decimal Amount { get; set; }
    /// <summary>When the channel received the money.</summary>
    public DateTime ReceivedAt { get; set; }
    public DateTime RecordedAt { get; set; }
    public int? KioskId { get; set; }
    /// <summary>The channel's own id (gateway intent, bank operation folio); unique per channel.</summary>
    public string? ExternalId { get; set; }
    public required string Status { get; set; }
    /// <summary>reference_already_paid, debt_already_paid, amount_differs, expired.</summary>
    public string? RefundReason { get; set; }
}

/// <summary>A fiscal year of a parcel that is paid: by a payment here, or before this system (historic).</summary>
public sealed class SettledYear
{
    public required string Clave { get; set; }
    public int Year { get; set; }
    public long? PaymentId { get; set; }
    public required string Source { get; set; }
    public DateTime SettledAt { get; set; }
}

/// <summary>The first answer to a payment request with an Idempotency-Key, replayed for every retry with the same key.</summary>
public sealed class IdempotencyRecord
{
    public required string Scope { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public int Status { get; set; }
    public string? Response { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class KioskStatus
{
    public const string Operating = "operating", OutOfService = "out_of_service", NoPaper = "no_paper", NoCash = "no_cash";
    public static readonly string[] All = [Operating, OutOfService, NoPaper, NoCash];
}

/// <summary>A payment module (layer payment_kiosks). The heartbeat column is internal: the layer does not list it.</summary>
public sealed class Kiosk
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Address { get; set; }
    public required string LocalityCvegeo { get; set; }
    public string Status { get; set; } = KioskStatus.Operating;
    public DateTime StatusSince { get; set; }
    /// <summary>Accepted methods, e.g. "efectivo, tarjeta".</summary>
    public required string Methods { get; set; }
    public required string Hours { get; set; }
    public required string Location { get; set; }
    public required Point Geom { get; set; }
    public DateTime? LastHeartbeatAt { get; set; }
}

/// <summary>A kiosk's key. Only the SHA-256 of the key is stored; the key is shown once.</summary>
public sealed class KioskKey : Shared.DeviceKey
{
    public int KioskId { get; set; }

    public const string Scheme = "ovk_";
    public static string NewSecret() => Shared.DeviceKeys.NewSecret(Scheme);
    public static string HashOf(string secret) => Auth.ApiToken.HashOf(secret);
}

/// <summary>The simulated card gateway's side: a payment intent for a reference's amount.</summary>
public sealed class GatewayIntent
{
    public required string Id { get; set; }
    public required string Reference { get; set; }
    public decimal Amount { get; set; }
    /// <summary>requires_confirmation, succeeded, declined.</summary>
    public required string Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ConfirmedAt { get; set; }
}

/// <summary>The simulated gateway's outgoing events (its outbox), signed when delivered.</summary>
public sealed class GatewayEvent
{
    public required string Id { get; set; }
    public required string IntentId { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public int Attempts { get; set; }
}

/// <summary>A webhook event this platform has processed: a second delivery of the same event changes nothing.</summary>
public sealed class WebhookReceipt
{
    public required string EventId { get; set; }
    public DateTime ReceivedAt { get; set; }
    public long? PaymentId { get; set; }
}

/// <summary>One bank file imported, by its SHA-256, with its per-line report.</summary>
public sealed class BankFile
{
    public long Id { get; set; }
    public required string Sha256 { get; set; }
    public required string Name { get; set; }
    public DateTime ImportedAt { get; set; }
    public required string ImportedBy { get; set; }
    public int Lines { get; set; }
    public int Imported { get; set; }
    public int Rejected { get; set; }
    /// <summary>JSON array of the per-line results.</summary>
    public required string Report { get; set; }
}
