namespace OpenVeracruz.Tests.Catalog;

/// <summary>The DCAT catalogue against hostile input: refusals are problem details.</summary>
[Collection(nameof(HostileInput))]
public sealed class DcatHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/catalog.{ttl}?page={1}&page_size={5}&modified_since={2026-01-01T00:00:00Z}",
    "/dataset/{predios-sinteticos}.{jsonld}",
    "/dataset/{predios-sinteticos}.schema.json");
