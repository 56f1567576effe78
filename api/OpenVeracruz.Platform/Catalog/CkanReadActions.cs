using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>The read actions of the CKAN Action API, and the write actions' answer to callers without a staff token.</summary>
public static class CkanReadActions
{
    public const string CkanVersion = "2.11.0";

    public static void RegisterAll()
    {
        CkanApi.RegisterRead("package_list", "Return a list of the names of the site's datasets. Parameters: limit, offset.", PackageList);
        CkanApi.RegisterRead("package_search", "Search for datasets. Parameters: q, fq, rows (default 10, max 1000), start, sort, facet.field (JSON list), facet.limit, facet.mincount, include_private, ext_bbox (minx,miny,maxx,maxy).", PackageSearch);
        CkanApi.RegisterRead("current_package_list_with_resources", "Return the site's datasets with their resources, most recently modified first. Parameters: limit (default 10, max 1000), offset (page, deprecated).", CurrentPackageList);
        CkanApi.RegisterRead("package_show", "Return the metadata of a dataset and its resources. Parameters: id (id or name).", PackageShow);
        CkanApi.RegisterRead("organization_list", "Return a list of the organizations. Parameters: all_fields, sort, limit, offset, organizations.", c => GroupList(c, organizations: true));
        CkanApi.RegisterRead("organization_show", "Return the details of an organization. Parameters: id, include_datasets.", c => GroupShow(c, organizations: true));
        CkanApi.RegisterRead("group_list", "Return a list of the groups. Parameters: all_fields, sort, limit, offset, groups.", c => GroupList(c, organizations: false));
        CkanApi.RegisterRead("group_show", "Return the details of a group. Parameters: id, include_datasets.", c => GroupShow(c, organizations: false));
        CkanApi.RegisterRead("tag_list", "Return a list of the site's tags. Parameters: query, all_fields.", TagList);
        CkanApi.RegisterRead("license_list", "Return the list of licenses available for datasets.", _ => Task.FromResult<JsonNode?>(new JsonArray(Licenses.All.Select(l => (JsonNode)CkanDictionaries.License(l)).ToArray())));
        CkanApi.RegisterRead("resource_show", "Return the metadata of a resource. Parameters: id.", ResourceShow);
        CkanApi.RegisterRead("status_show", "Return the site's version and extensions.", StatusShow);
        CkanApi.RegisterRead("site_read", "Return true: the site can be read.", _ => Task.FromResult<JsonNode?>(true));
        CkanApi.RegisterRead("help_show", "Return the help string of an action. Parameters: name.", HelpShow);
        CkanApi.RegisterRead("datastore_search", "Search a datastore resource. Parameters: resource_id, filters, q, fields, sort, limit (default 100, max 32000), offset, include_total, records_format (objects, lists, csv, tsv).", Datastore.Search);
        CkanApi.RegisterRead("datastore_info", "Return the fields of a datastore resource and its row count. Parameters: resource_id (or id), include_meta (default true), include_fields_schema (default true).", Datastore.Info);
        CkanApi.RegisterRead("datastore_search_sql", "Run one read-only SELECT over datastore tables (named by resource id; the system catalogs are not readable). Parameters: sql. Statement timeout 5 s; at most 32000 rows and 16 MB of records, then records_truncated; a record over 1 MB is refused; at most 2 queries at once per address (429).", Datastore.SearchSql);
        CkanWriteActions.RegisterAll();
    }

    /// <summary>The active datasets (private ones only when asked for staff) with everything their dictionaries show.</summary>
    internal static IQueryable<Dataset> Visible(AppDbContext db, bool includePrivate = false) =>
        db.Datasets.AsNoTracking().AsSplitQuery()
            .Include(d => d.Organization).Include(d => d.Tags).Include(d => d.Groups).ThenInclude(g => g.Group).Include(d => d.Resources)
            .Where(d => d.State == "active" && (includePrivate || !d.Private));

    /// <summary>Staff (viewer and above) see private datasets; everybody else never does.</summary>
    private static bool IsStaff(CkanContext c) =>
        c.Http.User.Identity?.IsAuthenticated == true && OpenVeracruz.Platform.Auth.Roles.All.Any(c.Http.User.IsInRole);

    private static async Task<JsonNode?> PackageList(CkanContext c)
    {
        var limit = c.Params.Int("limit", int.MaxValue, 0, int.MaxValue);
        var offset = c.Params.Int("offset", 0, 0, int.MaxValue);
        var names = await c.Service<AppDbContext>().Datasets.Where(d => d.State == "active" && !d.Private)
            .OrderBy(d => d.Name).Select(d => d.Name).Skip(offset).Take(limit).ToListAsync(c.Ct);
        return new JsonArray(names.Select(n => (JsonNode)n).ToArray());
    }

    /// <summary>As CKAN: a page of package_search's results sorted by modification, private datasets for administrators only.</summary>
    private static async Task<JsonNode?> CurrentPackageList(CkanContext c)
    {
        // CKAN pages it as package_search does: 10 by default, at most 1000
        var limit = c.Params.Int("limit", 10, 0, 1000);
        var offset = c.Params.Values.ContainsKey("offset") || !c.Params.Values.ContainsKey("page")
            ? c.Params.Int("offset", 0, 0, int.MaxValue)
            : (int)Math.Min(int.MaxValue, ((long)c.Params.Int("page", 1, 1, int.MaxValue) - 1) * limit);
        var admin = c.Http.User.IsInRole(OpenVeracruz.Platform.Auth.Roles.Admin);
        var datasets = await Visible(c.Service<AppDbContext>(), admin)
            .OrderByDescending(d => d.MetadataModified).ThenBy(d => d.Name).Skip(offset).Take(limit).ToListAsync(c.Ct);
        return new JsonArray(datasets.Select(d => (JsonNode)CkanDictionaries.Package(d, c.BaseUrl)).ToArray());
    }

    private static async Task<JsonNode?> PackageSearch(CkanContext c)
    {
        var p = c.Params;
        var rows = p.Int("rows", 10, 0, 1000);
        var start = p.Int("start", 0, 0, int.MaxValue);
        var sort = p.String("sort") is { Length: > 0 } s ? s : "score desc, metadata_modified desc";
        var comparison = CkanSearch.Sort(sort);
        var (qTerms, freeText) = CkanSearch.Parse(p.String("q"), allowFreeText: true);
        var (fqTerms, _) = CkanSearch.Parse(p.String("fq"), allowFreeText: false);
        var facetFields = p.List("facet.field") ?? [];
        foreach (var f in facetFields.Where(f => !CkanSearch.FacetFields.Contains(f)))
            throw CkanException.Search($"cannot facet on '{f}' (supported: {string.Join(", ", CkanSearch.FacetFields)})");
        var facetLimit = p.Int("facet.limit", 50, -1, int.MaxValue);
        var facetMin = p.Int("facet.mincount", 1, 0, int.MaxValue);
        var includePrivate = p.Bool("include_private", false) && IsStaff(c);

        var db = c.Service<AppDbContext>();
        var query = Visible(db, includePrivate);
        if (p.String("ext_bbox") is { Length: > 0 } bboxText)
        {
            if (!BBox.TryParse(bboxText, Crs.Crs84, out var b, out var error, out _))
                throw CkanException.Validation("ext_bbox", $"Invalid ext_bbox: {error}");
            var env = GeoJson.Factory.ToGeometry(new Envelope(b.MinX, b.MaxX, b.MinY, b.MaxY));
            query = query.Where(d => d.Spatial != null && d.Spatial.Intersects(env));
        }
        Dictionary<Guid, double>? scores = null;
        if (freeText.Length > 0)
        {
            scores = await db.Database.SqlQuery<TextHit>($"""
                SELECT d.id AS "Id", ts_rank(x.v, x.q)::double precision AS "Rank"
                FROM catalog.datasets d JOIN catalog.organizations o ON o.id = d.organization_id
                CROSS JOIN LATERAL (SELECT to_tsvector('spanish', unaccent(d.name || ' ' || d.title || ' ' || d.notes || ' ' || o.title || ' ' ||
                        coalesce((SELECT string_agg(t.name, ' ') FROM catalog.dataset_tags t WHERE t.dataset_id = d.id), ''))) AS v,
                    plainto_tsquery('spanish', unaccent({freeText})) AS q) x
                WHERE x.v @@ x.q
                """).ToDictionaryAsync(h => h.Id, h => h.Rank, c.Ct);
            var ids = scores.Keys.ToList();
            query = query.Where(d => ids.Contains(d.Id));
        }
        var matched = (await query.ToListAsync(c.Ct))
            .Where(d => qTerms.All(t => CkanSearch.Matches(d, t)) && fqTerms.All(t => CkanSearch.Matches(d, t)))
            .Select(d => (D: d, Score: scores?.GetValueOrDefault(d.Id) ?? 1.0))
            .ToList();
        matched.Sort(comparison);

        var facets = new JsonObject();
        var searchFacets = new JsonObject();
        foreach (var field in facetFields)
        {
            var counts = matched.SelectMany(m => CkanSearch.FacetValues(m.D, field).Distinct())
                .GroupBy(v => v.Name).Select(g => (Name: g.Key, Display: g.First().Display, Count: g.Count()))
                .Where(x => x.Count >= facetMin)
                .OrderByDescending(x => x.Count).ThenBy(x => x.Name, StringComparer.Ordinal)
                .Take(facetLimit < 0 ? int.MaxValue : facetLimit).ToList();
            facets[field] = new JsonObject(counts.Select(x => KeyValuePair.Create(x.Name, (JsonNode?)x.Count)));
            searchFacets[field] = new JsonObject
            {
                ["title"] = field,
                ["items"] = new JsonArray(counts.Select(x => (JsonNode)new JsonObject { ["name"] = x.Name, ["display_name"] = x.Display, ["count"] = x.Count }).ToArray()),
            };
        }
        return new JsonObject
        {
            ["count"] = matched.Count,
            ["sort"] = sort,
            ["facets"] = facets,
            ["search_facets"] = searchFacets,
            ["results"] = new JsonArray(matched.Skip(start).Take(rows).Select(m => (JsonNode)CkanDictionaries.Package(m.D, c.BaseUrl)).ToArray()),
        };
    }

    private sealed record TextHit(Guid Id, double Rank);

    internal static async Task<Dataset> FindDatasetAsync(CkanContext c, string idOrName)
    {
        var db = c.Service<AppDbContext>();
        var staff = IsStaff(c);
        var d = Guid.TryParse(idOrName, out var id)
            ? await Visible(db, staff).FirstOrDefaultAsync(x => x.Id == id, c.Ct)
            : await Visible(db, staff).FirstOrDefaultAsync(x => x.Name == idOrName, c.Ct);
        return d ?? throw CkanException.NotFound("Dataset");
    }

    private static async Task<JsonNode?> PackageShow(CkanContext c) =>
        CkanDictionaries.Package(await FindDatasetAsync(c, c.Params.Required("id")), c.BaseUrl);

    private static async Task<JsonNode?> GroupList(CkanContext c, bool organizations)
    {
        var p = c.Params;
        var allFields = p.Bool("all_fields", false);
        var limit = p.Int("limit", 1000, 0, 1000);
        var offset = p.Int("offset", 0, 0, int.MaxValue);
        var sort = (p.String("sort") ?? "name asc").Trim();
        var only = p.List(organizations ? "organizations" : "groups");
        var db = c.Service<AppDbContext>();
        var datasets = await db.Datasets.AsNoTracking().Where(d => d.State == "active" && !d.Private)
            .Select(d => new { d.OrganizationId, Groups = d.Groups.Select(g => g.GroupId).ToList() }).ToListAsync(c.Ct);
        var rows = organizations
            ? (await db.Organizations.AsNoTracking().ToListAsync(c.Ct)).Select(o => (o.Id, o.Name, o.Title, Count: datasets.Count(d => d.OrganizationId == o.Id), Dict: (Func<int, JsonObject>)(n => CkanDictionaries.Organization(o, n)))).ToList()
            : (await db.Groups.AsNoTracking().ToListAsync(c.Ct)).Select(g => (g.Id, g.Name, g.Title, Count: datasets.Count(d => d.Groups.Contains(g.Id)), Dict: (Func<int, JsonObject>)(n => CkanDictionaries.Group(g, n)))).ToList();
        if (only is not null) rows = rows.Where(r => only.Contains(r.Name)).ToList();
        rows = sort switch
        {
            "name asc" or "name" => rows.OrderBy(r => r.Name, StringComparer.Ordinal).ToList(),
            "name desc" => rows.OrderByDescending(r => r.Name, StringComparer.Ordinal).ToList(),
            "title asc" or "title" => rows.OrderBy(r => r.Title, StringComparer.CurrentCulture).ToList(),
            "package_count desc" or "package_count" => rows.OrderByDescending(r => r.Count).ThenBy(r => r.Name, StringComparer.Ordinal).ToList(),
            "package_count asc" => rows.OrderBy(r => r.Count).ThenBy(r => r.Name, StringComparer.Ordinal).ToList(),
            _ => throw CkanException.Validation("sort", $"Cannot sort by '{sort}'"),
        };
        return new JsonArray(rows.Skip(offset).Take(limit).Select(r => allFields ? (JsonNode)r.Dict(r.Count) : r.Name).ToArray());
    }

    private static async Task<JsonNode?> GroupShow(CkanContext c, bool organizations)
    {
        var key = c.Params.Required("id");
        var includeDatasets = c.Params.Bool("include_datasets", false);
        var db = c.Service<AppDbContext>();
        Guid.TryParse(key, out var id);
        JsonObject dict;
        IQueryable<Dataset> members;
        if (organizations)
        {
            var o = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(x => x.Name == key || x.Id == id, c.Ct) ?? throw CkanException.NotFound("Organization");
            members = Visible(db).Where(d => d.OrganizationId == o.Id);
            dict = CkanDictionaries.Organization(o, await members.CountAsync(c.Ct));
        }
        else
        {
            var g = await db.Groups.AsNoTracking().FirstOrDefaultAsync(x => x.Name == key || x.Id == id, c.Ct) ?? throw CkanException.NotFound("Group");
            members = Visible(db).Where(d => d.Groups.Any(x => x.GroupId == g.Id));
            dict = CkanDictionaries.Group(g, await members.CountAsync(c.Ct));
        }
        if (includeDatasets)
            dict["packages"] = new JsonArray((await members.OrderBy(d => d.Name).Take(1000).ToListAsync(c.Ct)).Select(d => (JsonNode)CkanDictionaries.Package(d, c.BaseUrl)).ToArray());
        return dict;
    }

    private static async Task<JsonNode?> TagList(CkanContext c)
    {
        var query = c.Params.String("query");
        var allFields = c.Params.Bool("all_fields", false);
        var names = await c.Service<AppDbContext>().Datasets.Where(d => d.State == "active" && !d.Private)
            .SelectMany(d => d.Tags.Select(t => t.Name)).Distinct().ToListAsync(c.Ct);
        var list = names.Where(n => query is null || n.Contains(query, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal);
        return new JsonArray(list.Select(n => allFields ? (JsonNode)CkanDictionaries.Tag(n) : n).ToArray());
    }

    private static async Task<JsonNode?> ResourceShow(CkanContext c)
    {
        if (!Guid.TryParse(c.Params.Required("id"), out var id)) throw CkanException.NotFound("Resource");
        var db = c.Service<AppDbContext>();
        var r = await db.Resources.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.State == "active", c.Ct);
        if (r is null || !await db.Datasets.AnyAsync(d => d.Id == r.DatasetId && d.State == "active" && !d.Private, c.Ct))
            throw CkanException.NotFound("Resource");
        return Uploads.UploadActions.WithStatus(CkanDictionaries.Resource(r, c.BaseUrl), await Uploads.UploadStatus.LatestAsync(db, r.Id, c.Ct));
    }

    private static Task<JsonNode?> StatusShow(CkanContext c) => Task.FromResult<JsonNode?>(new JsonObject
    {
        ["site_title"] = "OpenVeracruz — Datos abiertos del municipio de Veracruz",
        ["site_url"] = c.BaseUrl,
        ["site_description"] = "Catálogo de datos abiertos y sistema de información geográfica del H. Ayuntamiento de Veracruz.",
        ["ckan_version"] = CkanVersion,
        ["error_emails_to"] = null,
        ["locale_default"] = "es",
        ["extensions"] = new JsonArray("openveracruz", "datastore", "spatial", "dcat"),
    });

    private static Task<JsonNode?> HelpShow(CkanContext c)
    {
        var name = c.Params.Required("name");
        return Task.FromResult<JsonNode?>(CkanApi.HelpFor(name) ?? throw CkanException.NotFound($"Action function not found: {name}"));
    }
}
