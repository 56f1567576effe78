using Microsoft.AspNetCore.Routing;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>Every layer as a file: CSV and GeoJSON (streamed), GeoPackage, zipped Shapefile, KML.</summary>
public static class DownloadsFeature
{
    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app) =>
        app.MapDownloadEndpoints().MapGisDownloadEndpoints();
}
