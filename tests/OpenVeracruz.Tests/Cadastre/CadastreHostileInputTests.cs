namespace OpenVeracruz.Tests.Cadastre;

/// <summary>The REST cadastre against hostile input: refusals are problem details.</summary>
[Collection(nameof(HostileInput))]
public sealed class CadastreHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/api/cadastre/parcels/{001-0001-001}?asOf={2026-01-01}",
    "/api/cadastre/parcels/{001-0001-001}/history",
    "/api/cadastre/parcels/at?lon={-96.134}&lat={19.2}&asOf={2026-06-01T00:00:00Z}",
    "/api/cadastre/parcels/near?lon={-96.134}&lat={19.2}&radius_m={100}&limit={5}",
    "/api/cadastre/stats?locality={301930001}",
    "/api/cadastre/valuation-zones/{VZ-01}/history",
    "/api/cadastre/construction-types/{COM}");
