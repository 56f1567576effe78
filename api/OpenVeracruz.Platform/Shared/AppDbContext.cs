using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Cadastre;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Uploads;

namespace OpenVeracruz.Platform.Shared;

/// <summary>Record of a bundled dataset load, so a rerun with the same content is skipped.</summary>
public sealed class DatasetLoad
{
    public required string DatasetId { get; init; }
    public required string ContentHash { get; set; }
    public long RowCount { get; set; }
    public DateTimeOffset LoadedAt { get; set; }
}

public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<StaffUser>(options)
{
    public DbSet<Parcel> Parcels => Set<Parcel>();
    public DbSet<ValuationZone> ValuationZones => Set<ValuationZone>();
    public DbSet<ConstructionType> ConstructionTypes => Set<ConstructionType>();
    public DbSet<Owner> Owners => Set<Owner>();
    public DbSet<ParcelVersion> ParcelVersions => Set<ParcelVersion>();
    public DbSet<TariffVersion> TariffVersions => Set<TariffVersion>();
    public DbSet<ParcelLineage> ParcelLineage => Set<ParcelLineage>();
    public DbSet<ParcelEdit> ParcelEdits => Set<ParcelEdit>();
    public DbSet<OwnerAccess> OwnerAccessLog => Set<OwnerAccess>();
    public DbSet<DatasetLoad> DatasetLoads => Set<DatasetLoad>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<Resource> Resources => Set<Resource>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<OutboxEmail> OutboxEmails => Set<OutboxEmail>();
    public DbSet<LayerRecord> Layers => Set<LayerRecord>();
    public DbSet<ResourceVersion> ResourceVersions => Set<ResourceVersion>();
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        AuthConfig.Configure(b);
        b.HasPostgresExtension("postgis");
        b.HasPostgresExtension("unaccent");
        b.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        b.Entity<DatasetLoad>(e =>
        {
            e.ToTable("dataset_loads", "catalog");
            e.HasKey(x => x.DatasetId);
            e.Property(x => x.DatasetId).HasColumnName("dataset_id");
            e.Property(x => x.ContentHash).HasColumnName("content_hash");
            e.Property(x => x.RowCount).HasColumnName("row_count");
            e.Property(x => x.LoadedAt).HasColumnName("loaded_at");
        });
    }
}
