using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        return s;
    }

    public static WebApplication MapOData(this WebApplication app)
    {
        app.MapControllers();
        return app;
    }
}
