using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;
using Npgsql.EntityFrameworkCore.PostgreSQL.Design.Internal;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

// dotnet run --project tools/MigrationScaffolder -- <MigrationName>
// Writes the migration and the updated model snapshot into api/OpenVeracruz.Platform/Data/Migrations.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet run --project tools/MigrationScaffolder -- <MigrationName>");
    return 2;
}
var platform = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../api/OpenVeracruz.Platform"));
if (!File.Exists(Path.Combine(platform, "OpenVeracruz.Platform.csproj")))
    platform = Path.GetFullPath("api/OpenVeracruz.Platform");
await using var ds = PlatformDatabase.CreateDataSource(PlatformDatabase.LocalDefault);
await using var db = PlatformDatabase.CreateContext(ds);
var services = new ServiceCollection();
services.AddEntityFrameworkDesignTimeServices();
services.AddDbContextDesignTimeServices(db);
new NpgsqlDesignTimeServices().ConfigureDesignTimeServices(services);
new NpgsqlNetTopologySuiteDesignTimeServices().ConfigureDesignTimeServices(services);
var scaffolder = services.BuildServiceProvider().GetRequiredService<IMigrationsScaffolder>();
var migration = scaffolder.ScaffoldMigration(args[0], "OpenVeracruz.Platform", "Data.Migrations", "C#");
var files = scaffolder.Save(platform, migration, Path.Combine(platform, "Data", "Migrations"));
Console.WriteLine(files.MigrationFile);
return 0;
