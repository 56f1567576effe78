using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace OpenVeracruz.Platform.Layers;

/// <summary>Settings of the web map (configuration section "Map").</summary>
public sealed class MapOptions
{
    public string TileUrl { get; set; } = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    public string TileAttribution { get; set; } = "© OpenStreetMap contributors";
    public double[] Center { get; set; } = [19.17, -96.14];
    public int Zoom { get; set; } = 12;
    public int ParcelMinZoom { get; set; } = 14;
}

public sealed record LayerSummary(string Id, string Title, string Description, string GeometryType, string ItemsUrl,
    int MinZoom, bool DefaultVisible, string Kind, string Attribution, bool Synthetic, string DownloadCsv, string DownloadGeoJson, string TilesUrl);

public sealed record MapConfig(string TileUrl, string TileAttribution, double[] Center, int Zoom, int ParcelMinZoom);

public static class LayerEndpoints
{
    public static IEndpointRouteBuilder MapLayerEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api").WithTags("Capas / Layers");
        g.MapGet("/layers", (LayerRegistry reg) => TypedResults.Ok(reg.All.Select(l => new LayerSummary(
                l.Id, l.Title, l.Description, l.GeometryType, $"/ogc/collections/{l.Id}/items", l.MinZoom, l.DefaultVisible, l.Kind,
                l.Dataset.License.Attribution, l.Dataset.Synthetic, $"/downloads/{l.Id}.csv", $"/downloads/{l.Id}.geojson",
                $"/ogc/collections/{l.Id}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}")).ToList()))
            .WithName("GetLayers").WithSummary("Capas públicas del mapa / Public layers of the map");
        g.MapGet("/config", (IOptions<MapOptions> o) =>
            {
                var m = o.Value;
                return TypedResults.Ok(new MapConfig(m.TileUrl, m.TileAttribution, m.Center, m.Zoom, m.ParcelMinZoom));
            })
            .WithName("GetMapConfig").WithSummary("Configuración del mapa web / Web map settings");
        return app;
    }
}
