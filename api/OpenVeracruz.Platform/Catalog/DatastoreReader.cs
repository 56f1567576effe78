using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>Limits of datastore_search_sql (configuration section "Datastore").</summary>
public sealed class DatastoreOptions
{
    /// <summary>Rows returned at most (CKAN's ckan.datastore.search.rows_max); more are reported as records_truncated.</summary>
    public int SqlMaxRows { get; set; } = 32_000;
    /// <summary>Bytes of records returned at most (16 MB); the rows after are left out and reported as records_truncated.</summary>
    public int SqlMaxBytes { get; set; } = 16 * 1024 * 1024;
    /// <summary>Bytes one record may take as JSON (1 MB): a larger value is refused, not read.</summary>
    public int SqlMaxRecordBytes { get; set; } = 1024 * 1024;
    /// <summary>Statement timeout, enforced by the server (SET LOCAL statement_timeout) and, a little later, by the client.</summary>
    public int SqlTimeoutMs { get; set; } = 5_000;
    /// <summary>Queries one client address may run at once; more are answered 429 at once.</summary>
    public int SqlMaxConcurrentPerClient { get; set; } = 2;
    /// <summary>Queries running at once for everybody; kept below the reader's pool so a connection is always free for them.</summary>
    public int SqlMaxConcurrent { get; set; } = 6;
    /// <summary>How long a query waits for one of those places before it is answered 429 (ms).</summary>
    public int SqlQueueMs { get; set; } = 2_000;
}

/// <summary>
/// Connections for datastore_search_sql, logged in as the reader role itself (never the application's role):
/// its session user can read the datastore views and nothing else, and cannot SET ROLE to anything more.
/// Configure with ConnectionStrings__OpenVeracruzDatastore; by default the main connection with Username=ov_datastore_reader.
/// Also the door's admission: a few queries per client address, and fewer in all than the pool holds.
/// </summary>
public sealed class DatastoreReader : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly PartitionedRateLimiter<string> _perClient;
    private readonly ConcurrencyLimiter _global;
    private readonly DatastoreOptions _options;
    private volatile bool _hardened;

    public DatastoreReader(string connectionString, DatastoreOptions options)
    {
        _options = options;
        _source = new NpgsqlDataSourceBuilder(connectionString).Build();
        _perClient = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetConcurrencyLimiter(client,
            _ => new ConcurrencyLimiterOptions { PermitLimit = Math.Max(1, options.SqlMaxConcurrentPerClient), QueueLimit = 0 }));
        // two connections of the pool stay free whatever is configured: a long query never makes a short one wait for one
        var pool = new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize;
        _global = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Clamp(options.SqlMaxConcurrent, 1, Math.Max(1, pool - 2)), QueueLimit = 1000, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public DatastoreOptions Options => _options;

    public static string DefaultConnectionString(string main) =>
        new NpgsqlConnectionStringBuilder(main) { Username = LayerSql.DatastoreReaderRole, Password = null, MaxPoolSize = 10 }.ConnectionString;

    /// <summary>A place to run one query, for this client and in all; 429 in CKAN's envelope when there is none.</summary>
    public async Task<IDisposable> AdmitAsync(HttpContext http, CancellationToken ct)
    {
        var mine = _perClient.AttemptAcquire(http.RequestServices.GetRequiredService<ClientAddresses>().KeyOf(http));
        if (!mine.IsAcquired)
        {
            mine.Dispose();
            throw new CkanException(429, "Too Many Requests",
                $"Too many requests: at most {_options.SqlMaxConcurrentPerClient} datastore_search_sql queries may run at once from one address; wait for one to finish.") { RetryAfter = 1 };
        }
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(_options.SqlQueueMs);
        RateLimitLease? all = null;
        try { all = await _global.AcquireAsync(1, wait.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        if (all is not { IsAcquired: true })
        {
            all?.Dispose();
            mine.Dispose();
            throw new CkanException(429, "Too Many Requests", "Too many requests: the datastore is busy with other queries; try again in a moment.") { RetryAfter = 1 };
        }
        return new Leases(mine, all);
    }

    private sealed class Leases(RateLimitLease a, RateLimitLease b) : IDisposable
    {
        public void Dispose() { b.Dispose(); a.Dispose(); }
    }

    /// <summary>The client's address as one key: IPv4-mapped IPv6 as IPv4, and IPv6 by its /64 (one host's usual share).</summary>

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        NpgsqlConnection conn;
        try { conn = await _source.OpenConnectionAsync(ct); }
        catch (NpgsqlException e)
        {
            throw new CkanException(409, "Validation Error", $"datastore_search_sql is not available: the reader role cannot connect ({e.Message}).");
        }
        if (_hardened) return conn;
        // fail safe: without infra/postgis.sh's hardening the reader could cancel others' queries or hold advisory locks
        await using var check = new NpgsqlCommand("""
            SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1) FROM pg_proc p
            WHERE p.pronamespace = 'pg_catalog'::regnamespace AND has_function_privilege(p.oid, 'EXECUTE')
              AND (p.proname IN ('pg_cancel_backend', 'pg_terminate_backend') OR p.proname LIKE 'pg\_%advisory%')
            """, conn);
        if (await check.ExecuteScalarAsync(ct) is string open)
        {
            await conn.DisposeAsync();
            throw new CkanException(503, "Service Unavailable",
                $"datastore_search_sql is not available: the database is not hardened for the reader role (it may still call {open}); run infra/postgis.sh ensure as the database superuser.");
        }
        _hardened = true;
        return conn;
    }

    public async ValueTask DisposeAsync()
    {
        _perClient.Dispose();
        _global.Dispose();
        await _source.DisposeAsync();
    }
}
