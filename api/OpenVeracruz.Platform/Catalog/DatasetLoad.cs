using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>Record of a bundled dataset load, so a rerun with the same content is skipped.</summary>
public sealed class DatasetLoad
{
    public required string DatasetId { get; init; }
    public required string ContentHash { get; set; }
    public long RowCount { get; set; }
    public DateTimeOffset LoadedAt { get; set; }
}

public sealed class DatasetLoadConfig : IEntityTypeConfiguration<DatasetLoad>
{
    public void Configure(EntityTypeBuilder<DatasetLoad> e)
    {
        e.ToTable("dataset_loads", "catalog");
        e.HasKey(x => x.DatasetId);
        e.Property(x => x.DatasetId).HasColumnName("dataset_id");
        e.Property(x => x.ContentHash).HasColumnName("content_hash");
        e.Property(x => x.RowCount).HasColumnName("row_count");
        e.Property(x => x.LoadedAt).HasColumnName("loaded_at");
    }
}
