using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi.Models;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Hosting;

/// <summary>What every door shares: problem details, JSON with GeoJSON geometries, Swagger, the static web pages.</summary>
public static class HostingFeature
{
    public static IServiceCollection AddPlatformHosting(this IServiceCollection s)
    {
        s.AddProblemDetails();
        s.AddExceptionHandler<ProblemExceptionHandler>();
        s.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        s.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new GeoJsonConverterFactory(GeoJson.Factory));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        // the pages' modules and styles (Leaflet's ES module build is 425 KB, 110 KB compressed); API answers are left as
        // they are: most stream from the database, and compressing a secret-bearing response over TLS invites BREACH
        s.AddResponseCompression(o => o.MimeTypes = ["text/javascript", "application/javascript", "text/css", "text/html", "image/svg+xml"]);
        s.AddEndpointsApiExplorer();
        s.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "OpenVeracruz API",
                Version = "v1",
                Description = "Catastro (sintético), capas y descargas del municipio de Veracruz. Las capas también se publican como OGC API – Features en /ogc y OData v4 en /odata.",
            });
            o.MapType<Geometry>(() => new OpenApiSchema { Type = "object", Description = "Geometría GeoJSON (RFC 7946)" });
            o.MapType<Polygon>(() => new OpenApiSchema { Type = "object", Description = "Polígono GeoJSON (RFC 7946)" });
            o.OperationFilter<ParameterExamples>();
            o.DocInclusionPredicate((_, api) => !api.RelativePath?.StartsWith("odata", StringComparison.Ordinal) ?? true);
        });
        return s;
    }

    /// <summary>Errors in each door's format, malformed input refused before any endpoint, then the static pages and the browser libraries from npm.</summary>
    public static WebApplication UsePlatformHosting(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(c => ErrorFormat.WriteAsync(c.HttpContext, Problems.ForStatus(c.HttpContext.Response.StatusCode)));
        app.UseMalformedInputGuard();
        app.UseResponseCompression();
        if (RepositoryFolders.Web(app.Environment) is { } web)
        {
            // only the pages: not web/node_modules, package.json or other build files (see PagesFileProvider)
            var files = new PagesFileProvider(web);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            // browser libraries from npm (web/package.json), served from their dist folders
            foreach (var (path, dist) in new[] { ("/vendor/leaflet", "leaflet/dist"), ("/vendor/geoman", "@geoman-io/leaflet-geoman-free/dist"), ("/vendor/protomaps", "protomaps-leaflet/dist") })
            {
                var folder = Path.Combine(web, "node_modules", dist);
                if (Directory.Exists(folder))
                    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(folder), RequestPath = path });
                else
                    app.Logger.LogWarning("web/node_modules/{Dist} is missing: run 'npm ci --prefix web' (./ov run does it)", dist);
            }
        }
        return app;
    }

    public static WebApplication MapSwaggerDocs(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.DocumentTitle = "OpenVeracruz API";
            // "Try it out" is one of our pages: it sends our pages' header, so a signed-in staff member's writes pass the cross-site guard
            o.UseRequestInterceptor("(r) => { r.headers['X-Requested-With'] = 'OpenVeracruz'; return r; }");
        });
        return app;
    }

    /// <summary>Prints the addresses once Kestrel listens (./ov run waits for this line).</summary>
    public static WebApplication AnnounceAddresses(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var a in addresses) Console.WriteLine($"Listening on {a}");
        });
        return app;
    }
}
