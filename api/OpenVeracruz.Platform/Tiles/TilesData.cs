using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Tiles;

namespace OpenVeracruz.Platform.Data;

/// <summary>The vector tiles' part of the context: the tile cache.</summary>
public sealed partial class AppDbContext
{
    public DbSet<CachedTile> CachedTiles => Set<CachedTile>();
}
