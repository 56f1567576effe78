using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Layers;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>Whole-layer downloads in the desktop GIS formats: GeoPackage, zipped Shapefile and KML, for every registry layer.</summary>
public static class GisDownloadEndpoints
{
    public static IEndpointRouteBuilder MapGisDownloadEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/downloads").WithTags("Descargas / Downloads");
        g.MapGet("/{layer}.gpkg", GeoPackage).WithName("DownloadGeoPackage")
            .WithSummary("Capa completa en GeoPackage (EPSG:4326, con índice espacial) para QGIS o ArcGIS / Whole layer as an OGC GeoPackage")
            .Produces(200, contentType: GeoPackageDownload.ContentType);
        g.MapGet("/{layer}.shp.zip", Shapefile).WithName("DownloadShapefile")
            .WithSummary("Capa completa como Shapefile de ESRI comprimido (WGS 84, texto UTF-8, nombres de campo de hasta 10 caracteres) / Whole layer as a zipped ESRI Shapefile")
            .Produces(200, contentType: ShapefileDownload.ContentType);
        g.MapGet("/{layer}.kml", Kml).WithName("DownloadKml")
            .WithSummary("Capa completa en KML 2.2 para Google Earth / Whole layer as KML 2.2")
            .Produces(200, contentType: KmlDownload.ContentType);
        return app;
    }

    private static void Attachment(HttpResponse response, LayerDefinition layer, string extension, string contentType)
    {
        response.ContentType = contentType;
        response.Headers.ContentDisposition = $"attachment; filename=\"{layer.Id}.{extension}\"";
    }

    private static async Task GeoPackage(string layer, HttpContext http, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource rs, NpgsqlDataSource ds, CancellationToken ct)
    {
        var l = DownloadEndpoints.Find(reg, layer);
        using var folder = new TempFolder();
        var file = folder.File(l.Id + ".gpkg");
        await GeoPackageDownload.WriteAsync(rs, l, file, ct);
        Attachment(http.Response, l, "gpkg", GeoPackageDownload.ContentType);
        http.Response.ContentLength = new FileInfo(file).Length;
        await http.Response.SendFileAsync(file, ct);
        await DownloadCounter.CountAsync(ds, $"/downloads/{l.Id}.gpkg", CancellationToken.None);
    }

    private static async Task Shapefile(string layer, HttpContext http, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource rs, NpgsqlDataSource ds, CancellationToken ct)
    {
        var l = DownloadEndpoints.Find(reg, layer);
        using var folder = new TempFolder();
        var files = await ShapefileDownload.WriteFilesAsync(rs, l, folder, ct);
        Attachment(http.Response, l, "shp.zip", ShapefileDownload.ContentType);
        await ShapefileDownload.ZipAsync(http.Response.Body, l, files, ct);
        await DownloadCounter.CountAsync(ds, $"/downloads/{l.Id}.shp.zip", CancellationToken.None);
    }

    private static async Task Kml(string layer, HttpContext http, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource rs, NpgsqlDataSource ds, CancellationToken ct)
    {
        var l = DownloadEndpoints.Find(reg, layer);
        Attachment(http.Response, l, "kml", KmlDownload.ContentType);
        await KmlDownload.WriteAsync(http.Response.Body, rs, l, ct);
        await DownloadCounter.CountAsync(ds, $"/downloads/{l.Id}.kml", CancellationToken.None);
    }
}

/// <summary>A private scratch folder for the formats that need files (SQLite, shapefile headers), deleted with its contents on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ov-download-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // already gone; the OS cleans its temporary folder
    }
}
