using System.Text.Json.Serialization;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;
using Microsoft.OpenApi.Any;
using Microsoft.OpenApi.Models;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using Npgsql;
using OpenVeracruz.Etl;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Cadastre;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Downloads;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.OData;
using OpenVeracruz.Platform.Ogc;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Uploads;
using OpenVeracruz.Etl.Uploads;
using Hangfire.Dashboard;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace OpenVeracruz.Api;

/// <summary>Options of the bundled data (section "Data").</summary>
public sealed class DataOptions
{
    /// <summary>Folder of the bundled datasets; found by walking up from the content root when empty.</summary>
    public string? DatasetsPath { get; set; }
    /// <summary>Load the bundled datasets on start (idempotent).</summary>
    public bool LoadOnStart { get; set; } = true;
    /// <summary>Synthetic parcels to generate; the dataset's default (50,000) when empty. At most 1,000,000.</summary>
    public int? ParcelCount { get; set; }
    /// <summary>Folder of the uploaded originals; .data/uploads at the repository root when empty.</summary>
    public string? UploadsPath { get; set; }
}

public static class Hosting
{
    public static void AddOpenVeracruz(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.Configure<DataOptions>(builder.Configuration.GetSection("Data"));
        s.Configure<MapOptions>(builder.Configuration.GetSection("Map"));
        s.Configure<OpenVeracruz.Platform.Cadastre.EditingOptions>(builder.Configuration.GetSection("Cadastre:Editing"));

        s.AddSingleton(sp => PlatformDatabase.CreateDataSource(ConnectionString(sp.GetRequiredService<IConfiguration>())));
        s.AddDbContext<AppDbContext>((sp, o) => PlatformDatabase.Configure(o, sp.GetRequiredService<NpgsqlDataSource>()));
        s.AddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataOptions>>().Value.DatasetsPath;
            var env = sp.GetRequiredService<IWebHostEnvironment>();
            var path = !string.IsNullOrWhiteSpace(configured) ? configured
                : LayerRegistry.FindFolder(env.ContentRootPath, "datasets") ?? LayerRegistry.FindFolder(AppContext.BaseDirectory, "datasets")
                  ?? throw new DirectoryNotFoundException("datasets/ not found; set Data__DatasetsPath");
            return LayerRegistry.Load(path);
        });
        s.AddScoped<DatasetLoader>();
        s.AddScoped<CatalogSync>();
        AddUploads(builder);
        s.AddSingleton(sp =>
        {
            var config = sp.GetRequiredService<IConfiguration>();
            return new DatastoreReader(config.GetConnectionString("OpenVeracruzDatastore") is { Length: > 0 } cs ? cs : DatastoreReader.DefaultConnectionString(ConnectionString(config)));
        });

        AddStaffAccounts(s);
        s.AddProblemDetails();
        s.AddExceptionHandler<ProblemExceptionHandler>();
        s.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        s.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new GeoJsonConverterFactory(GeoJson.Factory));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });

        s.AddEndpointsApiExplorer();
        s.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "OpenVeracruz API",
                Version = "v1",
                Description = "Catastro (sintético), capas y descargas del municipio de Veracruz. Las capas también se publican como OGC API – Features en /ogc y OData v4 en /odata.",
            });
            o.MapType<Geometry>(() => new OpenApiSchema { Type = "object", Description = "Geometría GeoJSON (RFC 7946)" });
            o.MapType<Polygon>(() => new OpenApiSchema { Type = "object", Description = "Polígono GeoJSON (RFC 7946)" });
            o.OperationFilter<ParameterExamples>();
            o.DocInclusionPredicate((_, api) => !api.RelativePath?.StartsWith("odata", StringComparison.Ordinal) ?? true);
        });

        s.AddHangfire((sp, c) => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(ConnectionString(sp.GetRequiredService<IConfiguration>())),
                new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true }));
        if (builder.Configuration.GetValue("Jobs:Enabled", true))
        {
            // Jobs:Server=false: this web process only queues jobs; a separate worker (the same host started with
            // Jobs:Server=true, see the README) runs them, and the layers it publishes are picked up here periodically
            if (builder.Configuration.GetValue("Jobs:Server", true)) s.AddHangfireServer(o => o.WorkerCount = 2);
            else s.AddHostedService<UploadedLayersSync>();
        }
    }

    /// <summary>
    /// Uploads: limits (section "Uploads"), the originals' folder (Data:UploadsPath), and the import job, queued on
    /// Hangfire, or run in-process when Jobs:RunImportsInline is set or no Hangfire server runs (Jobs:Enabled false).
    /// </summary>
    private static void AddUploads(WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.Configure<UploadOptions>(builder.Configuration.GetSection("Uploads"));
        s.AddSingleton(sp => new UploadStore(UploadOptions.ResolveRoot(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataOptions>>().Value.UploadsPath, sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath)));
        s.AddScoped<ImportUploadJob>();
        var inline = builder.Configuration.GetValue("Jobs:RunImportsInline", false) || !builder.Configuration.GetValue("Jobs:Enabled", true);
        if (inline) s.AddSingleton<IImportQueue, InlineImportQueue>();
        else s.AddSingleton<IImportQueue, HangfireImportQueue>();
        s.AddSingleton<OpenVeracruz.Platform.Uploads.IRefreshScheduler, HangfireRefreshScheduler>();
        s.AddScoped<OpenVeracruz.Platform.Uploads.RefreshResourceJob>();
    }

    /// <summary>Identity on PostgreSQL, cookie sign-in for the web, API tokens for scripts, one policy per role.</summary>
    private static void AddStaffAccounts(IServiceCollection s)
    {
        s.AddIdentityCore<StaffUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        s.AddAuthentication(o =>
            {
                o.DefaultScheme = "Staff";
                o.DefaultChallengeScheme = "Staff";
            })
            .AddPolicyScheme("Staff", "Cookie or API token", o => o.ForwardDefaultSelector = http =>
                ApiTokenHandler.TokenOf(http.Request.Headers.Authorization) is not null ? ApiTokenHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddIdentityCookies();
        s.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "ov_staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // an API answers 401/403, it does not redirect to a login page
            o.Events.OnRedirectToLogin = ctx => { ctx.Response.StatusCode = 401; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = 403; return Task.CompletedTask; };
        });
        s.AddAuthorization(o =>
        {
            foreach (var role in Roles.All)
                o.AddPolicy(role, p => p.RequireAuthenticatedUser().RequireRole(Roles.AtLeast(role)));
        });
        s.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = 429;
            o.AddPolicy(AuthEndpoints.SignInLimiter, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
    }

    public static string ConnectionString(IConfiguration config) =>
        config.GetConnectionString(PlatformDatabase.ConnectionStringName) is { Length: > 0 } cs ? cs : PlatformDatabase.LocalDefault;

    /// <summary>Applies the migrations and loads the bundled datasets before the first request is served.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.MigrateAsync();
        await StaffSetup.EnsureAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(), scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>(),
            app.Configuration[StaffSetup.AdminEmailVariable], app.Configuration[StaffSetup.AdminPasswordVariable], app.Logger);
        var data = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataOptions>>().Value;
        // the layers imported from uploads join the registry before the catalog sync recreates the datastore views
        await UploadedLayers.RefreshAsync(db, scope.ServiceProvider.GetRequiredService<LayerRegistry>(), null, CancellationToken.None);
        if (data.LoadOnStart)
        {
            foreach (var r in await scope.ServiceProvider.GetRequiredService<DatasetLoader>().LoadAllAsync(data.ParcelCount))
                app.Logger.LogInformation("{Dataset}: {State}", r.DatasetId, r.Skipped ? "sin cambios / unchanged" : $"{r.Rows} filas / rows");
            await scope.ServiceProvider.GetRequiredService<CatalogSync>().SyncAsync();
        }
        if (app.Configuration.GetValue("Jobs:Enabled", true))
            app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<ReloadDatasetsJob>("datasets-reload", j => j.RunAsync(),
                app.Configuration["Data:ReloadCron"] is { Length: > 0 } reloadCron ? reloadCron : Cron.Daily(3));
    }

    public static void UseOpenVeracruz(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        var web = LayerRegistry.FindFolder(app.Environment.ContentRootPath, "web") ?? LayerRegistry.FindFolder(AppContext.BaseDirectory, "web");
        if (web is not null)
        {
            var files = new PhysicalFileProvider(web);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            // browser libraries from npm (web/package.json), served from their dist folders
            foreach (var (path, dist) in new[] { ("/vendor/leaflet", "leaflet/dist"), ("/vendor/geoman", "@geoman-io/leaflet-geoman-free/dist") })
            {
                var folder = Path.Combine(web, "node_modules", dist);
                if (Directory.Exists(folder))
                    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(folder), RequestPath = path });
                else
                    app.Logger.LogWarning("web/node_modules/{Dist} is missing: run 'npm ci --prefix web' (./ov run does it)", dist);
            }
            // The catalog's dataset page is one static file for every dataset: it reads the name from its own address.
            app.MapDatasetPage(Path.Combine(web, "datos", "dataset.html"));
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseSwagger();
        app.UseSwaggerUI(o => o.DocumentTitle = "OpenVeracruz API");
        app.MapLayerEndpoints();
        app.MapParcelEndpoints();
        app.MapEditEndpoints();
        app.MapTariffEndpoints();
        app.MapOgcEndpoints();
        app.MapDownloadEndpoints();
        app.MapCkanApi();
        app.MapUploadEndpoints();
        app.MapAuthEndpoints();
        app.MapDcatEndpoints();
        app.MapGisDownloadEndpoints();
        app.MapODataEndpoints();
        app.UseHangfireDashboard("/jobs", new DashboardOptions { Authorization = [new StaffDashboardFilter()], AppPath = "/", DashboardTitle = "OpenVeracruz — trabajos / jobs" });

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var a in addresses) Console.WriteLine($"Listening on {a}");
        });
    }
}

/// <summary>Reloads the bundled datasets daily; unchanged ones are skipped by their content hash.</summary>
public sealed class ReloadDatasetsJob(DatasetLoader loader, CatalogSync sync, Microsoft.Extensions.Options.IOptions<DataOptions> data)
{
    public async Task RunAsync()
    {
        await loader.LoadAllAsync(data.Value.ParcelCount);
        await sync.SyncAsync();
    }
}

/// <summary>Runs an import in-process, right after the upload is committed (tests, hosts without a Hangfire server).</summary>
/// <summary>In a web process whose jobs run in a separate worker: reloads the imported layers every Jobs:LayerSyncSeconds (15).</summary>
public sealed class UploadedLayersSync(IServiceScopeFactory scopes, LayerRegistry registry, IConfiguration config, ILogger<UploadedLayersSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(config.GetValue("Jobs:LayerSyncSeconds", 15)));
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await UploadedLayers.RefreshAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), registry, null, stop);
            }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Could not reload the imported layers"); }
        }
    }
}

/// <summary>One Hangfire recurring job per refreshed resource, "refresh-{id}".</summary>
public sealed class HangfireRefreshScheduler(IRecurringJobManager jobs) : OpenVeracruz.Platform.Uploads.IRefreshScheduler
{
    public static string JobId(Guid resourceId) => $"refresh-{resourceId}";

    public void Schedule(Guid resourceId, string cron) =>
        jobs.AddOrUpdate<OpenVeracruz.Platform.Uploads.RefreshResourceJob>(JobId(resourceId), j => j.RunAsync(resourceId), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });

    public void Remove(Guid resourceId) => jobs.RemoveIfExists(JobId(resourceId));
}

public sealed class InlineImportQueue(IServiceScopeFactory scopes, ILogger<InlineImportQueue> log) : IImportQueue
{
    public async Task EnqueueAsync(Guid resourceId, int version, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // not the request's token: a caller that hangs up does not leave the import half-run
        try { await scope.ServiceProvider.GetRequiredService<ImportUploadJob>().ImportAsync(resourceId, version, CancellationToken.None); }
        catch (Exception e)
        {
            // the job has recorded its failure in catalog.import_jobs; the upload itself stands
            log.LogError(e, "Inline import of {Resource} version {Version} failed", resourceId, version);
        }
    }
}

/// <summary>Queues an import on Hangfire (PostgreSQL storage); a worker runs <see cref="ImportUploadJob.RunAsync"/>.</summary>
public sealed class HangfireImportQueue(IBackgroundJobClient jobs) : IImportQueue
{
    public Task EnqueueAsync(Guid resourceId, int version, CancellationToken ct)
    {
        jobs.Enqueue<ImportUploadJob>(j => j.RunAsync(resourceId, version));
        return Task.CompletedTask;
    }
}

/// <summary>The Hangfire dashboard (/jobs) is for supervisors and admins signed in: 401 for anonymous callers, 403 for other staff.</summary>
public sealed class StaffDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && Roles.AtLeast(Roles.Supervisor).Any(user.IsInRole);
    }
}

/// <summary>Example values in Swagger for the parameters the REST endpoints share.</summary>
public sealed class ParameterExamples : IOperationFilter
{
    private static readonly Dictionary<string, IOpenApiAny> Examples = new()
    {
        ["clave"] = new OpenApiString("001-0001-001"),
        ["lon"] = new OpenApiString("-96.1343"),
        ["lat"] = new OpenApiString("19.2005"),
        ["radius_m"] = new OpenApiString("250"),
        ["limit"] = new OpenApiString("100"),
        ["locality"] = new OpenApiString("301930001"),
        ["layer"] = new OpenApiString("localities"),
        ["geometry"] = new OpenApiString("lonlat"),
        ["bom"] = new OpenApiString("true"),
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var p in operation.Parameters ?? [])
            if (Examples.TryGetValue(p.Name, out var example)) p.Example = example;
        if (context.ApiDescription.RelativePath?.EndsWith("intersects", StringComparison.Ordinal) == true && operation.RequestBody is { } body)
            foreach (var content in body.Content.Values)
                content.Example = new OpenApiString("""{"type":"Polygon","coordinates":[[[-96.136,19.199],[-96.132,19.199],[-96.132,19.202],[-96.136,19.202],[-96.136,19.199]]]}""");
    }
}
