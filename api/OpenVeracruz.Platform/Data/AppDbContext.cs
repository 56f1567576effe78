using Microsoft.EntityFrameworkCore;

namespace OpenVeracruz.Platform.Data;

/// <summary>
/// The platform's one EF Core context. It knows no feature: each feature folder adds its <c>DbSet</c>s in a part of
/// this partial class (<c>Cadastre/CadastreData.cs</c>, …) and maps its entities with <see cref="IEntityTypeConfiguration{T}"/>
/// classes, which are applied here by assembly scan. The base class (Identity's context) is declared by the Auth part.
/// </summary>
public sealed partial class AppDbContext
{
    public AppDbContext(DbContextOptions<AppDbContext> options) : base(options) { }

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        b.HasPostgresExtension("postgis");
        b.HasPostgresExtension("unaccent");
        b.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }
}
