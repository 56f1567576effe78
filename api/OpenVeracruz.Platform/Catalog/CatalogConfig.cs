using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenVeracruz.Platform.Catalog;

public sealed class CatalogConfig : IEntityTypeConfiguration<Organization>, IEntityTypeConfiguration<Group>, IEntityTypeConfiguration<Dataset>,
    IEntityTypeConfiguration<DatasetTag>, IEntityTypeConfiguration<DatasetGroup>, IEntityTypeConfiguration<Resource>,
    IEntityTypeConfiguration<OrganizationMember>
{
    public void Configure(EntityTypeBuilder<OrganizationMember> b)
    {
        b.ToTable("organization_members", "catalog", t => t.HasCheckConstraint("ck_organization_members_capacity", "capacity IN ('member', 'editor', 'admin')"));
        b.HasKey(m => new { m.OrganizationId, m.UserId });
        b.Property(m => m.OrganizationId).HasColumnName("organization_id");
        b.Property(m => m.UserId).HasColumnName("user_id");
        b.HasIndex(m => m.UserId);
        b.Property(m => m.Capacity).HasColumnName("capacity").HasMaxLength(10);
        b.Property(m => m.Created).HasColumnName("created");
        b.HasOne<Organization>().WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<OpenVeracruz.Platform.Auth.StaffUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.ToTable("organizations", "catalog");
        b.Property(o => o.Id).HasColumnName("id");
        b.Property(o => o.Name).HasColumnName("name").HasMaxLength(100);
        b.HasIndex(o => o.Name).IsUnique();
        b.Property(o => o.Title).HasColumnName("title");
        b.Property(o => o.Description).HasColumnName("description");
        b.Property(o => o.ImageUrl).HasColumnName("image_url");
        b.Property(o => o.Created).HasColumnName("created");
    }

    public void Configure(EntityTypeBuilder<Group> b)
    {
        b.ToTable("groups", "catalog");
        b.Property(g => g.Id).HasColumnName("id");
        b.Property(g => g.Name).HasColumnName("name").HasMaxLength(100);
        b.HasIndex(g => g.Name).IsUnique();
        b.Property(g => g.Title).HasColumnName("title");
        b.Property(g => g.Description).HasColumnName("description");
        b.Property(g => g.Created).HasColumnName("created");
    }

    public void Configure(EntityTypeBuilder<Dataset> b)
    {
        b.ToTable("datasets", "catalog");
        b.Property(d => d.Id).HasColumnName("id");
        b.Property(d => d.Name).HasColumnName("name").HasMaxLength(100);
        b.HasIndex(d => d.Name).IsUnique();
        b.Property(d => d.Title).HasColumnName("title");
        b.Property(d => d.Notes).HasColumnName("notes");
        b.Property(d => d.OrganizationId).HasColumnName("organization_id");
        b.HasOne(d => d.Organization).WithMany().HasForeignKey(d => d.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        b.Property(d => d.LicenseId).HasColumnName("license_id").HasMaxLength(100);
        b.Property(d => d.Private).HasColumnName("private");
        b.Property(d => d.State).HasColumnName("state").HasMaxLength(20);
        b.Property(d => d.SourceUrl).HasColumnName("source_url");
        b.Property(d => d.SourceName).HasColumnName("source_name");
        b.Property(d => d.Attribution).HasColumnName("attribution");
        b.Property(d => d.Version).HasColumnName("version");
        b.Property(d => d.LayerId).HasColumnName("layer_id");
        b.Property(d => d.Origin).HasColumnName("origin").HasMaxLength(20).HasDefaultValue("api");
        b.Property(d => d.Synthetic).HasColumnName("synthetic");
        b.Property(d => d.UpdateFrequency).HasColumnName("update_frequency");
        b.Property(d => d.TemporalCoverage).HasColumnName("temporal_coverage");
        b.Property(d => d.Spatial).HasColumnName("spatial").HasColumnType("geometry(Polygon,4326)");
        b.HasIndex(d => d.Spatial).HasMethod("gist");
        b.Property(d => d.MetadataCreated).HasColumnName("metadata_created");
        b.Property(d => d.MetadataModified).HasColumnName("metadata_modified");
        b.HasMany(d => d.Tags).WithOne().HasForeignKey(t => t.DatasetId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(d => d.Groups).WithOne().HasForeignKey(g => g.DatasetId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(d => d.Resources).WithOne().HasForeignKey(r => r.DatasetId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<DatasetTag> b)
    {
        b.ToTable("dataset_tags", "catalog");
        b.HasKey(t => new { t.DatasetId, t.Name });
        b.Property(t => t.DatasetId).HasColumnName("dataset_id");
        b.Property(t => t.Name).HasColumnName("name").HasMaxLength(100);
        b.HasIndex(t => t.Name);
    }

    public void Configure(EntityTypeBuilder<DatasetGroup> b)
    {
        b.ToTable("dataset_groups", "catalog");
        b.HasKey(g => new { g.DatasetId, g.GroupId });
        b.Property(g => g.DatasetId).HasColumnName("dataset_id");
        b.Property(g => g.GroupId).HasColumnName("group_id");
        b.HasOne(g => g.Group).WithMany().HasForeignKey(g => g.GroupId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Resource> b)
    {
        b.ToTable("resources", "catalog");
        // ids are always assigned by the platform (stable ones for bundled layers): a new resource reached through
        // its dataset's collection is then tracked as new, not mistaken for an existing row
        b.Property(r => r.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(r => r.DatasetId).HasColumnName("dataset_id");
        b.Property(r => r.Position).HasColumnName("position");
        b.Property(r => r.Name).HasColumnName("name");
        b.Property(r => r.Description).HasColumnName("description");
        b.Property(r => r.Format).HasColumnName("format").HasMaxLength(40);
        b.Property(r => r.MimeType).HasColumnName("mimetype").HasMaxLength(100);
        b.Property(r => r.Url).HasColumnName("url");
        b.HasIndex(r => r.Url);
        b.Property(r => r.LayerId).HasColumnName("layer_id");
        b.Property(r => r.DatastoreActive).HasColumnName("datastore_active");
        b.Property(r => r.State).HasColumnName("state").HasMaxLength(20);
        b.Property(r => r.Created).HasColumnName("created");
        b.Property(r => r.LastModified).HasColumnName("last_modified");
        b.Property(r => r.DownloadCount).HasColumnName("download_count");
        b.Property(r => r.RefreshUrl).HasColumnName("refresh_url");
        b.Property(r => r.RefreshCron).HasColumnName("refresh_cron").HasMaxLength(100);
    }
}
