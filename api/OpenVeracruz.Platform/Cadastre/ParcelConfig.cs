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
        b.Property(p => p.Version).HasColumnName("version").HasDefaultValue(1).IsConcurrencyToken();
        b.Ignore(p => p.Retired);
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
        b.Property(z => z.Version).HasColumnName("version").HasDefaultValue(1).IsConcurrencyToken();
    }

    public void Configure(EntityTypeBuilder<ConstructionType> b)
    {
        b.ToTable("construction_types", "cadastre");
        b.HasKey(c => c.Code);
        b.Property(c => c.Code).HasColumnName("code").HasMaxLength(10);
        b.Property(c => c.Name).HasColumnName("name");
        b.Property(c => c.ValuePerM2).HasColumnName("value_per_m2").HasPrecision(12, 2);
        b.Property(c => c.Version).HasColumnName("version").HasDefaultValue(1).IsConcurrencyToken();
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
        b.Property(o => o.Clave).HasColumnName("clave").HasMaxLength(12);
        b.HasIndex(o => o.Clave);
        b.Property(o => o.RetiredAt).HasColumnName("retired_at");
        // retiring a parcel keeps its owner row (clave, retired_at): personal data of the cadastre is never lost
        b.HasOne<Parcel>().WithMany().HasForeignKey(o => o.ParcelId).OnDelete(DeleteBehavior.SetNull);
    }
}

public sealed class ParcelHistoryConfig : IEntityTypeConfiguration<ParcelVersion>, IEntityTypeConfiguration<ParcelLineage>,
    IEntityTypeConfiguration<ParcelEdit>, IEntityTypeConfiguration<OwnerAccess>
{
    public void Configure(EntityTypeBuilder<ParcelVersion> b)
    {
        b.ToTable("parcel_versions", "cadastre");
        b.HasKey(v => v.Id);
        b.Property(v => v.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        // no foreign key to parcels: retired parcels leave the table, their versions stay
        b.Property(v => v.ParcelId).HasColumnName("parcel_id");
        b.HasIndex(v => new { v.ParcelId, v.Version }).IsUnique();
        b.Property(v => v.Clave).HasColumnName("clave").HasMaxLength(12);
        b.HasIndex(v => new { v.Clave, v.ValidFrom });
        b.Property(v => v.Version).HasColumnName("version");
        b.Property(v => v.Zone).HasColumnName("zone");
        b.Property(v => v.Block).HasColumnName("block");
        b.Property(v => v.Lot).HasColumnName("lot");
        b.Property(v => v.LocalityCvegeo).HasColumnName("locality_cvegeo").HasMaxLength(9);
        b.Property(v => v.LocalityName).HasColumnName("locality");
        b.Property(v => v.LandUse).HasColumnName("land_use").HasMaxLength(20);
        b.Property(v => v.LandAreaM2).HasColumnName("land_area_m2");
        b.Property(v => v.BuiltAreaM2).HasColumnName("built_area_m2");
        b.Property(v => v.ValuationZoneCode).HasColumnName("valuation_zone").HasMaxLength(10);
        b.Property(v => v.ConstructionTypeCode).HasColumnName("construction_type").HasMaxLength(10);
        b.Property(v => v.LandValue).HasColumnName("land_value").HasPrecision(14, 2);
        b.Property(v => v.ConstructionValue).HasColumnName("construction_value").HasPrecision(14, 2);
        b.Property(v => v.CadastralValue).HasColumnName("cadastral_value").HasPrecision(14, 2);
        b.Property(v => v.Geom).HasColumnName("geom").HasColumnType("geometry(Polygon,4326)").IsRequired();
        b.HasIndex(v => v.Geom).HasMethod("gist");
        b.Property(v => v.ValidFrom).HasColumnName("valid_from");
        b.Property(v => v.ValidTo).HasColumnName("valid_to");
        b.Property(v => v.ChangeKind).HasColumnName("change_kind").HasMaxLength(12);
        b.Property(v => v.EditId).HasColumnName("edit_id");
        b.Property(v => v.Reason).HasColumnName("reason");
        b.Property(v => v.SourceDocument).HasColumnName("source_document");
        b.Property(v => v.ProposedBy).HasColumnName("proposed_by");
        b.Property(v => v.ApprovedBy).HasColumnName("approved_by");
        b.Property(v => v.ApprovedAt).HasColumnName("approved_at");
    }

    public void Configure(EntityTypeBuilder<ParcelLineage> b)
    {
        b.ToTable("parcel_lineage", "cadastre");
        b.HasKey(l => l.Id);
        b.Property(l => l.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(l => l.ParentParcelId).HasColumnName("parent_parcel_id");
        b.Property(l => l.ChildParcelId).HasColumnName("child_parcel_id");
        b.Property(l => l.EditId).HasColumnName("edit_id");
        b.HasIndex(l => l.ParentParcelId);
        b.HasIndex(l => l.ChildParcelId);
    }

    public void Configure(EntityTypeBuilder<ParcelEdit> b)
    {
        b.ToTable("parcel_edits", "cadastre");
        b.HasKey(e => e.Id);
        b.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(e => e.Kind).HasColumnName("kind").HasMaxLength(12);
        b.Property(e => e.TargetClaves).HasColumnName("target_claves");
        b.Property(e => e.BaseVersions).HasColumnName("base_versions");
        b.Property(e => e.Payload).HasColumnName("payload").HasColumnType("jsonb");
        b.Property(e => e.Reason).HasColumnName("reason");
        b.Property(e => e.SourceDocument).HasColumnName("source_document");
        b.Property(e => e.State).HasColumnName("state").HasMaxLength(10);
        b.HasIndex(e => e.State);
        b.Property(e => e.ProposedBy).HasColumnName("proposed_by");
        b.Property(e => e.ProposedAt).HasColumnName("proposed_at");
        b.Property(e => e.DecidedBy).HasColumnName("decided_by");
        b.Property(e => e.DecidedAt).HasColumnName("decided_at");
        b.Property(e => e.RejectionReason).HasColumnName("rejection_reason");
    }

    public void Configure(EntityTypeBuilder<OwnerAccess> b)
    {
        b.ToTable("owner_access_log", "private");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(a => a.UserId).HasColumnName("user_id");
        b.Property(a => a.UserEmail).HasColumnName("user_email");
        b.Property(a => a.ParcelId).HasColumnName("parcel_id");
        b.Property(a => a.Clave).HasColumnName("clave").HasMaxLength(12);
        b.Property(a => a.At).HasColumnName("at");
    }
}
