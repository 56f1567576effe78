using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Cadastre;

/// <summary>Land uses of the cadastre, with their Spanish labels.</summary>
public static class LandUse
{
    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        ["habitacional"] = "Habitacional",
        ["comercial"] = "Comercial",
        ["mixto"] = "Mixto (habitacional y comercial)",
        ["industrial"] = "Industrial",
        ["equipamiento"] = "Equipamiento urbano",
        ["baldio"] = "Baldío",
    };
}

/// <summary>A valuation zone: the land value per m² that applies inside it (MXN).</summary>
public sealed class ValuationZone
{
    public required string Code { get; init; }
    public required string Name { get; set; }
    public decimal LandValuePerM2 { get; set; }
}

/// <summary>A construction type: the construction value per built m² (MXN).</summary>
public sealed class ConstructionType
{
    public required string Code { get; init; }
    public required string Name { get; set; }
    public decimal ValuePerM2 { get; set; }
}

/// <summary>A cadastral parcel (predio). Public fields only; owners live in the private <see cref="Owner"/> table.</summary>
public sealed class Parcel
{
    public long Id { get; private set; }
    public string Clave { get; private set; } = "";
    public int Zone { get; private set; }
    public int Block { get; private set; }
    public int Lot { get; private set; }
    public string LocalityCvegeo { get; private set; } = "";
    public string LocalityName { get; private set; } = "";
    public string LandUse { get; private set; } = "";
    public double LandAreaM2 { get; private set; }
    public double BuiltAreaM2 { get; private set; }
    public string ValuationZoneCode { get; private set; } = "";
    public string ConstructionTypeCode { get; private set; } = "";
    public decimal LandValue { get; private set; }
    public decimal ConstructionValue { get; private set; }
    public decimal CadastralValue { get; private set; }
    public Polygon Geom { get; private set; } = Polygon.Empty;

    private Parcel() { }

    /// <summary>
    /// Creates a parcel and computes its land area in UTM 14N (metres) and its cadastral value:
    /// land area × zone value per m² + built area × construction value per m².
    /// </summary>
    public static Parcel Create(ClaveCatastral clave, string localityCvegeo, string localityName, string landUse,
        Polygon geometryLonLat, double builtAreaM2, ValuationZone zone, ConstructionType construction)
    {
        if (!Cadastre.LandUse.Labels.ContainsKey(landUse))
            throw new DomainRuleException($"Unknown land use '{landUse}'", $"Uso de suelo desconocido: '{landUse}'");
        if (!geometryLonLat.IsValid)
            throw new DomainRuleException("The parcel geometry is not valid", "La geometría del predio no es válida");
        if (builtAreaM2 < 0)
            throw new DomainRuleException("Built area cannot be negative", "La superficie construida no puede ser negativa");
        var landArea = Math.Round(MetricArea(geometryLonLat), 2);
        var parcel = new Parcel
        {
            Clave = clave.ToString(),
            Zone = clave.Zone,
            Block = clave.Block,
            Lot = clave.Lot,
            LocalityCvegeo = localityCvegeo,
            LocalityName = localityName,
            LandUse = landUse,
            LandAreaM2 = landArea,
            BuiltAreaM2 = Math.Round(builtAreaM2, 2),
            ValuationZoneCode = zone.Code,
            ConstructionTypeCode = construction.Code,
            Geom = geometryLonLat,
        };
        parcel.LandValue = Math.Round((decimal)landArea * zone.LandValuePerM2, 2);
        parcel.ConstructionValue = Math.Round((decimal)parcel.BuiltAreaM2 * construction.ValuePerM2, 2);
        parcel.CadastralValue = parcel.LandValue + parcel.ConstructionValue;
        parcel.Geom.SRID = Crs.StorageSrid;
        return parcel;
    }

    /// <summary>Area in square metres, measured in WGS 84 / UTM zone 14N.</summary>
    public static double MetricArea(Geometry lonLat) =>
        Crs.Reproject(lonLat, Crs.Transform(Crs.Crs84, Crs.Utm14N), Crs.MetricSrid).Area;
}

/// <summary>Synthetic owner of a parcel. Private: no public door reads this table.</summary>
public sealed class Owner
{
    public long Id { get; set; }
    public long ParcelId { get; set; }
    public required string FullName { get; set; }
    public required string Curp { get; set; }
    public required string Phone { get; set; }
    public required string Email { get; set; }
}
