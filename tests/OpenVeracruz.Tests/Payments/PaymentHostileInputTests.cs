namespace OpenVeracruz.Tests.Payments;

/// <summary>Multipagos' public reads against hostile input: refusals are bilingual problem details, never a 5xx.</summary>
[Collection(nameof(HostileInput))]
public sealed class PaymentHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/api/payments/predial/{001-0001-001}",
    "/api/payments/orders/{01000000004226121035}",
    "/api/payments/orders/{01000000004226121035}/qr.png",
    "/api/payments/predial/parameters?year={2026}",
    "/api/payments/predial/parameters/{2026}/history",
    "/api/payments/indicator?year={2026}",
    "/api/payments/receipts/{RO-2026-00000001}?code={0a1b2c3d4e5f}",
    "/api/payments/receipts/{RO-2026-00000001}/verify?code={0a1b2c3d4e5f}",
    "/api/payments/receipts/{RO-2026-00000001}/print?code={0a1b2c3d4e5f}",
    "/api/payments/receipts/{RO-2026-00000001}/pdf?code={0a1b2c3d4e5f}",

    // the kiosk's page names its kiosk: the same file for any code, a 404 problem for what is not one
    "/kiosko/pagos/{KIO-01}");
