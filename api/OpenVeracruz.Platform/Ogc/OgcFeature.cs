using Microsoft.AspNetCore.Routing;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>OGC API – Features (Parts 1, 2 and 3's queryables) at /ogc, for every registry layer.</summary>
public static class OgcFeature
{
    public static IEndpointRouteBuilder MapOgc(this IEndpointRouteBuilder app) => app.MapOgcEndpoints();
}
