namespace OpenVeracruz.Tests.Wifi;

/// <summary>The WiFi spaces' public reads against hostile input: refusals are bilingual problem details, never a 5xx.</summary>
[Collection(nameof(HostileInput))]
public sealed class WifiHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/api/wifi/indicator?year={2025}");
