using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Catalog.Uploads;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>
/// CKAN's write actions for staff with an API token (or a staff session): editors create and change datasets
/// and resources, supervisors delete them. Bundled datasets are changed in their dataset.json, not here.
/// </summary>
public static partial class CkanWriteActions
{
    [GeneratedRegex("^[a-z0-9_-]{2,100}$")]
    private static partial Regex NamePattern();

    public static void RegisterAll()
    {
        CkanApi.Register("package_create", "Create a dataset. Staff (editor) only. Parameters: name, title, notes, owner_org, license_id, private, url, version, tags, groups, extras, resources.", c => Save(c, create: true, patch: false));
        CkanApi.Register("package_update", "Replace a dataset's metadata. Staff (editor) only. Parameters: id plus the fields of package_create; resources are kept when not given.", c => Save(c, create: false, patch: false));
        CkanApi.Register("package_patch", "Change only the given fields of a dataset. Staff (editor) only.", c => Save(c, create: false, patch: true));
        CkanApi.Register("package_delete", "Delete a dataset (it stays in the database as deleted). Staff (supervisor) only. Parameters: id.", PackageDelete);
        CkanApi.Register("resource_create", "Add a resource to a dataset, by URL or as an uploaded file (multipart/form-data, the file in 'upload': CSV, GeoJSON, zipped Shapefile or GeoPackage; it is imported as a layer). Staff (editor) only. Parameters: package_id, url or upload, name, format, description, epsg (the CRS of a file whose own cannot be read).", ResourceCreate, UploadActions.BeforeFormAsync);
        CkanApi.Register("resource_update", "Replace a resource's URL and metadata, or upload a new version of its file (multipart, 'upload'): version N+1 is imported in place of the current one, older versions stay downloadable. Staff (editor) only. Parameters: id, url or upload, name, format, description, epsg.", ResourceUpdate, UploadActions.BeforeFormAsync);
        CkanApi.Register("resource_patch", "Change only the given fields of a resource (name, description; refresh_url with refresh_cron for a recurring refresh from a URL, empty values stop it). With epsg, the latest uploaded version is imported again reading its coordinates in that CRS (for a shapefile whose .prj could not be read). Staff (editor) only. Parameters: id, name, description, epsg.", ResourcePatch);
        CkanApi.Register("resource_delete", "Delete a resource. Staff (supervisor) only. Parameters: id.", ResourceDelete);
        OrganizationMembers.Register();
    }

    /// <summary>The role an action needs; where it may be done is the caller's organizations (see OrganizationMembers).</summary>
    internal static void Require(CkanContext c, string role, string action)
    {
        var user = c.Http.User;
        if (user.Identity?.IsAuthenticated != true || !Roles.AtLeast(role).Any(user.IsInRole)) throw CkanException.Denied(action);
    }

    /// <summary>An active dataset created through the API that the caller may change: one of their organizations' (admins: any).</summary>
    internal static async Task<Dataset> FindForWriteAsync(CkanContext c, AppDbContext db, string idOrName, string action)
    {
        Guid.TryParse(idOrName, out var id);
        var d = await db.Datasets.AsSplitQuery().Include(x => x.Organization).Include(x => x.Tags).Include(x => x.Groups).ThenInclude(g => g.Group).Include(x => x.Resources)
            .FirstOrDefaultAsync(x => (x.Name == idOrName || x.Id == id) && x.State == "active", c.Ct) ?? throw CkanException.NotFound("Dataset");
        if (d.Origin == "bundled")
            throw CkanException.Validation("name", $"Dataset '{d.Name}' is published from the bundled data: change datasets/{d.Name}/dataset.json instead.");
        await OrganizationMembers.RequireAsync(c, db, d.OrganizationId, action);
        return d;
    }

    private static async Task<JsonNode?> Save(CkanContext c, bool create, bool patch)
    {
        var action = create ? "package_create" : patch ? "package_patch" : "package_update";
        Require(c, Roles.Editor, action);
        var p = c.Params;
        var db = c.Service<AppDbContext>();
        var now = DateTime.UtcNow;
        var d = create
            ? new Dataset { Id = Guid.NewGuid(), Name = "", Title = "", LicenseId = "cc-by-4.0", MetadataCreated = now, Origin = "api" }
            : await FindForWriteAsync(c, db, p.Required("id"), action);
        var errors = new JsonObject();
        void Error(string field, string message) => errors[field] = new JsonArray(message);
        bool Given(string field) => !patch || p.Values.ContainsKey(field);

        if (create || Given("name"))
        {
            var name = p.String("name") ?? "";
            if (!NamePattern().IsMatch(name)) Error("name", "Must be 2 to 100 lower-case letters, digits, - or _");
            else if (await db.Datasets.AnyAsync(x => x.Name == name && x.Id != d.Id, c.Ct)) Error("name", "That URL is already in use.");
            else d.Name = name;
        }
        if (Given("title")) d.Title = p.String("title") is { Length: > 0 } t ? t : (p.String("name") ?? d.Name);
        if (Given("notes")) d.Notes = p.String("notes") ?? "";
        if (Given("url")) d.SourceUrl = p.String("url") ?? "";
        if (Given("version")) d.Version = p.String("version") ?? "";
        if (Given("private")) d.Private = p.Bool("private", false);
        if (Given("license_id"))
        {
            var license = p.String("license_id") ?? "cc-by-4.0";
            if (Licenses.Find(license) is null) Error("license_id", $"License '{license}' is not in license_list");
            else d.LicenseId = license;
        }
        if (create || Given("owner_org"))
        {
            var org = p.String("owner_org") ?? "";
            Guid.TryParse(org, out var orgId);
            var o = await db.Organizations.FirstOrDefaultAsync(x => x.Name == org || x.Id == orgId, c.Ct);
            if (o is null) Error("owner_org", "Organization does not exist");
            else
            {
                // a dataset is created in, or moved to, one of the caller's own organizations only
                if (o.Id != d.OrganizationId) await OrganizationMembers.RequireAsync(c, db, o.Id, action);
                d.OrganizationId = o.Id;
            }
        }
        if (Given("tags") && p.Values["tags"] is { } tagsNode)
        {
            var tags = ReadNames(tagsNode);
            if (tags.Any(t => t.Length is < 2 or > 100)) Error("tags", "Tag length must be between 2 and 100 characters");
            else
            {
                d.Tags.RemoveAll(x => !tags.Contains(x.Name));
                foreach (var t in tags.Distinct().Where(t => d.Tags.All(x => x.Name != t))) d.Tags.Add(new DatasetTag { DatasetId = d.Id, Name = t });
            }
        }
        if (Given("groups") && p.Values["groups"] is { } groupsNode)
        {
            var names = ReadNames(groupsNode);
            var groups = await db.Groups.Where(g => names.Contains(g.Name)).ToListAsync(c.Ct);
            if (groups.Count != names.Distinct().Count()) Error("groups", "Group does not exist");
            else
            {
                d.Groups.RemoveAll(x => groups.All(g => g.Id != x.GroupId));
                foreach (var g in groups.Where(g => d.Groups.All(x => x.GroupId != g.Id))) d.Groups.Add(new DatasetGroup { DatasetId = d.Id, GroupId = g.Id });
            }
        }
        if (Given("extras") && p.Values["extras"] is JsonArray extras)
            foreach (var e in extras.OfType<JsonObject>())
            {
                var value = e["value"]?.ToString() ?? "";
                switch (e["key"]?.ToString())
                {
                    case "temporal": d.TemporalCoverage = value; break;
                    case "frequency": d.UpdateFrequency = value; break;
                    case "source": d.SourceName = value; break;
                    case "attribution": d.Attribution = value; break;
                }
            }
        if (p.Values["resources"] is JsonArray resources && (create || Given("resources")))
        {
            foreach (var r in d.Resources) r.State = "deleted";
            var position = 0;
            foreach (var r in resources.OfType<JsonObject>())
            {
                var url = r["url"]?.ToString();
                if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                {
                    Error("resources", "Every resource needs an http(s) url");
                    break;
                }
                Guid.TryParse(r["id"]?.ToString(), out var rid);
                var existing = d.Resources.FirstOrDefault(x => x.Id == rid);
                var res = existing ?? new Resource { Id = Guid.NewGuid(), DatasetId = d.Id, Name = "", Format = "", MimeType = "", Url = url, Created = now };
                res.State = "active";
                Fill(res, r, url, position++, now);
                if (existing is null) d.Resources.Add(res);
            }
        }
        if (errors.Count > 0) throw new CkanException(409, "Validation Error", "Validation Error", errors);

        d.MetadataModified = now;
        if (create) db.Datasets.Add(d);
        try { await db.SaveChangesAsync(c.Ct); }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw CkanException.Validation("name", "That URL is already in use.");
        }
        await UploadedLayers.RefreshAsync(db, c.Service<LayerRegistry>(), d.Id, c.Ct); // privacy and metadata of its imported layers
        return await ShowAsync(db, d.Id, c);
    }

    private static void Fill(Resource res, JsonObject r, string url, int position, DateTime now)
    {
        res.Url = url;
        res.Name = r["name"]?.ToString() is { Length: > 0 } n ? n : url;
        res.Format = (r["format"]?.ToString() is { Length: > 0 } f ? f : Path.GetExtension(new Uri(url).AbsolutePath).TrimStart('.')).ToUpperInvariant();
        res.MimeType = r["mimetype"]?.ToString() ?? "";
        res.Description = r["description"]?.ToString() ?? "";
        res.Position = position;
        res.LastModified = now;
    }

    private static List<string> ReadNames(JsonNode node) => node switch
    {
        JsonArray a => a.Select(x => x is JsonObject o ? o["name"]?.ToString() ?? "" : x?.ToString() ?? "").Where(x => x.Length > 0).ToList(),
        _ => node.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
    };

    private static async Task<JsonNode?> ShowAsync(AppDbContext db, Guid id, CkanContext c)
    {
        var d = await db.Datasets.AsNoTracking().AsSplitQuery().Include(x => x.Organization).Include(x => x.Tags).Include(x => x.Groups).ThenInclude(g => g.Group).Include(x => x.Resources)
            .FirstAsync(x => x.Id == id, c.Ct);
        return CkanDictionaries.Package(d, c.BaseUrl);
    }

    private static async Task<JsonNode?> PackageDelete(CkanContext c)
    {
        Require(c, Roles.Supervisor, "package_delete");
        var db = c.Service<AppDbContext>();
        var d = await FindForWriteAsync(c, db, c.Params.Required("id"), "package_delete");
        d.State = "deleted";
        d.MetadataModified = DateTime.UtcNow;
        await db.SaveChangesAsync(c.Ct);
        await UploadedLayers.RefreshAsync(db, c.Service<LayerRegistry>(), d.Id, c.Ct);
        return null;
    }

    private static async Task<JsonNode?> ResourceCreate(CkanContext c)
    {
        Require(c, Roles.Editor, "resource_create");
        var db = c.Service<AppDbContext>();
        var d = await FindForWriteAsync(c, db, c.Params.Required("package_id"), "resource_create");
        if (UploadActions.FileOf(c) is { } file) return await UploadActions.CreateAsync(c, d, file);
        var url = HttpUrl(c);
        var now = DateTime.UtcNow;
        var res = new Resource { Id = Guid.NewGuid(), DatasetId = d.Id, Name = "", Format = "", MimeType = "", Url = url, Created = now };
        Fill(res, c.Params.Values, url, d.Resources.Count(r => r.State == "active"), now);
        d.Resources.Add(res);
        d.MetadataModified = now;
        await db.SaveChangesAsync(c.Ct);
        return CkanDictionaries.Resource(res, c.BaseUrl);
    }

    private static string HttpUrl(CkanContext c)
    {
        var url = c.Params.Required("url");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            throw CkanException.Validation("url", "Must be an http(s) URL");
        return url;
    }

    /// <summary>An active resource and its dataset, for a write by its id (the dataset must have been created through the API).</summary>
    private static async Task<(Dataset Dataset, Resource Resource)> FindResourceForWriteAsync(AppDbContext db, CkanContext c, string action)
    {
        if (!Guid.TryParse(c.Params.Required("id"), out var id)) throw CkanException.NotFound("Resource");
        var datasetId = await db.Resources.Where(x => x.Id == id && x.State == "active").Select(x => (Guid?)x.DatasetId).FirstOrDefaultAsync(c.Ct)
            ?? throw CkanException.NotFound("Resource");
        var d = await FindForWriteAsync(c, db, datasetId.ToString(), action);
        return (d, d.Resources.First(x => x.Id == id));
    }

    private static async Task<JsonNode?> ResourceUpdate(CkanContext c)
    {
        Require(c, Roles.Editor, "resource_update");
        var db = c.Service<AppDbContext>();
        var (d, res) = await FindResourceForWriteAsync(db, c, "resource_update");
        if (UploadActions.FileOf(c) is { } file) return await UploadActions.UpdateAsync(c, d, res, file);
        if (await db.ResourceVersions.AnyAsync(v => v.ResourceId == res.Id, c.Ct))
            throw CkanException.Validation("upload", "This resource is an uploaded file: send a new version of it in 'upload' (multipart/form-data).");
        var url = HttpUrl(c);
        var now = DateTime.UtcNow;
        Fill(res, c.Params.Values, url, res.Position, now);
        d.MetadataModified = now;
        await db.SaveChangesAsync(c.Ct);
        return CkanDictionaries.Resource(res, c.BaseUrl);
    }

    private static async Task<JsonNode?> ResourcePatch(CkanContext c)
    {
        Require(c, Roles.Editor, "resource_patch");
        var db = c.Service<AppDbContext>();
        var (d, res) = await FindResourceForWriteAsync(db, c, "resource_patch");
        if (c.Params.String("name") is { Length: > 0 } name) res.Name = name;
        if (c.Params.String("description") is { } description) res.Description = description;
        res.LastModified = d.MetadataModified = DateTime.UtcNow;
        await SetRefreshAsync(c, res);
        if (c.Params.Values.ContainsKey("epsg")) return await UploadActions.ReimportAsync(c, res);
        await db.SaveChangesAsync(c.Ct);
        return CkanDictionaries.Resource(res, c.BaseUrl);
    }

    /// <summary>
    /// refresh_url and refresh_cron: a recurring refresh that fetches the file again and stores a new version when it
    /// changed. Both are needed; empty values stop it. Checked before anything is saved, the URL's host resolved: an address
    /// inside the platform's network is refused (the fetch checks again, on every connection).
    /// </summary>
    private static async Task SetRefreshAsync(CkanContext c, Resource res)
    {
        if (!c.Params.Values.ContainsKey("refresh_url") && !c.Params.Values.ContainsKey("refresh_cron")) return;
        var url = c.Params.Values.ContainsKey("refresh_url") ? c.Params.String("refresh_url")?.Trim() : res.RefreshUrl;
        var cron = c.Params.Values.ContainsKey("refresh_cron") ? c.Params.String("refresh_cron")?.Trim() : res.RefreshCron;
        var scheduler = c.Service<OpenVeracruz.Platform.Catalog.Uploads.IRefreshScheduler>();
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(cron))
        {
            if (!string.IsNullOrEmpty(url) || !string.IsNullOrEmpty(cron))
                throw CkanException.Validation(string.IsNullOrEmpty(url) ? "refresh_url" : "refresh_cron", "A refresh needs both refresh_url and refresh_cron (empty values stop it)");
            scheduler.Remove(res.Id);
            res.RefreshUrl = res.RefreshCron = null;
            return;
        }
        if (await c.Service<RefreshSources>().CheckAsync(url, c.Ct) is { } refused) throw CkanException.Validation("refresh_url", refused);
        try { scheduler.Schedule(res.Id, cron); }
        catch (ArgumentException) { throw CkanException.Validation("refresh_cron", $"'{cron}' is not a cron expression (e.g. \"0 3 * * *\" for every day at 03:00)"); }
        res.RefreshUrl = url;
        res.RefreshCron = cron;
    }

    private static async Task<JsonNode?> ResourceDelete(CkanContext c)
    {
        Require(c, Roles.Supervisor, "resource_delete");
        if (!Guid.TryParse(c.Params.Required("id"), out var id)) throw CkanException.NotFound("Resource");
        var db = c.Service<AppDbContext>();
        var r = await db.Resources.FirstOrDefaultAsync(x => x.Id == id && x.State == "active", c.Ct) ?? throw CkanException.NotFound("Resource");
        var d = await db.Datasets.FirstAsync(x => x.Id == r.DatasetId, c.Ct);
        await FindForWriteAsync(c, db, d.Name, "resource_delete");
        r.State = "deleted";
        if (r.RefreshCron is not null) c.Service<OpenVeracruz.Platform.Catalog.Uploads.IRefreshScheduler>().Remove(r.Id);
        // an uploaded resource takes the GeoJSON and OGC API doors of its layer with it
        if (await db.Layers.AnyAsync(l => l.ResourceId == r.Id, c.Ct))
            foreach (var door in await db.Resources.Where(x => x.LayerId == r.LayerId && x.DatasetId == r.DatasetId && x.State == "active").ToListAsync(c.Ct))
                door.State = "deleted";
        d.MetadataModified = DateTime.UtcNow;
        await db.SaveChangesAsync(c.Ct);
        await UploadedLayers.RefreshAsync(db, c.Service<LayerRegistry>(), d.Id, c.Ct);
        return null;
    }
}
