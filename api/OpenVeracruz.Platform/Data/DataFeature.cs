using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace OpenVeracruz.Platform.Data;

/// <summary>
/// The database: one Npgsql data source (with NetTopologySuite) and the EF Core context on it; and, keyed
/// <see cref="PlatformDatabase.Read"/>, the same pair for the read-only public doors, on ConnectionStrings:OpenVeracruzRead
/// (a replica) when it is set and the primary's otherwise; keyed <see cref="PlatformDatabase.Listen"/>, the data source of
/// the LISTEN connections (ConnectionStrings:OpenVeracruzListen, or the primary's).
/// </summary>
public static class DataFeature
{
    public static IServiceCollection AddPlatformData(this IServiceCollection s, IConfiguration config)
    {
        s.AddSingleton(_ => PlatformDatabase.CreateDataSource(PlatformDatabase.ConnectionString(config)));
        s.AddDbContext<AppDbContext>((sp, o) => PlatformDatabase.Configure(o, sp.GetRequiredService<NpgsqlDataSource>()));
        // the setting is read when first needed, like the primary's: a test host sets it after this registration
        s.AddKeyedSingleton(PlatformDatabase.Read, (sp, _) => PlatformDatabase.ReadConnectionString(config) is { } read
            ? PlatformDatabase.CreateDataSource(read)
            : sp.GetRequiredService<NpgsqlDataSource>());
        s.AddKeyedScoped(PlatformDatabase.Read, (sp, _) =>
        {
            if (PlatformDatabase.ReadConnectionString(config) is null) return sp.GetRequiredService<AppDbContext>();
            // a replica takes no writes: nothing to track
            var db = PlatformDatabase.CreateContext(sp.GetRequiredKeyedService<NpgsqlDataSource>(PlatformDatabase.Read));
            db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
            return db;
        });
        // LISTEN needs a session of its own: PostgreSQL directly or a session-mode pool when the others go through PgBouncer
        s.AddKeyedSingleton(PlatformDatabase.Listen, (sp, _) =>
            PlatformDatabase.ListenConnectionString(config) is var listen && listen != PlatformDatabase.ConnectionString(config)
                ? PlatformDatabase.CreateDataSource(listen)
                : sp.GetRequiredService<NpgsqlDataSource>());
        return s;
    }

    /// <summary>Applies the pending EF Core migrations (every feature's tables).</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.MigrateAsync();
    }
}
