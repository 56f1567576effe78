using Microsoft.AspNetCore.Routing;

namespace OpenVeracruz.Platform.OData;

/// <summary>OData v4 at /odata: one entity set per registry layer, queries translated to parameterised SQL.</summary>
public static class ODataFeature
{
    public static IEndpointRouteBuilder MapOData(this IEndpointRouteBuilder app) => app.MapODataEndpoints();
}
