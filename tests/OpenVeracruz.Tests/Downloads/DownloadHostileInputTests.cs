namespace OpenVeracruz.Tests.Downloads;

/// <summary>The downloads against hostile input: refusals are problem details.</summary>
[Collection(nameof(HostileInput))]
public sealed class DownloadHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/downloads/{municipalities}.csv?geometry={wkt}&bom={true}",
    "/downloads/{municipalities}.geojson",
    "/downloads/{municipalities}.gpkg",
    "/downloads/{municipalities}.shp.zip",
    "/downloads/{municipalities}.kml");
