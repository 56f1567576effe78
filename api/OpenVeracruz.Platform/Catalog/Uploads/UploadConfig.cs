using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenVeracruz.Platform.Catalog;

namespace OpenVeracruz.Platform.Catalog.Uploads;

public sealed class UploadConfig : IEntityTypeConfiguration<ResourceVersion>, IEntityTypeConfiguration<ImportJob>
{
    public void Configure(EntityTypeBuilder<ResourceVersion> b)
    {
        b.ToTable("resource_versions", "catalog");
        b.HasKey(v => new { v.ResourceId, v.Version });
        b.Property(v => v.ResourceId).HasColumnName("resource_id");
        b.Property(v => v.Version).HasColumnName("version");
        b.HasOne<Resource>().WithMany().HasForeignKey(v => v.ResourceId).OnDelete(DeleteBehavior.Cascade);
        b.Property(v => v.Created).HasColumnName("created");
        b.Property(v => v.RowCount).HasColumnName("row_count");
        b.Property(v => v.RejectedCount).HasColumnName("rejected_count");
        b.Property(v => v.OriginalName).HasColumnName("original_name");
        b.Property(v => v.StoredPath).HasColumnName("stored_path");
        b.Property(v => v.Format).HasColumnName("format").HasMaxLength(20);
        b.Property(v => v.SizeBytes).HasColumnName("size_bytes");
        b.Property(v => v.Epsg).HasColumnName("epsg");
        b.Property(v => v.UploadedBy).HasColumnName("uploaded_by");
    }

    public void Configure(EntityTypeBuilder<ImportJob> b)
    {
        b.ToTable("import_jobs", "catalog");
        b.HasKey(j => new { j.ResourceId, j.Version });
        b.Property(j => j.ResourceId).HasColumnName("resource_id");
        b.Property(j => j.Version).HasColumnName("version");
        b.HasOne<ResourceVersion>().WithOne().HasForeignKey<ImportJob>(j => new { j.ResourceId, j.Version }).OnDelete(DeleteBehavior.Cascade);
        b.Property(j => j.State).HasColumnName("state").HasMaxLength(20);
        b.Property(j => j.RowsDone).HasColumnName("rows_done");
        b.Property(j => j.RowsTotal).HasColumnName("rows_total");
        b.Property(j => j.Rejected).HasColumnName("rejected");
        b.Property(j => j.Repaired).HasColumnName("repaired");
        b.Property(j => j.Message).HasColumnName("message");
        b.Property(j => j.Report).HasColumnName("report").HasColumnType("jsonb");
        b.Property(j => j.QueuedAt).HasColumnName("queued_at");
        b.Property(j => j.StartedAt).HasColumnName("started_at");
        b.Property(j => j.FinishedAt).HasColumnName("finished_at");
    }
}
