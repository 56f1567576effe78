using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpenVeracruz.Platform.Tiles;

/// <summary>Settings of the vector tiles (configuration section "Tiles").</summary>
public sealed class TilesOptions
{
    /// <summary>The tile cache's bound: bytes of tiles kept in tiles.cache (256 MB by default).</summary>
    public long CacheMaxBytes { get; set; } = 256L * 1024 * 1024;
    /// <summary>Cache-Control max-age of the tiles of layers that change any time (cadastre, services, uploads); ETags revalidate after it.</summary>
    public int EditableMaxAgeSeconds { get; set; } = 60;
    /// <summary>Cache-Control max-age of the tiles of reference layers (bundled data, reloaded at most daily).</summary>
    public int ReferenceMaxAgeSeconds { get; set; } = 3600;
    /// <summary>Bytes of hot tiles kept in each instance's memory in front of tiles.cache (64 MB by default; 0 turns it off).</summary>
    public long MemoryMaxBytes { get; set; } = 64L * 1024 * 1024;
    /// <summary>How long a tile in memory is served before it is checked against tiles.cache again (by ETag): how late a change made through another instance can show here.</summary>
    public int MemoryRecheckMilliseconds { get; set; } = 1000;
    /// <summary>Below this zoom geometries are simplified (tolerance 1/512 of the tile) before ST_AsMVTGeom quantises them.</summary>
    public int SimplifyBelowZoom { get; set; } = 16;
}

/// <summary>
/// OGC API – Tiles (vector tiles, Mapbox Vector Tile) of every registry layer at /ogc/collections/{id}/tiles, the
/// WebMercatorQuad tile matrix set, TileJSON 3.0, and the tile cache in PostgreSQL that edits and loads invalidate.
/// Its paths are under /ogc, so its errors come in the OGC door's format.
/// </summary>
public static class TilesFeature
{
    public static IServiceCollection AddTiles(this IServiceCollection s, IConfiguration config)
    {
        s.Configure<TilesOptions>(config.GetSection("Tiles"));
        s.AddSingleton<TileCache>();
        return s;
    }

    public static IEndpointRouteBuilder MapTiles(this IEndpointRouteBuilder app) => app.MapTileEndpoints();
}
