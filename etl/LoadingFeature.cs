using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenVeracruz.Etl.Uploads;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Catalog.Uploads;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Jobs;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Etl;

/// <summary>
/// Loading in the web host: the bundled datasets on start and daily (Data:ReloadCron), and the imports of staff uploads,
/// queued on Hangfire or run in-process (Jobs:RunImportsInline, or no job server at all: Jobs:Enabled=false).
/// </summary>
public static class LoadingFeature
{
    public static IServiceCollection AddDataLoading(this IServiceCollection s, IConfiguration config)
    {
        s.AddScoped<DatasetLoader>();
        s.AddScoped<ImportUploadJob>();
        if (config.GetValue("Jobs:RunImportsInline", false) || !JobsFeature.Enabled(config)) s.AddSingleton<IImportQueue, InlineImportQueue>();
        else s.AddSingleton<IImportQueue, HangfireImportQueue>();
        return s;
    }

    /// <summary>Publishes the imported layers, loads the bundled datasets (unchanged ones are skipped) and mirrors them into the catalog.</summary>
    public static async Task LoadDataAsync(this IServiceProvider services, IConfiguration config, ILogger log)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var data = sp.GetRequiredService<IOptions<DataOptions>>().Value;
        // the layers imported from uploads join the registry before the catalog sync recreates the datastore views
        await UploadedLayers.RefreshAsync(sp.GetRequiredService<AppDbContext>(), sp.GetRequiredService<LayerRegistry>(), null, CancellationToken.None);
        if (data.LoadOnStart)
        {
            foreach (var r in await sp.GetRequiredService<DatasetLoader>().LoadAllAsync(data.ParcelCount))
                log.LogInformation("{Dataset}: {State}", r.DatasetId, r.Skipped ? "sin cambios / unchanged" : $"{r.Rows} filas / rows");
            await sp.GetRequiredService<CatalogSync>().SyncAsync();
        }
        if (JobsFeature.Enabled(config))
            services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<ReloadDatasetsJob>("datasets-reload", j => j.RunAsync(),
                config["Data:ReloadCron"] is { Length: > 0 } reloadCron ? reloadCron : Cron.Daily(3));
    }
}

/// <summary>Reloads the bundled datasets daily; unchanged ones are skipped by their content hash.</summary>
public sealed class ReloadDatasetsJob(DatasetLoader loader, CatalogSync sync, IOptions<DataOptions> data)
{
    public async Task RunAsync()
    {
        await loader.LoadAllAsync(data.Value.ParcelCount);
        await sync.SyncAsync();
    }
}
