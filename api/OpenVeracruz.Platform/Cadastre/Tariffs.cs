using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenVeracruz.Platform.Cadastre;

/// <summary>
/// One version of a row of the unit value tables (tablas de valores unitarios): a valuation zone or a construction
/// type, valid from <see cref="ValidFrom"/> until <see cref="ValidTo"/> (null: current). Append-only, like parcel versions.
/// </summary>
public sealed class TariffVersion
{
    public const string Zone = "valuation_zone", Construction = "construction_type";

    public long Id { get; private set; }
    public string Kind { get; private set; } = "";
    public string Code { get; private set; } = "";
    public int Version { get; private set; }
    public string Name { get; private set; } = "";
    /// <summary>Land value per m² (zone) or construction value per built m² (type), MXN.</summary>
    public decimal Value { get; private set; }
    public DateTime ValidFrom { get; private set; }
    public DateTime? ValidTo { get; private set; }
    public string? ChangedBy { get; private set; }
    public string? Reason { get; private set; }
    public string? SourceDocument { get; private set; }
    /// <summary>Parcels whose values this version recomputed.</summary>
    public int ParcelsRevalued { get; private set; }

    private TariffVersion() { }
}

public sealed class TariffVersionConfig : IEntityTypeConfiguration<TariffVersion>
{
    public void Configure(EntityTypeBuilder<TariffVersion> b)
    {
        b.ToTable("tariff_versions", "cadastre");
        b.HasKey(v => v.Id);
        b.Property(v => v.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(v => v.Kind).HasColumnName("kind").HasMaxLength(20);
        b.Property(v => v.Code).HasColumnName("code").HasMaxLength(10);
        b.Property(v => v.Version).HasColumnName("version");
        b.HasIndex(v => new { v.Kind, v.Code, v.Version }).IsUnique();
        b.HasIndex(v => new { v.Kind, v.Code, v.ValidFrom });
        b.Property(v => v.Name).HasColumnName("name");
        b.Property(v => v.Value).HasColumnName("value").HasPrecision(12, 2);
        b.Property(v => v.ValidFrom).HasColumnName("valid_from");
        b.Property(v => v.ValidTo).HasColumnName("valid_to");
        b.Property(v => v.ChangedBy).HasColumnName("changed_by");
        b.Property(v => v.Reason).HasColumnName("reason");
        b.Property(v => v.SourceDocument).HasColumnName("source_document");
        b.Property(v => v.ParcelsRevalued).HasColumnName("parcels_revalued");
    }
}

/// <summary>SQL shared by the migration that introduced tariff versions and the dataset loader.</summary>
public static class TariffVersionSql
{
    /// <summary>
    /// Brings the history in step with the tables: an open version that no longer matches its row is closed, and every
    /// row without a matching open version gets one. A row never versioned is valid from the earliest parcel version
    /// (the tariffs priced the cadastre from its first load), or from now on an empty cadastre.
    /// </summary>
    public const string Sync = """
        CREATE TEMP TABLE tariff_rows AS
          SELECT 'valuation_zone'::varchar AS kind, code, name, land_value_per_m2 AS value, version FROM cadastre.valuation_zones
          UNION ALL SELECT 'construction_type', code, name, value_per_m2, version FROM cadastre.construction_types;
        UPDATE cadastre.tariff_versions t SET valid_to = now()
        FROM tariff_rows r
        WHERE t.kind = r.kind AND t.code = r.code AND t.valid_to IS NULL AND (t.version, t.name, t.value) IS DISTINCT FROM (r.version, r.name, r.value);
        INSERT INTO cadastre.tariff_versions (kind, code, version, name, value, valid_from, reason, parcels_revalued)
        SELECT r.kind, r.code, r.version, r.name, r.value,
               CASE WHEN EXISTS (SELECT 1 FROM cadastre.tariff_versions o WHERE o.kind = r.kind AND o.code = r.code) THEN now()
                    ELSE LEAST(now(), COALESCE((SELECT min(valid_from) FROM cadastre.parcel_versions), now())) END,
               'Tabla de valores unitarios vigente', 0
        FROM tariff_rows r
        WHERE NOT EXISTS (SELECT 1 FROM cadastre.tariff_versions t WHERE t.kind = r.kind AND t.code = r.code AND t.valid_to IS NULL);
        DROP TABLE tariff_rows;
        """;
}
