using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace OpenVeracruz.Platform.Data;

/// <summary>One connection setup for the web host, the ETL CLI and the tests.</summary>
public static class PlatformDatabase
{
    /// <summary>Configuration key; as an environment variable: <c>ConnectionStrings__OpenVeracruz</c>.</summary>
    public const string ConnectionStringName = "OpenVeracruz";

    /// <summary>The local cluster started by <c>infra/postgis.sh</c>.</summary>
    public const string LocalDefault = "Host=127.0.0.1;Port=55433;Database=openveracruz;Username=openveracruz";

    /// <summary>The configured connection string, or the local cluster's.</summary>
    public static string ConnectionString(IConfiguration config) =>
        config.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs ? cs : LocalDefault;

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
}
