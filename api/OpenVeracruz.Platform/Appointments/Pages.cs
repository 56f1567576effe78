using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>
/// The pages whose address names an office (/turnos/{office}, /kiosko/citas/{office}): one static file each, for every
/// office; the page reads the office from its own address and asks the API, which answers for an unknown one.
/// </summary>
public static class Pages
{
    // an office code has no dot, so the pages' own files (main.js, turnos.css) never match: an endpoint chosen for a
    // request would keep the static files from serving it
    private const string Office = @"{office:regex(^\w[\w-]*$)}";

    public static IEndpointRouteBuilder MapCeroFilasPages(this IEndpointRouteBuilder app)
    {
        if (RepositoryFolders.Web(app.ServiceProvider.GetRequiredService<IWebHostEnvironment>()) is not { } web) return app;
        foreach (var (pattern, file) in new[] { ("/turnos/" + Office, "turnos/index.html"), ("/kiosko/citas/" + Office, "kiosko/citas/index.html") })
        {
            var path = Path.Combine(web, file);
            app.MapGet(pattern, () => TypedResults.PhysicalFile(path, "text/html; charset=utf-8")).ExcludeFromDescription();
        }
        return app;
    }
}
