using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Catalog.Uploads;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>
/// Imports one uploaded version of a resource as a layer. Takes ids; a rerun of a version imports it again the same
/// way. The file is read and checked first (bad rows go to the report); then, in one transaction, the layer table
/// is replaced (staging table, binary COPY, swap), the layer registered, the resource made datastore-active with its
/// CSV/GeoJSON/OGC distributions, the version and the job's state written. A failure leaves the previous version.
/// Failures end in a recorded state: a file that cannot be read is refused; a transient database error (connection
/// lost, deadlock, timeout) is retried here a few times; anything else would fail the same way again and is recorded once.
/// </summary>
public sealed class ImportUploadJob(NpgsqlDataSource ds, LayerRegistry registry, UploadStore store, IOptions<UploadOptions> options, ILogger<ImportUploadJob> log)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The waits before the second, third and fourth attempt after a transient error; then the failure is recorded.</summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(16)];

    /// <summary>Hangfire's entry point. Hangfire does not retry it: the job retries what may pass and records the rest.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid resourceId, int version) => ImportAsync(resourceId, version, CancellationToken.None);

    /// <summary>Imports the version; throws, after recording it, only a failure that is no fault of the file.</summary>
    public async Task ImportAsync(Guid resourceId, int version, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var report = new ImportReport(options.Value.MaxReportRows);
            try
            {
                await AttemptAsync(resourceId, version, report, ct);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var transient = IsTransient(e);
                if (transient && attempt <= RetryDelays.Length)
                {
                    log.LogWarning(e, "Import of {Resource} version {Version}: attempt {Attempt} met a transient error; trying again", resourceId, version, attempt);
                    await Task.Delay(RetryDelays[attempt - 1], ct);
                    continue;
                }
                log.LogError(e, "Import of {Resource} version {Version} failed (attempt {Attempt})", resourceId, version, attempt);
                var reason = Reason(e);
                var message = transient
                    ? $"The import failed in {attempt} attempts in a row and stopped: {reason} / La importación falló en {attempt} intentos seguidos y se detuvo: {reason}"
                    : $"The import failed and will not be retried: {reason} / La importación falló y no se reintentará: {reason}";
                try { await FailAsync(resourceId, version, message, report, ct); }
                catch (Exception recording) when (recording is not OperationCanceledException)
                {
                    log.LogError(recording, "Import of {Resource} version {Version}: the failure could not be recorded", resourceId, version);
                }
                throw;
            }
        }
    }

    /// <summary>
    /// What the status says of an error: it is public for a public dataset, so PostgreSQL's own words without its DETAIL
    /// (row values), and no connection details (server address).
    /// </summary>
    private static string Reason(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            switch (x)
            {
                case PostgresException pg: return StorableText.Clean($"{pg.SqlState}: {pg.MessageText}");
                case NpgsqlException or TimeoutException: return "the connection to the database failed or timed out";
            }
        return StorableText.Clean(e.Message);
    }

    /// <summary>Errors that may pass on their own: the connection, the server's state or a lock, never the data.</summary>
    private static bool IsTransient(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            switch (x)
            {
                case PostgresException pg:
                    // 08: connection; 40: deadlock, serialization; 53: resources; 57: shutdown, cancelled by timeout; 58: system
                    return pg.IsTransient || pg.SqlState[..2] is "08" or "40" or "53" or "57" or "58";
                case NpgsqlException { IsTransient: true }:
                case TimeoutException:
                    return true;
            }
        return false;
    }

    private async Task AttemptAsync(Guid resourceId, int version, ImportReport report, CancellationToken ct)
    {
        ResourceVersion v;
        await using (var db = PlatformDatabase.CreateContext(ds))
        {
            var found = await db.ResourceVersions.AsNoTracking().FirstOrDefaultAsync(x => x.ResourceId == resourceId && x.Version == version, ct);
            var job = await db.ImportJobs.FirstOrDefaultAsync(x => x.ResourceId == resourceId && x.Version == version, ct);
            if (found is null || job is null)
            {
                log.LogWarning("Import of {Resource} version {Version}: no such upload", resourceId, version);
                return;
            }
            v = found;
            job.Start(DateTime.UtcNow);
            await db.SaveChangesAsync(ct);
        }
        var started = DateTime.UtcNow;
        try
        {
            var table = await ReadAsync(v, report, ct);
            await ProgressAsync(resourceId, version, 0, table.Rows.Count, ct);
            await WriteAsync(v, table, ct);
            log.LogInformation("Imported {Resource} version {Version}: {Rows} rows, {Rejected} rejected, {Repaired} repaired in {Seconds:F1} s",
                resourceId, version, table.Rows.Count, report.Rejected, report.Repaired, (DateTime.UtcNow - started).TotalSeconds);
        }
        catch (UploadRejectedException e)
        {
            await FailAsync(resourceId, version, e.Message, e.Report, ct);
        }
        catch (SupersededException e)
        {
            await FailAsync(resourceId, version, e.Message, report, ct);
        }
    }

    private async Task<UploadedTable> ReadAsync(ResourceVersion v, ImportReport report, CancellationToken ct)
    {
        var path = store.PathOf(v);
        if (!File.Exists(path)) throw report.Refuse($"The stored file {v.StoredPath} is missing.", $"Falta el archivo guardado {v.StoredPath}.");
        return v.Format switch
        {
            "csv" => CsvUpload.Read(await File.ReadAllBytesAsync(path, ct), report),
            "geojson" => GeoJsonUpload.Read(await File.ReadAllBytesAsync(path, ct), report),
            "shapefile" => await ShapefileUpload.ReadAsync(path, v.Epsg, options.Value, ds, report, ct),
            "gpkg" => await GeoPackageUpload.ReadAsync(path, v.Epsg, ds, report, ct),
            _ => throw report.Refuse($"Unknown format '{v.Format}'.", $"Formato desconocido '{v.Format}'."),
        };
    }

    private sealed class SupersededException(string message) : Exception(message);

    private async Task WriteAsync(ResourceVersion v, UploadedTable table, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        Guid datasetId;
        await using (var conn = await ds.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        await using (var db = PlatformDatabase.CreateContext(conn))
        {
            await db.Database.UseTransactionAsync(tx, ct);
            // one import per resource at a time; a version older than one already imported does not replace it
            await LayerLoader.Exec(conn, tx, $"SELECT pg_advisory_xact_lock(hashtextextended('{v.ResourceId}', 0))", ct);
            var newer = await db.ResourceVersions.Where(x => x.ResourceId == v.ResourceId && x.Version > v.Version && x.RowCount != null)
                .MaxAsync(x => (int?)x.Version, ct);
            if (newer is not null)
                throw new SupersededException($"Version {newer} of this resource was imported after this one was uploaded: it stays. / " +
                                              $"La versión {newer} de este recurso se importó después de subir esta: se conserva.");

            var resource = await db.Resources.FirstAsync(r => r.Id == v.ResourceId, ct);
            var dataset = await db.Datasets.Include(d => d.Organization).Include(d => d.Resources).FirstAsync(d => d.Id == resource.DatasetId, ct);
            datasetId = dataset.Id;
            var layerId = UploadedLayers.LayerId(v.ResourceId);
            var (schema, tableName) = UploadedLayers.TableOf(v.ResourceId);
            var record = await db.Layers.FirstOrDefaultAsync(l => l.Id == layerId, ct);
            if (record is null)
                db.Layers.Add(record = new LayerRecord { Id = layerId, Title = "", Table = "", GeometryType = "", KeyColumn = ColumnNames.Key, Created = now });
            var properties = table.Properties();
            record.Title = resource.Name;
            record.Table = $"{schema}.{tableName}";
            record.GeometryType = table.GeometryType;
            record.KeyColumn = ColumnNames.Key;
            record.Properties = LayerRecord.WriteProperties(properties);
            record.DatasetId = dataset.Id;
            record.ResourceId = resource.Id;
            record.Updated = now;
            var layer = UploadedLayers.Define(record, dataset, dataset.Organization?.Name ?? "", properties);

            long fid = 0;
            var rows = table.Rows.Select(r => ((object?[])[++fid, .. r.Values], r.Geometry));
            var count = await LayerLoader.ReplaceTableAsync(conn, tx, layer, rows, n => ProgressAsync(v.ResourceId, v.Version, n, table.Rows.Count, ct), ct);
            // only what package_show shows gets a view for datastore_search_sql (the refresh below settles a concurrent change)
            var visible = dataset.State == "active" && !dataset.Private && resource.State == "active";
            await LayerLoader.Exec(conn, tx, visible ? LayerSql.DatastoreView(layer, resource.Id, await CatalogSync.ReaderRoleExistsAsync(conn, tx, ct))
                : LayerSql.DropDatastoreView(resource.Id), ct);

            resource.DatastoreActive = true;
            resource.LayerId = layerId;
            resource.Url = $"/downloads/{layerId}.csv";
            resource.LastModified = now;
            var position = dataset.Resources.Max(r => r.Position);
            // the upload itself is the CSV distribution; its GeoJSON and OGC API doors are added beside it
            foreach (var (name, format, mime, url, datastore) in CatalogSync.LayerResources(layerId).Where(x => x.Format != "CSV"))
            {
                var id = StableId.From("resource", resource.Id.ToString(), format);
                var door = dataset.Resources.FirstOrDefault(r => r.Id == id);
                if (door is null)
                    dataset.Resources.Add(door = new Resource { Id = id, DatasetId = dataset.Id, Name = "", Format = format, MimeType = mime, Url = url, Created = now, Position = ++position });
                door.Name = $"{resource.Name} — {name}";
                door.Description = $"{resource.Name}: {name}";
                door.Url = url;
                door.LayerId = layerId;
                door.DatastoreActive = datastore;
                door.State = "active";
                door.LastModified = now;
            }
            dataset.LayerId ??= layerId;
            dataset.MetadataModified = now;

            var version = await db.ResourceVersions.FirstAsync(x => x.ResourceId == v.ResourceId && x.Version == v.Version, ct);
            version.RowCount = count;
            version.RejectedCount = table.Report.Rejected;
            var job = await db.ImportJobs.FirstAsync(x => x.ResourceId == v.ResourceId && x.Version == v.Version, ct);
            job.RowsTotal = count;
            job.Succeed(count, table.Report.Rejected, table.Report.Repaired, ReportJson(table.Report),
                $"Imported {count} rows as layer {layerId}; {table.Report.Rejected} rejected, {table.Report.Repaired} geometries repaired.", DateTime.UtcNow);
            await db.SaveChangesAsync(ct);
            if (dataset.LayerId == layerId)
                await LayerLoader.Exec(conn, tx, $"UPDATE catalog.datasets SET spatial = (SELECT ST_SetSRID(ST_Expand(ST_Extent(geom)::geometry, 0.000001), 4326) FROM {layer.QualifiedTable}) WHERE id = '{dataset.Id}'", ct);
            await tx.CommitAsync(ct);
        }
        await using var fresh = PlatformDatabase.CreateContext(ds);
        await UploadedLayers.RefreshAsync(fresh, registry, datasetId, ct);
    }

    private static string ReportJson(ImportReport report)
    {
        var rows = report.Problems.ToList();
        if (report.Omitted > 0) rows.Add(new ImportProblem(0, "report", $"{report.Omitted} more problems are not listed"));
        return JsonSerializer.Serialize(rows, Json);
    }

    private async Task ProgressAsync(Guid resourceId, int version, long done, long total, CancellationToken ct)
    {
        await using var cmd = ds.CreateCommand("UPDATE catalog.import_jobs SET rows_done = @d, rows_total = @t WHERE resource_id = @r AND version = @v");
        cmd.Parameters.AddWithValue("d", done);
        cmd.Parameters.AddWithValue("t", total);
        cmd.Parameters.AddWithValue("r", resourceId);
        cmd.Parameters.AddWithValue("v", version);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task FailAsync(Guid resourceId, int version, string message, ImportReport report, CancellationToken ct)
    {
        await using var db = PlatformDatabase.CreateContext(ds);
        var job = await db.ImportJobs.FirstAsync(x => x.ResourceId == resourceId && x.Version == version, ct);
        job.Fail(report.Rejected, ReportJson(report), message, DateTime.UtcNow);
        await db.SaveChangesAsync(ct);
        log.LogWarning("Import of {Resource} version {Version} refused: {Message}", resourceId, version, message);
    }
}
