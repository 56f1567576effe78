using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>
/// /datos/dataset/{name}: the one static dataset page, with the dataset's schema.org JSON-LD embedded for search
/// engines, and a real 404 status for names that are not public datasets (the page then explains it in Spanish).
/// </summary>
public static class DatasetPage
{
    public static IEndpointRouteBuilder MapDatasetPage(this IEndpointRouteBuilder app, string htmlPath)
    {
        app.MapGet("/datos/dataset/{name}", async (string name, HttpContext http, AppDbContext db, CancellationToken ct) =>
            {
                var html = await File.ReadAllTextAsync(htmlPath, ct);
                var dataset = await CkanReadActions.Visible(db).FirstOrDefaultAsync(d => d.Name == name, ct);
                if (dataset is not null)
                {
                    var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
                    var script = $"<script type=\"application/ld+json\">{DatasetSchemaOrg.ForHtmlScript(dataset, baseUrl)}</script>\n</head>";
                    html = html.Replace("</head>", script, StringComparison.OrdinalIgnoreCase);
                }
                return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, dataset is null ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
            })
            .ExcludeFromDescription();
        return app;
    }
}
