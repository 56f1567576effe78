using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>OGC API – Features (Parts 1, 2, 3's queryables and 5's schemas) at /ogc, for every registry layer.</summary>
public static class OgcFeature
{
    /// <summary>Errors on /ogc are problem details with the OGC exception code, whoever raised them.</summary>
    public static IServiceCollection AddOgc(this IServiceCollection s, IConfiguration config) => s.AddSingleton(new ErrorFormat(["/ogc"], (http, p) =>
    {
        p.Extensions.TryAdd("code", p.Status switch { 404 => "NotFound", < 500 => "InvalidParameterValue", _ => "NoApplicableCode" });
        return ErrorFormat.WriteProblemAsync(http, p);
    }));

    public static IEndpointRouteBuilder MapOgc(this IEndpointRouteBuilder app) => app.MapOgcEndpoints();
}
