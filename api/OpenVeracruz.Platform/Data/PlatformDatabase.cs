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

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var b = new NpgsqlDataSourceBuilder(connectionString);
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
