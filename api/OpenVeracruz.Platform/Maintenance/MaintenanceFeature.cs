using Hangfire;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenVeracruz.Platform.Jobs;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Maintenance;

/// <summary>
/// IT maintenance (programme activity C9A1): corrective and preventive tickets with their transitions, priority from
/// urgency × impact, SLA deadlines in business hours, comments and attachments (docs/MAINTENANCE.md). Other features
/// open tickets through <see cref="Tickets"/> (WiFi health); this folder knows none of them.
/// </summary>
public static class MaintenanceFeature
{
    public static IServiceCollection AddMaintenance(this IServiceCollection s, IConfiguration config)
    {
        s.Configure<MaintenanceOptions>(config.GetSection("Maintenance"));
        s.AddScoped<Tickets>().AddScoped<PreventivePlanJob>();
        s.AddSingleton(sp =>
        {
            var configured = config["Maintenance:AttachmentsPath"];
            var uploads = config["Data:UploadsPath"];
            var contentRoot = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            string root;
            if (!string.IsNullOrWhiteSpace(configured)) root = Path.GetFullPath(configured, contentRoot);
            else if (!string.IsNullOrWhiteSpace(uploads)) root = Path.Combine(Path.GetFullPath(uploads, contentRoot), "maintenance");
            else
            {
                var datasets = RepositoryFolders.Find(contentRoot, "datasets") ?? RepositoryFolders.Find(AppContext.BaseDirectory, "datasets");
                root = Path.Combine(datasets is not null ? Path.GetDirectoryName(datasets)! : contentRoot, ".data", "uploads", "maintenance");
            }
            return new AttachmentStore(root);
        });
        return s;
    }

    /// <summary>The municipal buildings (once; those already there are left as they are) and the daily preventive-plan job.</summary>
    public static async Task PrepareMaintenanceAsync(this IServiceProvider services, IConfiguration config, CancellationToken ct = default)
    {
        await MaintenanceSeed.EnsureAsync(services.GetRequiredService<Npgsql.NpgsqlDataSource>(), ct);
        if (JobsFeature.Enabled(config))
            services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<PreventivePlanJob>("maintenance-preventive", j => j.RunAsync(), "0 12 * * *"); // 06:00 in Veracruz
    }

    public static IEndpointRouteBuilder MapMaintenance(this IEndpointRouteBuilder app) =>
        app.MapTicketEndpoints().MapAttachmentEndpoints().MapBoardEndpoints().MapInventoryEndpoints().MapPlanEndpoints();
}
