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
        s.AddSingleton(sp => new AttachmentStore(RepositoryFolders.DataFolder(config, sp.GetRequiredService<IHostEnvironment>().ContentRootPath,
            config["Maintenance:AttachmentsPath"], "maintenance")));
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
