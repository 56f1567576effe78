using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenVeracruz.Platform.Catalog;

namespace OpenVeracruz.Platform.Catalog.Uploads;

public sealed class LayerRecordConfig : IEntityTypeConfiguration<LayerRecord>
{
    public void Configure(EntityTypeBuilder<LayerRecord> b)
    {
        b.ToTable("layers", "catalog");
        b.HasKey(l => l.Id);
        b.Property(l => l.Id).HasColumnName("id").HasMaxLength(63);
        b.Property(l => l.Title).HasColumnName("title");
        b.Property(l => l.Table).HasColumnName("table_name").HasMaxLength(127);
        b.HasIndex(l => l.Table).IsUnique();
        b.Property(l => l.GeometryType).HasColumnName("geometry_type").HasMaxLength(40);
        b.Property(l => l.KeyColumn).HasColumnName("key_column").HasMaxLength(63);
        b.Property(l => l.Properties).HasColumnName("properties").HasColumnType("jsonb");
        b.Property(l => l.DatasetId).HasColumnName("dataset_id");
        b.HasOne<Dataset>().WithMany().HasForeignKey(l => l.DatasetId).OnDelete(DeleteBehavior.Cascade);
        b.Property(l => l.ResourceId).HasColumnName("resource_id");
        b.HasIndex(l => l.ResourceId).IsUnique();
        b.HasOne<Resource>().WithMany().HasForeignKey(l => l.ResourceId).OnDelete(DeleteBehavior.Cascade);
        b.Property(l => l.Created).HasColumnName("created");
        b.Property(l => l.Updated).HasColumnName("updated");
    }
}
