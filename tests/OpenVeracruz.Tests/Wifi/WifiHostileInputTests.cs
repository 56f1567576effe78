namespace OpenVeracruz.Tests.Wifi;

/// <summary>The WiFi spaces' public reads against hostile input: refusals are bilingual problem details, never a 5xx.</summary>
[Collection(nameof(HostileInput))]
public sealed class WifiHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/api/wifi/indicator?year={2025}", "/api/wifi/nearest?lon={-96.137}&lat={19.199}&limit={3}", "/api/wifi/nearest?clave={001-0001-001}",
    "/api/maintenance/indicator?year={2026}");
