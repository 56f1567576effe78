using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenVeracruz.Platform.Cadastre;

public sealed class ParcelConfig : IEntityTypeConfiguration<Parcel>, IEntityTypeConfiguration<ValuationZone>,
    IEntityTypeConfiguration<ConstructionType>, IEntityTypeConfiguration<Owner>
{
    public void Configure(EntityTypeBuilder<Parcel> b)
    {
        b.ToTable("parcels", "cadastre");
        b.HasKey(p => p.Id);
        b.Property(p => p.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(p => p.Clave).HasColumnName("clave").HasMaxLength(12).IsRequired();
        b.HasIndex(p => p.Clave).IsUnique();
        b.Property(p => p.Zone).HasColumnName("zone");
        b.Property(p => p.Block).HasColumnName("block");
        b.Property(p => p.Lot).HasColumnName("lot");
        b.Property(p => p.LocalityCvegeo).HasColumnName("locality_cvegeo").HasMaxLength(9);
        b.Property(p => p.LocalityName).HasColumnName("locality");
        b.HasIndex(p => p.LocalityCvegeo);
        b.Property(p => p.LandUse).HasColumnName("land_use").HasMaxLength(20);
        b.Property(p => p.LandAreaM2).HasColumnName("land_area_m2");
        b.Property(p => p.BuiltAreaM2).HasColumnName("built_area_m2");
        b.Property(p => p.ValuationZoneCode).HasColumnName("valuation_zone").HasMaxLength(10);
        b.Property(p => p.ConstructionTypeCode).HasColumnName("construction_type").HasMaxLength(10);
        b.Property(p => p.LandValue).HasColumnName("land_value").HasPrecision(14, 2);
        b.Property(p => p.ConstructionValue).HasColumnName("construction_value").HasPrecision(14, 2);
        b.Property(p => p.CadastralValue).HasColumnName("cadastral_value").HasPrecision(14, 2);
        b.Property(p => p.Geom).HasColumnName("geom").HasColumnType("geometry(Polygon,4326)").IsRequired();
        b.HasIndex(p => p.Geom).HasMethod("gist");
        b.HasOne<ValuationZone>().WithMany().HasForeignKey(p => p.ValuationZoneCode).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ConstructionType>().WithMany().HasForeignKey(p => p.ConstructionTypeCode).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ValuationZone> b)
    {
        b.ToTable("valuation_zones", "cadastre");
        b.HasKey(z => z.Code);
        b.Property(z => z.Code).HasColumnName("code").HasMaxLength(10);
        b.Property(z => z.Name).HasColumnName("name");
        b.Property(z => z.LandValuePerM2).HasColumnName("land_value_per_m2").HasPrecision(12, 2);
    }

    public void Configure(EntityTypeBuilder<ConstructionType> b)
    {
        b.ToTable("construction_types", "cadastre");
        b.HasKey(c => c.Code);
        b.Property(c => c.Code).HasColumnName("code").HasMaxLength(10);
        b.Property(c => c.Name).HasColumnName("name");
        b.Property(c => c.ValuePerM2).HasColumnName("value_per_m2").HasPrecision(12, 2);
    }

    public void Configure(EntityTypeBuilder<Owner> b)
    {
        b.ToTable("owners", "private");
        b.HasKey(o => o.Id);
        b.Property(o => o.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(o => o.ParcelId).HasColumnName("parcel_id");
        b.HasIndex(o => o.ParcelId);
        b.Property(o => o.FullName).HasColumnName("full_name");
        b.Property(o => o.Curp).HasColumnName("curp").HasMaxLength(18);
        b.Property(o => o.Phone).HasColumnName("phone");
        b.Property(o => o.Email).HasColumnName("email");
        b.HasOne<Parcel>().WithMany().HasForeignKey(o => o.ParcelId).OnDelete(DeleteBehavior.Cascade);
    }
}
