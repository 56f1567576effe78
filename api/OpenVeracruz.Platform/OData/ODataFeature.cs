using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpenVeracruz.Platform.OData;

/// <summary>OData v4 at /odata: one entity set per registry layer, queries translated to parameterised SQL.</summary>
public static class ODataFeature
{
    /// <summary>Errors the platform raises on /odata (malformed input, bare status codes) in OData's JSON error format.</summary>
    public static IServiceCollection AddODataDoor(this IServiceCollection s, IConfiguration config) => s.AddSingleton(ODataEndpoints.Errors);

    public static IEndpointRouteBuilder MapOData(this IEndpointRouteBuilder app) => app.MapODataEndpoints();
}
