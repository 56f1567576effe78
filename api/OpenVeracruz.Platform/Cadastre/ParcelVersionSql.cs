namespace OpenVeracruz.Platform.Cadastre;

/// <summary>SQL shared by the loader and the migration that introduced versions.</summary>
public static class ParcelVersionSql
{
    /// <summary>Version 1 of every parcel that has no version yet, valid from now (the load).</summary>
    public const string InitialVersions = """
        INSERT INTO cadastre.parcel_versions (parcel_id, clave, version, zone, block, lot, locality_cvegeo, locality, land_use,
            land_area_m2, built_area_m2, valuation_zone, construction_type, land_value, construction_value, cadastral_value, geom,
            valid_from, change_kind, reason)
        SELECT p.id, p.clave, p.version, p.zone, p.block, p.lot, p.locality_cvegeo, p.locality, p.land_use,
            p.land_area_m2, p.built_area_m2, p.valuation_zone, p.construction_type, p.land_value, p.construction_value, p.cadastral_value, p.geom,
            now(), 'create', 'Carga inicial del padrón catastral'
        FROM cadastre.parcels p
        WHERE NOT EXISTS (SELECT 1 FROM cadastre.parcel_versions v WHERE v.parcel_id = p.id);
        """;
}
