using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Wifi;

public static class SiteStatus
{
    public const string Operating = "operating";
    public const string Failing = "failing";
    public const string Maintenance = "maintenance";
    public static readonly string[] All = [Operating, Failing, Maintenance];
}

/// <summary>A public WiFi space (layer wifi_sites). Heartbeat and problem columns are internal: the layer does not list them.</summary>
public sealed class WifiSite
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Place { get; set; }
    public required string Address { get; set; }
    public string Status { get; set; } = SiteStatus.Operating;
    public DateTime StatusSince { get; set; }
    public int CoverageRadiusM { get; set; }
    public required string Hours { get; set; }
    public int AccessPoints { get; set; }
    public required string Location { get; set; }
    public required Point Geom { get; set; }
    /// <summary>Set when the first key is issued: a site nobody can report for is not watched.</summary>
    public DateTime? MonitoredSince { get; set; }
    public DateTime? LastHeartbeatAt { get; set; }
    /// <summary>Since when the health check has seen a problem (silence or too few connections); null when none.</summary>
    public DateTime? ProblemSince { get; set; }
}

/// <summary>A controller's key for one site. Only the SHA-256 of the key is stored; the key is shown once.</summary>
public sealed class WifiSiteKey : Shared.DeviceKey
{
    public int SiteId { get; set; }

    public const string Scheme = "ovw_";
    public static string NewSecret() => Shared.DeviceKeys.NewSecret(Scheme);
    // the staff tokens' hash: a 192-bit random key needs no slow hash, SHA-256 cannot be reversed and guessing is hopeless
    public static string HashOf(string secret) => Auth.ApiToken.HashOf(secret);
}

/// <summary>
/// Connections of one site in one hour, as counts only (no MAC, IP or any identifier exists in the model).
/// One row per site and hour: a resent hour replaces the row.
/// </summary>
public sealed class HourlyReport
{
    public int SiteId { get; set; }
    public DateTime Hour { get; set; }
    public int Sessions { get; set; }
    public int UniqueDevices { get; set; }
    public long BytesIn { get; set; }
    public long BytesOut { get; set; }
    public DateTime ReceivedAt { get; set; }
    /// <summary>controller, or synthetic for the illustrative history seeded with the sites.</summary>
    public required string Source { get; set; }
}

public sealed class WifiConfig : IEntityTypeConfiguration<WifiSite>, IEntityTypeConfiguration<WifiSiteKey>, IEntityTypeConfiguration<HourlyReport>
{
    public const string Schema = "wifi";

    public void Configure(EntityTypeBuilder<WifiSite> b)
    {
        b.ToTable("sites", Schema, t => t.HasCheckConstraint("ck_sites_status", "status IN ('operating', 'failing', 'maintenance')"));
        b.HasKey(s => s.Id);
        b.Property(s => s.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(s => s.Code).HasColumnName("code").HasMaxLength(20);
        b.HasIndex(s => s.Code).IsUnique();
        b.Property(s => s.Name).HasColumnName("name");
        b.Property(s => s.Place).HasColumnName("place");
        b.Property(s => s.Address).HasColumnName("address");
        b.Property(s => s.Status).HasColumnName("status").HasMaxLength(12);
        b.Property(s => s.StatusSince).HasColumnName("status_since");
        b.Property(s => s.CoverageRadiusM).HasColumnName("coverage_radius_m");
        b.Property(s => s.Hours).HasColumnName("hours");
        b.Property(s => s.AccessPoints).HasColumnName("access_points");
        b.Property(s => s.Location).HasColumnName("location");
        b.Property(s => s.Geom).HasColumnName("geom").HasColumnType("geometry(Point,4326)");
        b.HasIndex(s => s.Geom).HasMethod("gist");
        b.Property(s => s.MonitoredSince).HasColumnName("monitored_since");
        b.Property(s => s.LastHeartbeatAt).HasColumnName("last_heartbeat_at");
        b.Property(s => s.ProblemSince).HasColumnName("problem_since");
    }

    public void Configure(EntityTypeBuilder<WifiSiteKey> b)
    {
        b.ToTable("site_keys", Schema);
        Shared.DeviceKeys.MapKeyColumns(b);
        b.Property(k => k.SiteId).HasColumnName("site_id");
        b.HasOne<WifiSite>().WithMany().HasForeignKey(k => k.SiteId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<HourlyReport> b)
    {
        b.ToTable("hourly_reports", Schema, t =>
        {
            t.HasCheckConstraint("ck_hourly_reports_counts", "sessions >= 0 AND unique_devices >= 0 AND unique_devices <= sessions AND bytes_in >= 0 AND bytes_out >= 0");
            t.HasCheckConstraint("ck_hourly_reports_hour", "mod(extract(epoch FROM hour), 3600) = 0");
        });
        b.HasKey(r => new { r.SiteId, r.Hour });
        b.Property(r => r.SiteId).HasColumnName("site_id");
        b.Property(r => r.Hour).HasColumnName("hour");
        b.Property(r => r.Sessions).HasColumnName("sessions");
        b.Property(r => r.UniqueDevices).HasColumnName("unique_devices");
        b.Property(r => r.BytesIn).HasColumnName("bytes_in");
        b.Property(r => r.BytesOut).HasColumnName("bytes_out");
        b.Property(r => r.ReceivedAt).HasColumnName("received_at");
        b.Property(r => r.Source).HasColumnName("source").HasMaxLength(12);
        b.HasOne<WifiSite>().WithMany().HasForeignKey(r => r.SiteId).OnDelete(DeleteBehavior.Cascade);
    }
}
