using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Hangfire;
using Npgsql;
using OpenVeracruz.Platform.Jobs;

namespace OpenVeracruz.Platform.Wifi;

public sealed class WifiOptions
{
    /// <summary>How far back a controller may (re)send an hour, e.g. after an outage behind NAT.</summary>
    public int ReportRetentionDays { get; set; } = 90;
    /// <summary>A monitored site with no heartbeat (nor report) for this long has a problem.</summary>
    public int HeartbeatTimeoutMinutes { get; set; } = 30;
    /// <summary>How long a problem must last before the site is marked failing (and a ticket opened).</summary>
    public int ToleranceMinutes { get; set; } = 15;
    /// <summary>Connections below this fraction of the usual level (median of the same hour in the previous 4 weeks) are a problem.</summary>
    public double LowFraction { get; set; } = 0.3;
    /// <summary>A usual level below this many sessions an hour is too small to judge by.</summary>
    public double MinUsualSessions { get; set; } = 4;
    /// <summary>How long after an hour ends its report is expected.</summary>
    public int ReportGraceMinutes { get; set; } = 15;
}

/// <summary>
/// Public WiFi spaces (programme activity C1A1): the sites layer, per-site controller keys, hourly connection reports and
/// heartbeats, and the open datasets of connections per site per day and month (datasets/wifi-*).
/// </summary>
public static class WifiFeature
{
    public static IServiceCollection AddWifi(this IServiceCollection s, IConfiguration config) =>
        s.Configure<WifiOptions>(config.GetSection("Wifi")).AddScoped<WifiHealthJob>();

    public static IEndpointRouteBuilder MapWifi(this IEndpointRouteBuilder app) =>
        app.MapReportEndpoints().MapSiteKeyEndpoints().MapIndicatorEndpoints().MapFaultEndpoints().MapCoverageEndpoints();

    /// <summary>The seed sites (and their illustrative history), once; sites already there are left as they are; the health check every 5 minutes.</summary>
    public static async Task PrepareWifiAsync(this IServiceProvider services, IConfiguration config, CancellationToken ct = default)
    {
        await WifiSeed.EnsureAsync(services.GetRequiredService<NpgsqlDataSource>(), ct);
        if (JobsFeature.Enabled(config))
            services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<WifiHealthJob>("wifi-health", j => j.RunAsync(), "*/5 * * * *");
    }
}
