using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Catalog.Uploads;

namespace OpenVeracruz.Platform.Data;

/// <summary>The catalog's part of the context: datasets and resources, the bundled loads, uploads and the layers imported from them.</summary>
public sealed partial class AppDbContext
{
    public DbSet<DatasetLoad> DatasetLoads => Set<DatasetLoad>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<OrganizationMember> OrganizationMembers => Set<OrganizationMember>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<Resource> Resources => Set<Resource>();
    public DbSet<LayerRecord> Layers => Set<LayerRecord>();
    public DbSet<ResourceVersion> ResourceVersions => Set<ResourceVersion>();
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();
}
