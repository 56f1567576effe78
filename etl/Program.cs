using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenVeracruz.Etl;
using OpenVeracruz.Etl.Uploads;
using OpenVeracruz.Platform.Catalog.Uploads;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Etl;

// OpenVeracruz ETL command line:
//   dotnet run --project etl -- load [--parcels N] [--regenerate]
//                                                       load every bundled dataset (idempotent; --regenerate lays out the
//                                                       synthetic cadastre again even when staff have edited it)
//   dotnet run --project etl -- import datasets/<id>    load that one bundled dataset (idempotent)
//   dotnet run --project etl -- import RESOURCE_ID N    import version N of an uploaded resource again, in-process
//                                                       (the files are under Data__UploadsPath, default .data/uploads)
// The database comes from ConnectionStrings__OpenVeracruz, or the local cluster of infra/postgis.sh.
public static class EtlCli
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" || args[0] is not ("load" or "import"))
        {
            Console.WriteLine("usage: dotnet run --project etl -- load [--parcels N] [--regenerate] | import datasets/<id> | import RESOURCE_ID VERSION");
            return args.Length == 0 || args[0] is "-h" or "--help" ? 0 : 2;
        }
        string? folder = null;
        if (args[0] == "import")
        {
            if (args.Length != 2 || !File.Exists(Path.Combine(args[1], "dataset.json"))) return await ImportAsync(args);
            folder = args[1];
        }
        int? parcels = null;
        var i = Array.IndexOf(args, "--parcels");
        if (i >= 0)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out var n) || n < 1 || n > DatasetLoader.MaxParcels)
            {
                Console.Error.WriteLine($"--parcels takes a whole number from 1 to {DatasetLoader.MaxParcels}");
                return 2;
            }
            parcels = n;
        }

        var cs = Environment.GetEnvironmentVariable($"ConnectionStrings__{PlatformDatabase.ConnectionStringName}") ?? PlatformDatabase.LocalDefault;
        var datasets = RepositoryFolders.Find(Directory.GetCurrentDirectory(), "datasets") ?? RepositoryFolders.Find(AppContext.BaseDirectory, "datasets")
            ?? throw new DirectoryNotFoundException("datasets/ not found: run from inside the repository");
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        // bulk COPY in large writes (Npgsql's default buffer is 8 KiB: a system call and a wake-up of the server every few rows)
        await using var db = PlatformDatabase.CreateDataSource(BulkWrites(cs));
        var log = loggers.CreateLogger<DatasetLoader>();
        var phase = System.Diagnostics.Stopwatch.StartNew();
        await PlatformDatabase.MigrateIfPendingAsync(db);
        log.LogInformation("Migrations checked in {Seconds:F2} s", phase.Elapsed.TotalSeconds);
        // the catalog sync after the load needs EF Core's model and query pipeline, seconds of CPU to build and compile the
        // first time: done beside the load (one small query) instead of after it
        var model = Task.Run(async () =>
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            await using (var ctx = PlatformDatabase.CreateContext(db)) await ctx.Organizations.AnyAsync();
            return started.Elapsed;
        });
        var registry = LayerRegistry.Load(datasets);
        var loader = new DatasetLoader(db, registry, log);
        var regenerate = args.Contains("--regenerate");
        var reports = folder is null ? await loader.LoadAllAsync(parcels, default, regenerate) : [await loader.LoadFolderAsync(folder, parcels, default, regenerate)];
        foreach (var r in reports)
            Console.WriteLine(r.Skipped ? $"{r.DatasetId}: unchanged" : $"{r.DatasetId}: {r.Rows} rows, {r.EmptyValues} empty values, {r.RepairedGeometries} geometries repaired");
        // the catalog follows: datasets, resources, extents and datastore views
        log.LogInformation("EF Core warmed up beside the load in {Seconds:F2} s", (await model).TotalSeconds);
        phase.Restart();
        await using (var ctx = PlatformDatabase.CreateContext(db)) await new OpenVeracruz.Platform.Catalog.CatalogSync(ctx, registry, db).SyncAsync();
        log.LogInformation("Catalog synchronised in {Seconds:F2} s", phase.Elapsed.TotalSeconds);
        return 0;
    }

    private static async Task<int> ImportAsync(string[] args)
    {
        if (args.Length != 3 || !Guid.TryParse(args[1], out var resource) || !int.TryParse(args[2], out var version) || version < 1)
        {
            Console.Error.WriteLine("usage: dotnet run --project etl -- import RESOURCE_ID VERSION");
            return 2;
        }
        var cs = Environment.GetEnvironmentVariable($"ConnectionStrings__{PlatformDatabase.ConnectionStringName}") ?? PlatformDatabase.LocalDefault;
        var datasets = RepositoryFolders.Find(Directory.GetCurrentDirectory(), "datasets") ?? RepositoryFolders.Find(AppContext.BaseDirectory, "datasets")
            ?? throw new DirectoryNotFoundException("datasets/ not found: run from inside the repository");
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        await using var db = PlatformDatabase.CreateDataSource(BulkWrites(cs));
        var store = new UploadStore(UploadOptions.ResolveRoot(Environment.GetEnvironmentVariable("Data__UploadsPath"), Directory.GetCurrentDirectory()));
        var job = new ImportUploadJob(db, LayerRegistry.Load(datasets), store, Options.Create(new UploadOptions()), loggers.CreateLogger<ImportUploadJob>());
        await job.ImportAsync(resource, version, CancellationToken.None);
        await using var ctx = PlatformDatabase.CreateContext(db);
        var status = await UploadStatus.OfAsync(ctx, resource, version, CancellationToken.None);
        Console.WriteLine(status is null ? "no such upload" : $"{status.State}: {status.Message}");
        return status?.State == ImportJob.Succeeded ? 0 : 1;
    }

    /// <summary>The connection string with a 256 KiB write buffer, unless it sets one itself.</summary>
    private static string BulkWrites(string cs) =>
        cs.Contains("Write Buffer Size", StringComparison.OrdinalIgnoreCase) ? cs
            : new Npgsql.NpgsqlConnectionStringBuilder(cs) { WriteBufferSize = 256 * 1024 }.ConnectionString;
}
