using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Layers;

/// <summary>Options of the bundled data (section "Data").</summary>
public sealed class DataOptions
{
    /// <summary>Folder of the bundled datasets; found by walking up from the content root when empty.</summary>
    public string? DatasetsPath { get; set; }
    /// <summary>Load the bundled datasets on start (idempotent).</summary>
    public bool LoadOnStart { get; set; } = true;
    /// <summary>Synthetic parcels to generate; the dataset's default (50,000) when empty. At most 1,000,000.</summary>
    public int? ParcelCount { get; set; }
    /// <summary>Folder of the uploaded originals; .data/uploads at the repository root when empty.</summary>
    public string? UploadsPath { get; set; }
}

/// <summary>The layer registry (datasets/*/dataset.json plus the layers imported at run time) and the web map's settings.</summary>
public static class LayersFeature
{
    public static IServiceCollection AddLayers(this IServiceCollection s, IConfiguration config)
    {
        s.Configure<DataOptions>(config.GetSection("Data"));
        s.Configure<MapOptions>(config.GetSection("Map"));
        s.AddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<IOptions<DataOptions>>().Value.DatasetsPath;
            var env = sp.GetRequiredService<IWebHostEnvironment>();
            var path = !string.IsNullOrWhiteSpace(configured) ? configured
                : RepositoryFolders.Find(env.ContentRootPath, "datasets") ?? RepositoryFolders.Find(AppContext.BaseDirectory, "datasets")
                  ?? throw new DirectoryNotFoundException("datasets/ not found; set Data__DatasetsPath");
            return LayerRegistry.Load(path);
        });
        return s;
    }

    public static IEndpointRouteBuilder MapLayers(this IEndpointRouteBuilder app) => app.MapLayerEndpoints();
}
