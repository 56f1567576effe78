using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace OpenVeracruz.Platform.Data;

/// <summary>The database: one Npgsql data source (with NetTopologySuite) and the EF Core context on it.</summary>
public static class DataFeature
{
    public static IServiceCollection AddPlatformData(this IServiceCollection s, IConfiguration config)
    {
        s.AddSingleton(_ => PlatformDatabase.CreateDataSource(PlatformDatabase.ConnectionString(config)));
        s.AddDbContext<AppDbContext>((sp, o) => PlatformDatabase.Configure(o, sp.GetRequiredService<NpgsqlDataSource>()));
        return s;
    }

    /// <summary>Applies the pending EF Core migrations (every feature's tables).</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.MigrateAsync();
    }
}
