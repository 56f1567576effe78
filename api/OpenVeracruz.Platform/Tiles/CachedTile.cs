using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenVeracruz.Platform.Tiles;

/// <summary>A Mapbox Vector Tile as the door served it (an empty array for an empty tile), kept until an edit or a load touches it.</summary>
public sealed class CachedTile
{
    public required string Layer { get; set; }
    public int Z { get; set; }
    public int X { get; set; }
    public int Y { get; set; }
    public required byte[] Bytes { get; set; }
    /// <summary>Length of <see cref="Bytes"/>, what the size bound counts.</summary>
    public int Size { get; set; }
    /// <summary>Hex of the first 16 bytes of the SHA-256 of <see cref="Bytes"/> (the ETag without its quotes).</summary>
    public required string ETag { get; set; }
    public DateTime Created { get; set; }
    /// <summary>When it was last served (to the minute): the bound trims the least recently used first.</summary>
    public DateTime UsedAt { get; set; }
}

public sealed class CachedTileConfig : IEntityTypeConfiguration<CachedTile>
{
    public void Configure(EntityTypeBuilder<CachedTile> b)
    {
        // a cache: no WAL (it is emptied by a crash, and refills), and tiles stored as they are (MVT hardly compresses)
        b.ToTable("cache", "tiles").IsUnlogged();
        b.HasKey(t => new { t.Layer, t.Z, t.X, t.Y });
        b.Property(t => t.Layer).HasColumnName("layer");
        b.Property(t => t.Z).HasColumnName("z");
        b.Property(t => t.X).HasColumnName("x");
        b.Property(t => t.Y).HasColumnName("y");
        b.Property(t => t.Bytes).HasColumnName("bytes");
        b.Property(t => t.Size).HasColumnName("size");
        b.Property(t => t.ETag).HasColumnName("etag").HasMaxLength(32);
        b.Property(t => t.Created).HasColumnName("created");
        b.Property(t => t.UsedAt).HasColumnName("used_at");
        b.HasIndex(t => t.UsedAt);
    }
}
