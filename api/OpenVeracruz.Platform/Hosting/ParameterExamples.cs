using Microsoft.OpenApi.Any;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace OpenVeracruz.Platform.Hosting;

/// <summary>Example values in Swagger for the parameters the REST endpoints share.</summary>
public sealed class ParameterExamples : IOperationFilter
{
    private static readonly Dictionary<string, IOpenApiAny> Examples = new()
    {
        ["clave"] = new OpenApiString("001-0001-001"),
        ["lon"] = new OpenApiString("-96.1343"),
        ["lat"] = new OpenApiString("19.2005"),
        ["radius_m"] = new OpenApiString("250"),
        ["limit"] = new OpenApiString("100"),
        ["locality"] = new OpenApiString("301930001"),
        ["layer"] = new OpenApiString("localities"),
        ["geometry"] = new OpenApiString("lonlat"),
        ["bom"] = new OpenApiString("true"),
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var p in operation.Parameters ?? [])
            if (Examples.TryGetValue(p.Name, out var example)) p.Example = example;
        if (context.ApiDescription.RelativePath?.EndsWith("intersects", StringComparison.Ordinal) == true && operation.RequestBody is { } body)
            foreach (var content in body.Content.Values)
                content.Example = new OpenApiString("""{"type":"Polygon","coordinates":[[[-96.136,19.199],[-96.132,19.199],[-96.132,19.202],[-96.136,19.202],[-96.136,19.199]]]}""");
    }
}
