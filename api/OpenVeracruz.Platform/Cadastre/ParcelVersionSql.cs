namespace OpenVeracruz.Platform.Cadastre;

/// <summary>SQL shared by the loader, the migration that introduced versions and the revaluation of a tariff change.</summary>
public static class ParcelVersionSql
{
    /// <summary>The parcel columns a version copies, in the same order in cadastre.parcels and cadastre.parcel_versions.</summary>
    public const string SnapshotColumns = """
        clave, version, zone, block, lot, locality_cvegeo, locality, land_use,
            land_area_m2, built_area_m2, valuation_zone, construction_type, land_value, construction_value, cadastral_value, geom
        """;

    /// <summary>Version 1 of every parcel that has no version yet, valid from now (the load).</summary>
    public const string InitialVersions = $"""
        INSERT INTO cadastre.parcel_versions (parcel_id, {SnapshotColumns}, valid_from, change_kind, reason)
        SELECT p.id, {SnapshotColumns}, now(), 'create', 'Carga inicial del padrón catastral'
        FROM cadastre.parcels p
        WHERE NOT EXISTS (SELECT 1 FROM cadastre.parcel_versions v WHERE v.parcel_id = p.id);
        """;
}
