using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Catalog.Uploads;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Jobs;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>
/// The open-data catalog: datasets mirrored from the layer registry, the CKAN Action API with its datastore, DCAT, the
/// dataset pages, and staff uploads (Uploads/: versions, import status, recurring refresh from a URL).
/// </summary>
public static class CatalogFeature
{
    public static IServiceCollection AddCatalog(this IServiceCollection s, IConfiguration config)
    {
        s.AddScoped<CatalogSync>();
        s.AddClientAddresses(config); // the SQL door limits queries per client
        s.AddSingleton(CkanApi.Errors);
        s.AddSingleton(_ => new DatastoreReader(config.GetConnectionString("OpenVeracruzDatastore") is { Length: > 0 } cs
            ? cs : DatastoreReader.DefaultConnectionString(PlatformDatabase.ReadConnectionString(config) ?? PlatformDatabase.ConnectionString(config)), config.GetSection("Datastore").Get<DatastoreOptions>() ?? new()));
        s.AddOptions<UploadOptions>().Bind(config.GetSection("Uploads"))
            .Validate(o => RefreshSources.ParseNetworks(o.RefreshAllowedNetworks) is not null, RefreshSources.NetworksError).ValidateOnStart();
        s.AddSingleton(sp => new UploadStore(UploadOptions.ResolveRoot(
            sp.GetRequiredService<IOptions<DataOptions>>().Value.UploadsPath, sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath)));
        s.AddSingleton<IRefreshScheduler, HangfireRefreshScheduler>();
        s.AddScoped<RefreshResourceJob>();
        s.AddSingleton<RefreshSources>();
        // a web process that leaves jobs to a worker picks up the layers the worker imports
        if (JobsFeature.Enabled(config) && !JobsFeature.RunsHere(config)) s.AddHostedService<UploadedLayersSync>();
        // and every instance hears the layer changes the others make (imports, datasets made private or deleted)
        s.AddHostedService<LayerChanges>();
        return s;
    }

    public static WebApplication MapCatalog(this WebApplication app)
    {
        app.MapCkanApi();
        app.MapOrganizationMemberEndpoints();
        app.MapDcatEndpoints();
        app.MapUploadEndpoints();
        // the dataset page is one static file for every dataset: it reads the name from its own address
        if (RepositoryFolders.Web(app.Environment) is { } web) app.MapDatasetPage(Path.Combine(web, "datos", "dataset.html"));
        return app;
    }
}
