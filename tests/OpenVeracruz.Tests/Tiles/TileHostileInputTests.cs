namespace OpenVeracruz.Tests.Tiles;

/// <summary>The vector tiles door against hostile input: refusals are problems with the OGC exception code, never a 5xx.</summary>
[Collection(nameof(HostileInput))]
public sealed class TileHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/ogc/collections/{parcels}/tiles/{WebMercatorQuad}/{14}/{7302}/{3816}?f={mvt}",
    "/ogc/collections/{municipalities}/tiles/WebMercatorQuad/{3}/{3}/{1}",
    "/ogc/collections/{parcels}/tiles/{WebMercatorQuad}?f={tilejson}",
    "/ogc/collections/{parcels}/tiles/{WebMercatorQuad}/tilejson.json",
    "/ogc/collections/{parcels}/tiles",
    "/ogc/tileMatrixSets/{WebMercatorQuad}")
{
    protected override void AssertErrorFormat(HttpResponseMessage response, string body) =>
        Assert.False(string.IsNullOrEmpty(AssertProblem(response, body).GetProperty("code").GetString()), "OGC exception code");
}
