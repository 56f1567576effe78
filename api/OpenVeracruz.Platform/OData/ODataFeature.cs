using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.OData;

/// <summary>OData v4 at /odata, served by ASP.NET Core OData's controller routing.</summary>
public static class ODataFeature
{
    public static IServiceCollection AddODataDoor(this IServiceCollection s, IConfiguration config)
    {
        s.AddControllers()
            .AddApplicationPart(typeof(ParcelsController).Assembly)
            .AddOData(o => o.Select().Filter().OrderBy().Count().SetMaxTop(null).AddRouteComponents("odata", ODataModel.Build()));
        s.Configure<ApiBehaviorOptions>(o => o.SuppressMapClientErrors = false);
        s.AddSingleton(Errors);
        return s;
    }

    /// <summary>Input refused outside the OData pipeline (malformed bytes, a database data exception) as an OData JSON error.</summary>
    private static readonly ErrorFormat Errors = new(["/odata"], (http, p) => http.Response.WriteAsJsonAsync(new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = ReasonPhrases.GetReasonPhrase(p.Status ?? 500).Replace(" ", ""),
            ["message"] = p.Detail,
            ["target"] = p.Extensions.TryGetValue("parameter", out var target) ? target?.ToString() : null,
            ["details"] = new JsonArray(),
            ["innererror"] = new JsonObject { ["message_es"] = ErrorFormat.DetailEs(p) },
        },
    }));

    public static WebApplication MapOData(this WebApplication app)
    {
        app.MapControllers();
        return app;
    }
}
