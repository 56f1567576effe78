using System.ComponentModel.DataAnnotations;

namespace OpenVeracruz.Platform.OData;

// OData cannot carry NetTopologySuite geometries: each entity set offers WKT text and a
// representative point (inside the shape) as longitude/latitude instead. Public fields only.

public sealed class ODataParcel
{
    [Key] public string Clave { get; set; } = "";
    public int Zone { get; set; }
    public int Block { get; set; }
    public int Lot { get; set; }
    public string Locality { get; set; } = "";
    public string LocalityCvegeo { get; set; } = "";
    public string LandUse { get; set; } = "";
    public double LandAreaM2 { get; set; }
    public double BuiltAreaM2 { get; set; }
    public string ValuationZone { get; set; } = "";
    public string ConstructionType { get; set; } = "";
    public decimal LandValue { get; set; }
    public decimal ConstructionValue { get; set; }
    public decimal CadastralValue { get; set; }
    public double Longitude { get; set; }
    public double Latitude { get; set; }
    public string Wkt { get; set; } = "";
}

public sealed class ODataLocality
{
    [Key] public string Cvegeo { get; set; } = "";
    public string CveMun { get; set; } = "";
    public string CveLoc { get; set; } = "";
    public string Name { get; set; } = "";
    public string Ambito { get; set; } = "";
    public long? Population { get; set; }
    public long? Dwellings { get; set; }
    public double Longitude { get; set; }
    public double Latitude { get; set; }
    public string Wkt { get; set; } = "";
}

public sealed class ODataMunicipality
{
    [Key] public string Cvegeo { get; set; } = "";
    public string CveMun { get; set; } = "";
    public string Name { get; set; } = "";
    public long? Population { get; set; }
    public long? Dwellings { get; set; }
    public double Longitude { get; set; }
    public double Latitude { get; set; }
    public string Wkt { get; set; } = "";
}
