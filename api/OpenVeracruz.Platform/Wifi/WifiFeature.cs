using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace OpenVeracruz.Platform.Wifi;

public sealed class WifiOptions
{
    /// <summary>How far back a controller may (re)send an hour, e.g. after an outage behind NAT.</summary>
    public int ReportRetentionDays { get; set; } = 90;
}

/// <summary>
/// Public WiFi spaces (programme activity C1A1): the sites layer, per-site controller keys, hourly connection reports and
/// heartbeats, and the open datasets of connections per site per day and month (datasets/wifi-*).
/// </summary>
public static class WifiFeature
{
    public static IServiceCollection AddWifi(this IServiceCollection s, IConfiguration config) =>
        s.Configure<WifiOptions>(config.GetSection("Wifi"));

    public static IEndpointRouteBuilder MapWifi(this IEndpointRouteBuilder app) =>
        app.MapReportEndpoints().MapSiteKeyEndpoints().MapIndicatorEndpoints();

    /// <summary>The seed sites (and their illustrative history), once; sites already there are left as they are.</summary>
    public static async Task PrepareWifiAsync(this IServiceProvider services, CancellationToken ct = default) =>
        await WifiSeed.EnsureAsync(services.GetRequiredService<NpgsqlDataSource>(), ct);
}
