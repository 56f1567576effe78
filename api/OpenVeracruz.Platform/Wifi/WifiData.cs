using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Wifi;

namespace OpenVeracruz.Platform.Data;

/// <summary>The WiFi spaces' part of the context.</summary>
public sealed partial class AppDbContext
{
    public DbSet<WifiSite> WifiSites => Set<WifiSite>();
    public DbSet<WifiSiteKey> WifiSiteKeys => Set<WifiSiteKey>();
    public DbSet<HourlyReport> WifiHourlyReports => Set<HourlyReport>();
}
