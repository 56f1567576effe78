using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>
/// The layers imported from uploads, as registry entries: their catalog.layers row plus their dataset's metadata
/// (title, licence, attribution). Only layers of active, public datasets and active resources are published.
/// </summary>
public static class UploadedLayers
{
    public const string Kind = LayerDefinition.UploadedKind;

    /// <summary>Layer id of an uploaded resource: u_ and the first 8 hex digits of its id.</summary>
    public static string LayerId(Guid resourceId) => "u_" + resourceId.ToString("N")[..8];

    /// <summary>The table (schema uploads) of an uploaded resource, named by its whole id.</summary>
    public static (string Schema, string Table) TableOf(Guid resourceId) => ("uploads", "r_" + resourceId.ToString("N"));

    public static LayerDefinition Define(LayerRecord record, Dataset dataset, string organization, IReadOnlyList<LayerPropertyManifest>? properties = null)
    {
        var license = Licenses.Find(dataset.LicenseId);
        var parts = record.Table.Split('.');
        var props = properties ?? record.ReadProperties();
        var manifest = new DatasetManifest(dataset.Name, dataset.Title, dataset.Notes, organization,
            new DatasetSource(dataset.SourceName, dataset.SourceUrl, null),
            new DatasetLicense(dataset.LicenseId, license?.Title ?? dataset.LicenseId, license?.Url ?? "", dataset.Attribution),
            "EPSG:4326", dataset.TemporalCoverage, dataset.Synthetic, [], [], dataset.UpdateFrequency,
            new LayerManifest(record.Id, record.Title, record.Table, record.GeometryType, record.KeyColumn, Kind, 0, false, [], null, [.. props]),
            null);
        return new LayerDefinition(record.Id, record.Title, dataset.Notes, parts[0], parts[1], "geom", record.GeometryType, record.KeyColumn,
            Crs.StorageSrid, Kind, 0, false, props, manifest, "");
    }

    /// <summary>
    /// Registers (or withdraws) the imported layers and the datastore views of one dataset, or of every dataset, as their
    /// state now says. A change of one dataset is then announced to the other instances (<see cref="LayerChanges"/>), which
    /// refresh their registry only (<paramref name="registryOnly"/>): the views are in the shared database already.
    /// </summary>
    public static async Task RefreshAsync(AppDbContext db, LayerRegistry registry, Guid? datasetId, CancellationToken ct, bool registryOnly = false)
    {
        var rows = await (from l in db.Layers.AsNoTracking()
                          join d in db.Datasets.AsNoTracking().Include(d => d.Organization) on l.DatasetId equals d.Id
                          join r in db.Resources.AsNoTracking() on l.ResourceId equals r.Id
                          where datasetId == null || l.DatasetId == datasetId
                          select new { Layer = l, Dataset = d, ResourceActive = r.State == "active" }).ToListAsync(ct);
        foreach (var row in rows)
        {
            if (row.Dataset.State == "active" && !row.Dataset.Private && row.ResourceActive)
                registry.Register(Define(row.Layer, row.Dataset, row.Dataset.Organization?.Name ?? ""));
            else
                registry.Remove(row.Layer.Id);
        }
        if (registryOnly) return;
        // the SQL door follows: a dataset made private or deleted loses its datastore views here
        var conn = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await DatastoreViews.SyncAsync(conn, registry, datasetId, recreate: false, ct);
            if (datasetId is { } changed) await LayerChanges.AnnounceAsync(conn, changed, ct);
        }
        finally { await db.Database.CloseConnectionAsync(); }
    }
}

/// <summary>In a web process whose jobs run in a separate worker: reloads the imported layers every Jobs:LayerSyncSeconds (15).</summary>
public sealed class UploadedLayersSync(IServiceScopeFactory scopes, LayerRegistry registry, IConfiguration config, ILogger<UploadedLayersSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(config.GetValue("Jobs:LayerSyncSeconds", 15)));
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await UploadedLayers.RefreshAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), registry, null, stop);
            }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Could not reload the imported layers"); }
        }
    }
}
