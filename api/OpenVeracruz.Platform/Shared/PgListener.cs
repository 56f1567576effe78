using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpenVeracruz.Platform.Shared;

/// <summary>
/// One connection that LISTENs on a PostgreSQL channel for the life of the process, reconnecting after a loss. It needs a
/// session of its own: give it the listen data source (ConnectionStrings:OpenVeracruzListen, PostgreSQL directly or a
/// session-mode pool), never PgBouncer's transaction pool. <see cref="Heard"/> runs on the connection's reading loop: keep
/// it short (wake something, queue work); <see cref="Connected"/> runs after every (re)connection, for what may have been
/// missed while the connection was down.
/// </summary>
public abstract class PgListener(NpgsqlDataSource listen, string channel, ILogger log) : BackgroundService
{
    protected abstract void Heard(string payload);

    protected virtual void Connected() { }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await listen.OpenConnectionAsync(stop);
                conn.Notification += (_, e) => Heard(e.Payload);
                await using (var cmd = new NpgsqlCommand($"LISTEN {channel}", conn)) await cmd.ExecuteNonQueryAsync(stop);
                Connected();
                while (!stop.IsCancellationRequested) await conn.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                log.LogWarning("Notifications on {Channel} lost their connection ({Error}); reconnecting", channel, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
