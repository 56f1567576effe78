using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace OpenVeracruz.Platform.Data;

/// <summary>One connection setup for the web host, the ETL CLI and the tests.</summary>
public static class PlatformDatabase
{
    /// <summary>Configuration key; as an environment variable: <c>ConnectionStrings__OpenVeracruz</c>.</summary>
    public const string ConnectionStringName = "OpenVeracruz";

    /// <summary>
    /// Configuration key of the read-only public doors' database (a streaming replica, or a PgBouncer pool in front of
    /// replicas); as an environment variable: <c>ConnectionStrings__OpenVeracruzRead</c>. Absent: the primary.
    /// </summary>
    public const string ReadConnectionStringName = "OpenVeracruzRead";

    /// <summary>
    /// Configuration key of the one connection that LISTENs (the turn screens' hub, the layer registry's changes); as an
    /// environment variable: <c>ConnectionStrings__OpenVeracruzListen</c>. It needs a session of its own: PostgreSQL
    /// directly or a session-mode pool, never PgBouncer's transaction pool. Absent: the primary.
    /// </summary>
    public const string ListenConnectionStringName = "OpenVeracruzListen";

    /// <summary>Service key of the read doors' data source and context: <c>[FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource ds</c>.</summary>
    public const string Read = "read";

    /// <summary>Service key of the listening connections' data source (<see cref="ListenConnectionStringName"/>).</summary>
    public const string Listen = "listen";

    /// <summary>The local cluster started by <c>infra/postgis.sh</c>.</summary>
    public const string LocalDefault = "Host=127.0.0.1;Port=55433;Database=openveracruz;Username=openveracruz";

    /// <summary>The configured connection string, or the local cluster's.</summary>
    public static string ConnectionString(IConfiguration config) =>
        config.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs ? cs : LocalDefault;

    /// <summary>The read doors' connection string when one is configured, otherwise null (they share the primary's data source).</summary>
    public static string? ReadConnectionString(IConfiguration config) =>
        config.GetConnectionString(ReadConnectionStringName) is { Length: > 0 } cs ? cs : null;

    /// <summary>The listening connection's connection string, or the primary's.</summary>
    public static string ListenConnectionString(IConfiguration config) =>
        config.GetConnectionString(ListenConnectionStringName) is { Length: > 0 } cs ? cs : ConnectionString(config);

    /// <summary>
    /// The data source every door shares. Statements run twice are prepared on their connection (Npgsql's automatic
    /// preparation, up to 64 per connection, least used first out) unless the connection string says otherwise
    /// (<c>Max Auto Prepare=0</c> turns it off): the OGC door's items statements stop being parsed and planned anew on every
    /// request (issue 13).
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            given.MaxAutoPrepare = 64;
            given.AutoPrepareMinUsages = 2;
        }
        var b = new NpgsqlDataSourceBuilder(given.ConnectionString);
        b.UseNetTopologySuite();
        return b.Build();
    }

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, o => o.UseNetTopologySuite().MigrationsHistoryTable("__ef_migrations", "catalog"));

    /// <summary>A context on an open connection, to take part in a transaction begun on it (UseTransaction).</summary>
    public static AppDbContext CreateContext(NpgsqlConnection connection)
    {
        var b = new DbContextOptionsBuilder<AppDbContext>();
        b.UseNpgsql(connection, o => o.UseNetTopologySuite().MigrationsHistoryTable("__ef_migrations", "catalog"));
        return new AppDbContext(b.Options);
    }

    public static AppDbContext CreateContext(NpgsqlDataSource dataSource)
    {
        var b = new DbContextOptionsBuilder<AppDbContext>();
        Configure(b, dataSource);
        return new AppDbContext(b.Options);
    }

    /// <summary>
    /// Applies the pending migrations, after a cheap look first: when the history table already lists every migration of
    /// this assembly, EF Core's migrator (which builds the model and compares it with the snapshot: seconds on a busy
    /// machine) is not started at all. For command-line runs such as <c>etl -- import</c>, where it was most of the fixed cost.
    /// </summary>
    public static async Task MigrateIfPendingAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        var known = typeof(AppDbContext).Assembly.GetTypes()
            .Where(t => typeof(Microsoft.EntityFrameworkCore.Migrations.Migration).IsAssignableFrom(t))
            .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Cast<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>().FirstOrDefault()?.Id)
            .OfType<string>().ToHashSet();
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            await using var exists = new NpgsqlCommand("SELECT to_regclass('catalog.__ef_migrations') IS NOT NULL", conn);
            if ((bool)(await exists.ExecuteScalarAsync(ct))!)
            {
                await using var applied = new NpgsqlCommand("SELECT \"MigrationId\" FROM catalog.__ef_migrations", conn);
                await using var r = await applied.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) known.Remove(r.GetString(0));
                if (known.Count == 0) return;
            }
        }
        await using var ctx = CreateContext(db);
        await ctx.Database.MigrateAsync(ct);
    }
}
