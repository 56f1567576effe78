namespace OpenVeracruz.Tests.Downloads;

/// <summary>The downloads against hostile input: refusals are problem details.</summary>
[Collection(PlatformCollection.Name)]
public sealed class DownloadHostileInputTests(PlatformFixture f) : HostileInputTests(f,
    "/downloads/{municipalities}.csv?geometry={wkt}&bom={true}",
    "/downloads/{municipalities}.geojson",
    "/downloads/{municipalities}.gpkg",
    "/downloads/{municipalities}.shp.zip",
    "/downloads/{municipalities}.kml");
