using Npgsql;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>
/// The views datastore_search_sql reads, one per datastore resource, named by its id (schema datastore). Only what
/// package_show shows has one: an active datastore resource of an active, public dataset. The views of every other
/// resource are dropped, so the reader role can neither read them nor find their names in information_schema.
/// </summary>
public static class DatastoreViews
{
    /// <summary>
    /// Brings the views of one dataset (or of all, dropping orphans too) in line with what is public now. Only what
    /// differs is changed, unless <paramref name="recreate"/> (a layer's columns may have changed).
    /// </summary>
    public static async Task SyncAsync(NpgsqlConnection conn, LayerRegistry registry, Guid? datasetId, bool recreate, CancellationToken ct)
    {
        var wanted = new Dictionary<Guid, LayerDefinition>();
        var known = new HashSet<Guid>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT r.id, r.layer_id, r.state = 'active' AND d.state = 'active' AND NOT d.private
            FROM catalog.resources r JOIN catalog.datasets d ON d.id = r.dataset_id
            WHERE r.datastore_active AND r.layer_id IS NOT NULL AND (@d::uuid IS NULL OR r.dataset_id = @d::uuid)
            """, conn))
        {
            cmd.Parameters.AddWithValue("d", (object?)datasetId ?? DBNull.Value);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                known.Add(r.GetGuid(0));
                if (r.GetBoolean(2) && registry.Find(r.GetString(1)) is { } layer) wanted[r.GetGuid(0)] = layer;
            }
        }
        var existing = new HashSet<Guid>();
        await using (var cmd = new NpgsqlCommand("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'datastore' AND c.relkind = 'v'", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                if (Guid.TryParse(r.GetString(0), out var id)) existing.Add(id);

        var ddl = new List<string>();
        var grant = await CatalogSync.ReaderRoleExistsAsync(conn, null, ct);
        foreach (var (id, layer) in wanted)
            if (recreate || !existing.Contains(id)) ddl.Add(LayerSql.DatastoreView(layer, id, grant));
        // a view of a resource that is no longer public, or (in a full pass) of a resource that is gone altogether
        foreach (var id in existing.Where(id => !wanted.ContainsKey(id) && (datasetId is null || known.Contains(id))))
            ddl.Add(LayerSql.DropDatastoreView(id));
        if (ddl.Count == 0) return;
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var statement in ddl)
            await using (var cmd = new NpgsqlCommand(statement, conn, tx))
                await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }
}
