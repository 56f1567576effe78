using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>
/// File uploads through CKAN's resource_create / resource_update (multipart, the file in "upload"): the file is checked,
/// stored as a new version under the uploads folder, and its import is queued once the rows are committed.
/// resource_patch with "epsg" re-imports the latest version in that CRS.
/// </summary>
public static partial class UploadActions
{
    /// <summary>Bytes a multipart body may carry beyond the file (boundaries, the other fields).</summary>
    private const long FormOverhead = 1024 * 1024;

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex UnsafeName();

    private static UploadOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<UploadOptions>>().Value;

    private static CkanException TooLarge(UploadOptions o) =>
        CkanException.Validation("upload", $"The file is larger than the upload limit of {UploadOptions.MegaBytes(o.MaxUploadBytes)}.");

    /// <summary>Before a multipart body is read: only editors and above may send one, and no larger than the limit.</summary>
    public static async Task BeforeFormAsync(HttpContext http)
    {
        var user = http.User;
        if (user.Identity?.IsAuthenticated != true || !Roles.AtLeast(Roles.Editor).Any(user.IsInRole)) throw CkanException.Denied("uploading a file");
        var o = Options(http);
        var limit = o.MaxUploadBytes + FormOverhead;
        if (http.Request.ContentLength > limit) throw TooLarge(o);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        try { await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit }, http.RequestAborted); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { throw TooLarge(o); }
        catch (InvalidDataException) { throw TooLarge(o); }
    }

    public static IFormFile? FileOf(CkanContext c) =>
        c.Http.Request.HasFormContentType ? c.Http.Request.Form.Files.GetFile("upload") : null;

    private static int? Epsg(CkanContext c)
    {
        if (c.Params.String("epsg") is not { Length: > 0 } text) return null;
        var code = text.Trim();
        if (code.StartsWith("EPSG:", StringComparison.OrdinalIgnoreCase)) code = code[5..];
        return int.TryParse(code, out var n) && n is > 1000 and < 1_000_000 ? n : throw CkanException.Validation("epsg", "Must be an EPSG code such as 32614");
    }

    /// <summary>resource_create with a file: a new resource whose version 1 is the upload.</summary>
    public static async Task<JsonNode?> CreateAsync(CkanContext c, Dataset dataset, IFormFile file)
    {
        var db = c.Service<AppDbContext>();
        var registry = c.Service<Layers.LayerRegistry>();
        var now = DateTime.UtcNow;
        Guid id;
        do id = Guid.NewGuid(); // the layer id is 8 hex digits of it: never reuse one already taken
        while (registry.Find(UploadedLayers.LayerId(id)) is not null || await db.Layers.AnyAsync(l => l.Id == UploadedLayers.LayerId(id), c.Ct));
        var res = new Resource
        {
            Id = id, DatasetId = dataset.Id, Name = c.Params.String("name") is { Length: > 0 } n ? n : file.FileName, Format = "", MimeType = "",
            Url = "", Description = c.Params.String("description") ?? "", Position = dataset.Resources.Count(r => r.State == "active"), Created = now, LastModified = now,
        };
        dataset.Resources.Add(res);
        dataset.MetadataModified = now;
        return await ShowAsync(c, db, res.Id, await SaveVersionAsync(c, db, res, 1, file, Epsg(c)));
    }

    /// <summary>resource_update with a file: version N+1 of the resource, imported in place of the current one.</summary>
    public static async Task<JsonNode?> UpdateAsync(CkanContext c, Dataset dataset, Resource res, IFormFile file)
    {
        var db = c.Service<AppDbContext>();
        if (c.Params.String("name") is { Length: > 0 } n) res.Name = n;
        if (c.Params.String("description") is { } d) res.Description = d;
        res.LastModified = dataset.MetadataModified = DateTime.UtcNow;
        // the version this file became, not the latest: parallel uploads each answer with their own
        return await ShowAsync(c, db, res.Id, await SaveVersionAsync(c, db, res, null, file, Epsg(c)));
    }

    /// <summary>resource_patch with epsg: the latest version imported again, its coordinates read in that CRS.</summary>
    public static async Task<JsonNode?> ReimportAsync(CkanContext c, Resource res)
    {
        var epsg = Epsg(c) ?? throw CkanException.Validation("epsg", "Missing value");
        var db = c.Service<AppDbContext>();
        var version = await db.ResourceVersions.Where(v => v.ResourceId == res.Id).OrderByDescending(v => v.Version).FirstOrDefaultAsync(c.Ct)
            ?? throw CkanException.Validation("epsg", "The resource has no uploaded file to import again");
        var job = await db.ImportJobs.FirstAsync(j => j.ResourceId == res.Id && j.Version == version.Version, c.Ct);
        version.Epsg = epsg;
        job.Requeue(DateTime.UtcNow);
        await db.SaveChangesAsync(c.Ct);
        await c.Service<IImportQueue>().EnqueueAsync(res.Id, version.Version, c.Ct);
        return await ShowAsync(c, db, res.Id, version.Version);
    }

    private static async Task<int> SaveVersionAsync(CkanContext c, AppDbContext db, Resource res, int? number, IFormFile file, int? epsg)
    {
        try
        {
            return await StoreVersionAsync(c.Http.RequestServices, db, res, number, file.FileName, file.Length, file.OpenReadStream,
                c.Params.String("format"), epsg, c.Http.User.Identity?.Name, c.Ct);
        }
        catch (BadRequestException e) { throw CkanException.Validation("upload", e.Message); }
    }

    /// <summary>
    /// Checks and stores a file as a version of the resource (<paramref name="number"/>, or the next one under a lock
    /// of the resource row, so parallel uploads get distinct versions and folders), then queues its import. Used by
    /// uploads and by the recurring refresh from a URL. A file that fails the checks throws BadRequestException.
    /// </summary>
    public static async Task<int> StoreVersionAsync(IServiceProvider services, AppDbContext db, Resource res, int? number, string fileName, long length,
        Func<Stream> open, string? formatHint, int? epsg, string? uploadedBy, CancellationToken ct)
    {
        var o = services.GetRequiredService<IOptions<UploadOptions>>().Value;
        UploadFormat format;
        await using (var content = open())
            format = UploadInspector.Inspect(fileName, content, length, formatHint, o);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // the import job publishes under this same per-resource lock: uploads and imports of one resource take
        // their locks in one order and never deadlock (dataset and resource rows are written by both)
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({res.Id.ToString()}, 0))", ct);
        if (number is null)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM catalog.resources WHERE id = {res.Id} FOR UPDATE", ct);
            number = (await db.ResourceVersions.Where(v => v.ResourceId == res.Id).MaxAsync(v => (int?)v.Version, ct) ?? 0) + 1;
        }
        var root = services.GetRequiredService<UploadStore>().Root;
        var name = UnsafeName().Replace(Path.GetFileName(fileName), "_").Trim('.', '_');
        if (name.Length == 0) name = "upload";
        var relative = Path.Combine(res.Id.ToString(), number.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), name);
        var folder = Path.GetDirectoryName(Path.Combine(root, relative))!;
        var now = DateTime.UtcNow;
        res.Format = format.Label;
        res.MimeType = format.MimeType;
        if (!res.DatastoreActive) res.Url = $"/api/uploads/{res.Id}/{number}";
        db.ResourceVersions.Add(new ResourceVersion
        {
            ResourceId = res.Id, Version = number.Value, Created = now, OriginalName = Path.GetFileName(fileName), StoredPath = relative,
            Format = format.Code, SizeBytes = length, Epsg = epsg, UploadedBy = uploadedBy,
        });
        db.ImportJobs.Add(ImportJob.Queue(res.Id, number.Value, now));
        Directory.CreateDirectory(folder);
        try
        {
            await using (var target = File.Create(Path.Combine(root, relative)))
            await using (var source = open())
                await source.CopyToAsync(target, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch
        {
            Directory.Delete(folder, recursive: true); // nothing is kept of an upload that was not recorded
            throw;
        }
        await services.GetRequiredService<IImportQueue>().EnqueueAsync(res.Id, number.Value, ct);
        return number.Value;
    }

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static async Task<JsonNode?> ShowAsync(CkanContext c, AppDbContext db, Guid id, int version)
    {
        db.ChangeTracker.Clear(); // the import ran on its own connection: read what it committed
        var res = await db.Resources.AsNoTracking().FirstAsync(r => r.Id == id, c.Ct);
        return WithStatus(CkanDictionaries.Resource(res, c.BaseUrl), await UploadStatus.OfAsync(db, id, version, c.Ct));
    }

    /// <summary>The resource dictionary with its import_status (null for resources given by URL).</summary>
    public static JsonObject WithStatus(JsonObject resource, ImportStatus? status)
    {
        resource["import_status"] = status is null ? null : JsonSerializer.SerializeToNode(status, SnakeCase);
        return resource;
    }
}
