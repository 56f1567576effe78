using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>Where the import of an uploaded version stands, with its report of rejected and repaired rows.</summary>
public sealed record ImportStatus(Guid ResourceId, int Version, string State, long RowsDone, long? RowsTotal, int Rejected, int Repaired,
    string? Message, IReadOnlyList<ImportProblem> Report, string? Layer, DateTime QueuedAt, DateTime? StartedAt, DateTime? FinishedAt);

/// <summary>One stored version of an uploaded resource.</summary>
public sealed record ResourceVersionInfo(int Version, DateTime Created, string OriginalName, string Format, long SizeBytes, int? Epsg,
    long? RowCount, int? RejectedCount, string ImportState, string DownloadUrl);

public static class UploadStatus
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task<ImportStatus?> LatestAsync(AppDbContext db, Guid resourceId, CancellationToken ct) => OfAsync(db, resourceId, null, ct);

    /// <summary>The status of one version (the one an upload made, whatever came after it), or of the latest when none is given.</summary>
    public static async Task<ImportStatus?> OfAsync(AppDbContext db, Guid resourceId, int? version, CancellationToken ct)
    {
        var job = await db.ImportJobs.AsNoTracking().Where(j => j.ResourceId == resourceId && (version == null || j.Version == version))
            .OrderByDescending(j => j.Version).FirstOrDefaultAsync(ct);
        if (job is null) return null;
        var layer = await db.Layers.AsNoTracking().Where(l => l.ResourceId == resourceId).Select(l => l.Id).FirstOrDefaultAsync(ct);
        return new ImportStatus(job.ResourceId, job.Version, job.State, job.RowsDone, job.RowsTotal, job.Rejected, job.Repaired, job.Message,
            JsonSerializer.Deserialize<ImportProblem[]>(job.Report, Json) ?? [], layer, job.QueuedAt, job.StartedAt, job.FinishedAt);
    }
}

/// <summary>The uploads' own doors: import status, the stored originals, the version history.</summary>
public static class UploadEndpoints
{
    public static IEndpointRouteBuilder MapUploadEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("").WithTags("Cargas / Uploads");
        g.MapGet("/api/uploads/{resourceId:guid}/status", Status).WithName("GetUploadStatus")
            .WithSummary("Estado de la importación de la última versión / Import status of the latest uploaded version");
        g.MapGet("/api/uploads/{resourceId:guid}/{version:int}", (Guid resourceId, int version, HttpContext http, AppDbContext db, UploadStore store, CancellationToken ct) =>
                Original(null, resourceId, version, http, db, store, ct))
            .WithName("GetUploadedFile").WithSummary("Archivo original subido / The uploaded original file");
        g.MapGet("/dataset/{id}/resource/{resourceId:guid}/versions", Versions).WithName("GetResourceVersions")
            .WithSummary("Versiones de un recurso subido, con fechas y filas / Versions of an uploaded resource, with dates and row counts");
        g.MapGet("/dataset/{id}/resource/{resourceId:guid}/versions/{version:int}", (string id, Guid resourceId, int version, HttpContext http, AppDbContext db, UploadStore store, CancellationToken ct) =>
                Original(id, resourceId, version, http, db, store, ct))
            .WithName("GetResourceVersionFile").WithSummary("Archivo original de una versión / The original file of a version");
        return app;
    }

    private static bool IsStaff(HttpContext http) => http.User.Identity?.IsAuthenticated == true && Roles.All.Any(http.User.IsInRole);

    /// <summary>An active resource of an active dataset (given by id or name when <paramref name="dataset"/> is set); private ones only for staff.</summary>
    private static async Task<bool> VisibleAsync(AppDbContext db, string? dataset, Guid resourceId, HttpContext http, CancellationToken ct)
    {
        var staff = IsStaff(http);
        Guid.TryParse(dataset, out var datasetId);
        return await (from r in db.Resources
                      join d in db.Datasets on r.DatasetId equals d.Id
                      where r.Id == resourceId && r.State == "active" && d.State == "active" && (staff || !d.Private)
                            && (dataset == null || d.Name == dataset || d.Id == datasetId)
                      select r.Id).AnyAsync(ct);
    }

    private static ProblemHttpResult Missing() => Problems.NotFound("No such uploaded resource or version", "No existe ese recurso subido o esa versión");

    private static async Task<Results<Ok<ImportStatus>, ProblemHttpResult>> Status(Guid resourceId, HttpContext http, AppDbContext db, CancellationToken ct) =>
        await VisibleAsync(db, null, resourceId, http, ct) && await UploadStatus.LatestAsync(db, resourceId, ct) is { } status
            ? TypedResults.Ok(status) : Missing();

    private static async Task<Results<Ok<List<ResourceVersionInfo>>, ProblemHttpResult>> Versions(string id, Guid resourceId, HttpContext http, AppDbContext db, CancellationToken ct)
    {
        if (!await VisibleAsync(db, id, resourceId, http, ct)) return Missing();
        var rows = await (from v in db.ResourceVersions
                          join j in db.ImportJobs on new { v.ResourceId, v.Version } equals new { j.ResourceId, j.Version }
                          where v.ResourceId == resourceId
                          orderby v.Version
                          select new { v, j.State }).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(x => new ResourceVersionInfo(x.v.Version, x.v.Created, x.v.OriginalName, x.v.Format, x.v.SizeBytes, x.v.Epsg,
            x.v.RowCount, x.v.RejectedCount, x.State, $"/dataset/{id}/resource/{resourceId}/versions/{x.v.Version}")).ToList());
    }

    private static async Task<IResult> Original(string? dataset, Guid resourceId, int version, HttpContext http, AppDbContext db, UploadStore store, CancellationToken ct)
    {
        if (!await VisibleAsync(db, dataset, resourceId, http, ct)) return Missing();
        var v = await db.ResourceVersions.AsNoTracking().FirstOrDefaultAsync(x => x.ResourceId == resourceId && x.Version == version, ct);
        var path = v is null ? null : store.PathOf(v);
        if (v is null || !File.Exists(path)) return Missing();
        var mime = UploadInspector.Find(v.Format)?.MimeType ?? "application/octet-stream";
        return TypedResults.PhysicalFile(path, mime, v.OriginalName, enableRangeProcessing: true);
    }
}
