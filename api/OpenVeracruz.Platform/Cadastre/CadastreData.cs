using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Cadastre;

namespace OpenVeracruz.Platform.Data;

/// <summary>The cadastre's part of the context.</summary>
public sealed partial class AppDbContext
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
}
