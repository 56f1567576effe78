using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>
/// Keeps this instance's registry of imported layers in step with the other instances': a change of a dataset's layers
/// (an import, a dataset made private or deleted, a resource deleted) is announced with <c>pg_notify('ov_layers',
/// dataset id)</c> by the instance that made it, and every instance LISTENs (on the listen connection) and refreshes
/// that dataset's layers in its registry. After a lost connection the whole registry is refreshed once, for what was
/// announced meanwhile.
/// </summary>
public sealed class LayerChanges(
    [FromKeyedServices(PlatformDatabase.Listen)] NpgsqlDataSource listen, IServiceScopeFactory scopes, LayerRegistry registry, ILogger<LayerChanges> log)
    : PgListener(listen, Channel, log)
{
    public const string Channel = "ov_layers";
    /// <summary>Datasets to refresh; null: all of them.</summary>
    private readonly Channel<Guid?> _pending = System.Threading.Channels.Channel.CreateUnbounded<Guid?>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Announces a change of <paramref name="datasetId"/>'s layers; heard once the caller's transaction (if any) commits.</summary>
    public static async Task AnnounceAsync(NpgsqlConnection conn, Guid datasetId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT pg_notify('{Channel}', @d)", conn);
        cmd.Parameters.AddWithValue("d", datasetId.ToString());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    protected override void Heard(string payload)
    {
        if (Guid.TryParse(payload, out var dataset)) _pending.Writer.TryWrite(dataset);
    }

    protected override void Connected() => _pending.Writer.TryWrite(null);

    protected override Task ExecuteAsync(CancellationToken stop) => Task.WhenAll(base.ExecuteAsync(stop), RefreshLoopAsync(stop));

    private async Task RefreshLoopAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var dataset in _pending.Reader.ReadAllAsync(stop))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await UploadedLayers.RefreshAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), registry, dataset, stop, registryOnly: true);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Could not refresh the imported layers of {Dataset}", dataset?.ToString() ?? "every dataset");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }
}
