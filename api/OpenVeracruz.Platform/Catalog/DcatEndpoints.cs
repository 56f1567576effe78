using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>
/// DCAT-AP 3 for harvesters: the public catalog at /catalog.{jsonld,ttl,rdf} (paged with ?page and ?page_size, filtered
/// with ?modified_since, ckanext-dcat style), one dataset at /dataset/{name}.{jsonld,ttl,rdf}, and the schema.org
/// Dataset for search engines at /dataset/{name}.schema.json.
/// </summary>
public static partial class DcatEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapDcatEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("").WithTags("DCAT");
        foreach (var syntax in RdfSyntax.All)
        {
            g.MapGet($"/catalog.{syntax.Extension}",
                    (HttpRequest req, [FromKeyedServices(PlatformDatabase.Read)] AppDbContext db, string? page, string? page_size, string? modified_since, CancellationToken ct) =>
                        CatalogAsync(syntax, req, db, page, page_size, modified_since, ct))
                .WithName($"DcatCatalog-{syntax.Extension}")
                .WithSummary($"Catálogo DCAT-AP 3 ({syntax.MediaType}); page, page_size (máx. {MaxPageSize}), modified_since / DCAT-AP catalog")
                .Produces(200, contentType: syntax.MediaType);
            g.MapGet($"/dataset/{{name}}.{syntax.Extension}",
                    async (string name, HttpRequest req, [FromKeyedServices(PlatformDatabase.Read)] AppDbContext db, CancellationToken ct) =>
                    {
                        var graph = Dcat.NewGraph();
                        Dcat.Dataset(graph, await FindAsync(db, name, ct), BaseUrl(req));
                        return Rdf(syntax, graph);
                    })
                .WithName($"DcatDataset-{syntax.Extension}")
                .WithSummary($"Un conjunto de datos en DCAT-AP 3 ({syntax.MediaType}) / One dataset as DCAT-AP")
                .Produces(200, contentType: syntax.MediaType);
        }
        g.MapGet("/dataset/{name}.schema.json",
                async (string name, HttpRequest req, [FromKeyedServices(PlatformDatabase.Read)] AppDbContext db, CancellationToken ct) =>
                    Results.Text(DatasetSchemaOrg.Build(await FindAsync(db, name, ct), BaseUrl(req)).ToJsonString(Json), "application/ld+json", Encoding.UTF8))
            .WithName("DatasetSchemaOrg")
            .WithSummary("Conjunto de datos como schema.org Dataset (JSON-LD) para buscadores / schema.org Dataset")
            .Produces(200, contentType: "application/ld+json");
        return app;
    }

    private static string BaseUrl(HttpRequest req) => $"{req.Scheme}://{req.Host}{req.PathBase}";

    private static IResult Rdf(RdfSyntax syntax, RdfGraph graph) => Results.Text(syntax.Write(graph), syntax.MediaType, Encoding.UTF8);

    private static async Task<Dataset> FindAsync(AppDbContext db, string name, CancellationToken ct) =>
        await CkanReadActions.Visible(db).FirstOrDefaultAsync(d => d.Name == name, ct)
        ?? throw new BadRequestException($"Dataset '{name}' does not exist", $"El conjunto de datos '{name}' no existe", "name", 404);

    private static async Task<IResult> CatalogAsync(RdfSyntax syntax, HttpRequest req, AppDbContext db, string? pageText, string? pageSizeText,
        string? modifiedSinceText, CancellationToken ct)
    {
        var page = QueryArgs.OptionalInt(pageText, "page", 1, 1, int.MaxValue);
        var pageSize = QueryArgs.OptionalInt(pageSizeText, "page_size", DefaultPageSize, 1, MaxPageSize, clamp: true);
        var since = ModifiedSince(modifiedSinceText);

        var query = CkanReadActions.Visible(db);
        if (since is { } s) query = query.Where(d => d.MetadataModified >= s);
        var total = await query.CountAsync(ct);
        var skip = (long)(page - 1) * pageSize;
        var datasets = skip >= total ? [] : await query.OrderBy(d => d.Name).Skip((int)skip).Take(pageSize).ToListAsync(ct);
        var modified = await CkanReadActions.Visible(db).MaxAsync(d => (DateTime?)d.MetadataModified, ct);
        var issued = await CkanReadActions.Visible(db).MinAsync(d => (DateTime?)d.MetadataCreated, ct);

        var baseUrl = BaseUrl(req);
        var path = $"{baseUrl}/catalog.{syntax.Extension}";
        string PageUrl(int n)
        {
            var url = new StringBuilder(path).Append("?page=").Append(n.ToString(CultureInfo.InvariantCulture));
            if (pageSizeText is not null) url.Append("&page_size=").Append(pageSize.ToString(CultureInfo.InvariantCulture));
            if (since is not null) url.Append("&modified_since=").Append(Uri.EscapeDataString(modifiedSinceText!));
            return url.ToString();
        }
        return Rdf(syntax, Dcat.Catalog(new CatalogPage(datasets, page, pageSize, total, modified, issued, PageUrl), baseUrl));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?$")]
    private static partial Regex IsoDateTime();

    /// <summary>An ISO 8601 date or date-time; without an offset it is taken as UTC.</summary>
    public static DateTime? ModifiedSince(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (IsoDateTime().IsMatch(text.Trim())
            && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            return t.UtcDateTime;
        throw new BadRequestException(
            $"modified_since must be an ISO 8601 date or date-time such as 2026-01-01T00:00:00Z, got '{text}'",
            $"modified_since debe ser una fecha ISO 8601, por ejemplo 2026-01-01T00:00:00Z; se recibió '{text}'",
            "modified_since");
    }
}
