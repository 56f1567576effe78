using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>
/// Every layer of the registry is a dataset: this mirrors datasets/*/dataset.json and datasets/organizations.json
/// into the catalog tables (organizations, groups, datasets, tags, resources), with the spatial extent computed
/// from the data. Ids are name-based, so a rerun updates in place and download counts survive.
/// </summary>
public sealed class CatalogSync(AppDbContext db, LayerRegistry registry, NpgsqlDataSource ds)
{
    private sealed record OrgSeed(string Name, string Title, string Description);
    private sealed record Seeds(OrgSeed[] Organizations, OrgSeed[] Groups);

    /// <summary>The standard distributions of a layer: name, format, mime type, URL, datastore.</summary>
    public static IEnumerable<(string Name, string Format, string Mime, string Url, bool Datastore)> LayerResources(string layer) =>
    [
        ("CSV (hoja de cálculo)", "CSV", "text/csv", $"/downloads/{layer}.csv", true),
        ("GeoJSON", "GeoJSON", "application/geo+json", $"/downloads/{layer}.geojson", false),
        ("GeoPackage (QGIS, ArcGIS)", "GPKG", "application/geopackage+sqlite3", $"/downloads/{layer}.gpkg", false),
        ("Shapefile (ZIP con .prj y .cpg)", "SHP", "application/zip", $"/downloads/{layer}.shp.zip", false),
        ("KML (Google Earth)", "KML", "application/vnd.google-earth.kml+xml", $"/downloads/{layer}.kml", false),
        ("OGC API – Features", "OGC API - Features", "application/json", $"/ogc/collections/{layer}", false),
    ];

    public async Task SyncAsync(CancellationToken ct = default)
    {
        var now = DateTime.UtcNow;
        var seeds = JsonSerializer.Deserialize<Seeds>(await File.ReadAllTextAsync(Path.Combine(registry.DatasetsPath, "organizations.json"), ct), DatasetManifest.Json)
            ?? throw new InvalidDataException("organizations.json is empty");
        foreach (var o in seeds.Organizations)
        {
            var org = await db.Organizations.FirstOrDefaultAsync(x => x.Name == o.Name, ct);
            if (org is null) db.Organizations.Add(org = new Organization { Id = StableId.From("organization", o.Name), Name = o.Name, Title = o.Title, Created = now });
            org.Title = o.Title;
            org.Description = o.Description;
        }
        foreach (var g in seeds.Groups)
        {
            var group = await db.Groups.FirstOrDefaultAsync(x => x.Name == g.Name, ct);
            if (group is null) db.Groups.Add(group = new Group { Id = StableId.From("group", g.Name), Name = g.Name, Title = g.Title, Created = now });
            group.Title = g.Title;
            group.Description = g.Description;
        }
        await db.SaveChangesAsync(ct);

        var orgs = await db.Organizations.ToDictionaryAsync(o => o.Name, ct);
        var groups = await db.Groups.ToDictionaryAsync(g => g.Name, ct);
        var loads = await db.DatasetLoads.ToDictionaryAsync(l => l.DatasetId, ct);
        foreach (var m in registry.Datasets)
        {
            if (!orgs.TryGetValue(m.Organization, out var org))
                throw new InvalidDataException($"dataset {m.Id}: organization '{m.Organization}' is not in organizations.json");
            var d = await db.Datasets.Include(x => x.Tags).Include(x => x.Groups).Include(x => x.Resources).FirstOrDefaultAsync(x => x.Name == m.Id, ct);
            var loadedAt = loads.TryGetValue(m.Id, out var load) ? load.LoadedAt.UtcDateTime : now;
            if (d is null)
                db.Datasets.Add(d = new Dataset { Id = StableId.From("dataset", m.Id), Name = m.Id, Title = m.Title, LicenseId = m.License.Id, MetadataCreated = loadedAt, MetadataModified = loadedAt });
            d.Title = m.Title;
            d.Notes = m.Description;
            d.OrganizationId = org.Id;
            d.LicenseId = m.License.Id;
            d.SourceUrl = m.Source.Url;
            d.SourceName = m.Source.Name;
            d.Attribution = m.License.Attribution;
            d.Synthetic = m.Synthetic;
            d.UpdateFrequency = m.UpdateFrequency;
            d.TemporalCoverage = m.Date;
            d.LayerId = m.Layer?.Id;
            d.Origin = "bundled";
            d.State = "active";
            // modified = when the data or its dataset.json last changed (the load), never before it was first published
            d.MetadataModified = loadedAt > d.MetadataCreated ? loadedAt : d.MetadataCreated;

            var tags = m.Tags.Distinct().ToList();
            d.Tags.RemoveAll(t => !tags.Contains(t.Name));
            foreach (var t in tags.Where(t => d.Tags.All(x => x.Name != t))) d.Tags.Add(new DatasetTag { DatasetId = d.Id, Name = t });
            var groupIds = m.Groups.Select(g => groups.TryGetValue(g, out var x) ? x.Id : throw new InvalidDataException($"dataset {m.Id}: unknown group '{g}'")).ToList();
            d.Groups.RemoveAll(g => !groupIds.Contains(g.GroupId));
            foreach (var g in groupIds.Where(g => d.Groups.All(x => x.GroupId != g))) d.Groups.Add(new DatasetGroup { DatasetId = d.Id, GroupId = g });

            if (m.Layer is { } layer)
            {
                var position = 0;
                foreach (var (name, format, mime, url, datastore) in LayerResources(layer.Id))
                {
                    var id = StableId.From("resource", m.Id, format);
                    var r = d.Resources.FirstOrDefault(x => x.Id == id);
                    if (r is null) d.Resources.Add(r = new Resource { Id = id, DatasetId = d.Id, Name = name, Format = format, MimeType = mime, Url = url, Created = now });
                    r.Position = position++;
                    r.Name = name;
                    r.Url = url;
                    r.LayerId = layer.Id;
                    r.DatastoreActive = datastore;
                    r.Description = $"{m.Title} — {name}";
                    r.LastModified = d.MetadataModified;
                }
                d.Spatial = await ExtentAsync(registry.Find(layer.Id)!, ct);
            }
        }
        await db.SaveChangesAsync(ct);
        await using (var conn = await ds.OpenConnectionAsync(ct))
            await DatastoreViews.SyncAsync(conn, registry, null, recreate: true, ct);
    }

    /// <summary>Whether the datastore reader role exists, so the views can be granted to it.</summary>
    public static async Task<bool> ReaderRoleExistsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var role = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @r)", conn, tx);
        role.Parameters.AddWithValue("r", LayerSql.DatastoreReaderRole);
        return (bool)(await role.ExecuteScalarAsync(ct))!;
    }

    private async Task<Polygon?> ExtentAsync(LayerDefinition layer, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var cmd = LayerSql.Extent(conn, layer);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || r.IsDBNull(0)) return null;
        var env = new Envelope(r.GetDouble(0), r.GetDouble(2), r.GetDouble(1), r.GetDouble(3));
        if (env.Width == 0 || env.Height == 0) env.ExpandBy(1e-6); // a single point still covers an area
        var p = GeoJson.Factory.CreatePolygon([new(env.MinX, env.MinY), new(env.MaxX, env.MinY), new(env.MaxX, env.MaxY), new(env.MinX, env.MaxY), new(env.MinX, env.MinY)]);
        p.SRID = Crs.StorageSrid;
        return p;
    }
}
