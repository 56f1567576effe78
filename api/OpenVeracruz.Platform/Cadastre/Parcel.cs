using System.Globalization;
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
    /// <summary>Raised by every change; the ETag is "v{Version}" (history in <see cref="TariffVersion"/>).</summary>
    public int Version { get; set; } = 1;
}

/// <summary>A construction type: the construction value per built m² (MXN).</summary>
public sealed class ConstructionType
{
    public required string Code { get; init; }
    public required string Name { get; set; }
    public decimal ValuePerM2 { get; set; }
    /// <summary>Raised by every change; the ETag is "v{Version}" (history in <see cref="TariffVersion"/>).</summary>
    public int Version { get; set; } = 1;
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
    /// <summary>Version number, raised by every applied edit; the ETag is "v{Version}" and EF checks it on update.</summary>
    public int Version { get; private set; } = 1;

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
            throw new DomainRuleException("The parcel geometry is not valid", "La geometría del predio no es válida",
                new NetTopologySuite.Operation.Valid.IsValidOp(geometryLonLat).ValidationError?.Coordinate);
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
            Geom = Oriented(geometryLonLat),
        };
        parcel.Revalue(zone, construction);
        parcel.Geom.SRID = Crs.StorageSrid;
        return parcel;
    }

    /// <summary>Land value = land area × zone value per m²; construction value = built area × type value per m².</summary>
    private void Revalue(ValuationZone zone, ConstructionType construction)
    {
        if (zone.Code != ValuationZoneCode || construction.Code != ConstructionTypeCode)
            throw new InvalidOperationException("valuation tables do not match the parcel");
        LandValue = Math.Round((decimal)LandAreaM2 * zone.LandValuePerM2, 2);
        ConstructionValue = Math.Round((decimal)BuiltAreaM2 * construction.ValuePerM2, 2);
        CadastralValue = LandValue + ConstructionValue;
    }

    private static void CheckGeometry(Polygon g, double minAreaM2)
    {
        if (g.IsEmpty || !g.IsValid)
        {
            var error = new NetTopologySuite.Operation.Valid.IsValidOp(g).ValidationError;
            throw new DomainRuleException($"The parcel geometry is not valid: {error?.Message ?? "empty"}",
                $"La geometría del predio no es válida ({error?.Message ?? "vacía"})", error?.Coordinate ?? g.InteriorPoint?.Coordinate);
        }
        var area = MetricArea(g);
        if (area < minAreaM2)
            throw new DomainRuleException(string.Create(CultureInfo.InvariantCulture, $"The parcel would measure {area:F2} m², less than the minimum of {minAreaM2} m²"),
                string.Create(CultureInfo.InvariantCulture, $"El predio mediría {area:F2} m², menos que el mínimo de {minAreaM2} m²"), g.InteriorPoint.Coordinate);
    }

    private void Bump()
    {
        if (Retired) throw new DomainRuleException($"Parcel {Clave} is retired", $"El predio {Clave} está dado de baja");
        Version++;
    }

    /// <summary>True once <see cref="Retire"/> ran (the row is then removed; its versions remain).</summary>
    public bool Retired { get; private set; }

    /// <summary>Changes land use, built area and construction type; the values are recomputed.</summary>
    public void ChangeAttributes(string landUse, double builtAreaM2, ValuationZone zone, ConstructionType construction)
    {
        if (!Cadastre.LandUse.Labels.ContainsKey(landUse))
            throw new DomainRuleException($"Unknown land use '{landUse}'", $"Uso de suelo desconocido: '{landUse}'");
        if (builtAreaM2 < 0 || double.IsNaN(builtAreaM2))
            throw new DomainRuleException("Built area cannot be negative", "La superficie construida no puede ser negativa");
        Bump();
        LandUse = landUse;
        BuiltAreaM2 = Math.Round(builtAreaM2, 2);
        ValuationZoneCode = zone.Code;
        ConstructionTypeCode = construction.Code;
        Revalue(zone, construction);
    }

    /// <summary>Gives the parcel a new outline: land area and value are recomputed.</summary>
    public void Reshape(Polygon geometryLonLat, double minAreaM2, ValuationZone zone, ConstructionType construction)
    {
        CheckGeometry(geometryLonLat, minAreaM2);
        Bump();
        Geom = Oriented(geometryLonLat);
        Geom.SRID = Crs.StorageSrid;
        LandAreaM2 = Math.Round(MetricArea(Geom), 2);
        Revalue(zone, construction);
    }

    /// <summary>Retires the parcel (baja): it leaves the current cadastre, its history stays.</summary>
    public void Retire()
    {
        Bump();
        Retired = true;
    }

    /// <summary>The pieces a line cuts a polygon into (each piece a polygon inside it).</summary>
    public static List<Polygon> Cut(Polygon polygon, LineString line)
    {
        var noded = polygon.Boundary.Union(line);
        var polygonizer = new NetTopologySuite.Operation.Polygonize.Polygonizer();
        polygonizer.Add(noded);
        return polygonizer.GetPolygons().OfType<Polygon>()
            .Where(p => polygon.Contains(p.InteriorPoint))
            .OrderByDescending(p => p.Centroid.Y).ThenBy(p => p.Centroid.X)
            .ToList();
    }

    /// <summary>
    /// Splits the parcel along a line into two or more children with the given new claves (asked for once the
    /// number of pieces is known). Every child must be valid, at least <paramref name="minAreaM2"/> and
    /// <paramref name="minWidthM"/> wide (no sliver), and the children must tile the parent: their union differs from
    /// it, and any two overlap, by at most <paramref name="toleranceM2"/> (m², UTM 14N). The built area is shared in
    /// proportion to land area; the parent is retired.
    /// </summary>
    public IReadOnlyList<Parcel> Split(LineString lineLonLat, Func<int, IReadOnlyList<ClaveCatastral>> newClaves,
        double minAreaM2, double minWidthM, double toleranceM2, ValuationZone zone, ConstructionType construction)
    {
        var pieces = Cut(Geom, lineLonLat);
        if (pieces.Count < 2)
            throw new DomainRuleException("The line does not cut the parcel into two or more parts",
                "La línea no divide el predio en dos o más partes", lineLonLat.Coordinate);
        foreach (var p in pieces)
        {
            CheckGeometry(p, minAreaM2);
            ParcelTopology.CheckWidth(p, minWidthM);
        }
        ParcelTopology.CheckPartition(Geom, pieces, toleranceM2);
        var parentArea = MetricArea(Geom);
        var claves = newClaves(pieces.Count);
        if (claves.Count != pieces.Count || claves.Distinct().Count() != claves.Count)
            throw new InvalidOperationException("one new clave per piece");
        var children = pieces.Select((p, i) => Create(claves[i], LocalityCvegeo, LocalityName, LandUse, p,
            BuiltAreaM2 * MetricArea(p) / parentArea, zone, construction)).ToList();
        Retire();
        return children;
    }

    /// <summary>
    /// Merges parcels of one block that share edges into a new parcel with the given clave; the union must be one
    /// polygon that encloses no gap (a hole that was not already a hole of a parent), and the parents may overlap each
    /// other by at most <paramref name="toleranceM2"/> (m², UTM 14N). Land use and construction type come from the
    /// first, built areas add up; the parents are retired.
    /// </summary>
    public static Parcel Merge(IReadOnlyList<Parcel> parcels, ClaveCatastral clave, double toleranceM2, ValuationZone zone, ConstructionType construction)
    {
        if (parcels.Count < 2)
            throw new DomainRuleException("A merge needs at least two parcels", "Una fusión necesita al menos dos predios");
        var first = parcels[0];
        if (parcels.Any(p => p.Zone != first.Zone || p.Block != first.Block))
            throw new DomainRuleException("Only parcels of the same block can be merged", "Solo se pueden fusionar predios de la misma manzana", first.Geom.InteriorPoint.Coordinate);
        if (parcels.Select(p => p.Clave).Distinct().Count() != parcels.Count)
            throw new DomainRuleException("A parcel appears twice in the merge", "Un predio aparece dos veces en la fusión");
        foreach (var p in parcels)
            if (!parcels.Any(o => o != p && p.Geom.Intersection(o.Geom).Dimension == Dimension.Curve))
                throw new DomainRuleException($"Parcel {p.Clave} shares no edge with the others", $"El predio {p.Clave} no comparte ningún lado con los demás", p.Geom.InteriorPoint.Coordinate);
        var union = NetTopologySuite.Operation.OverlayNG.OverlayNGRobust.Union(parcels.Select(p => (Geometry)p.Geom).ToList());
        if (union is not Polygon polygon)
            throw new DomainRuleException("The merged parcels do not form one polygon", "Los predios fusionados no forman un solo polígono", first.Geom.InteriorPoint.Coordinate);
        var parents = parcels.Select(p => p.Geom).ToList();
        ParcelTopology.CheckNoEnclosedGaps(polygon, parents, toleranceM2);
        ParcelTopology.CheckPartition(polygon, parents, toleranceM2);
        var merged = Create(clave, first.LocalityCvegeo, first.LocalityName, first.LandUse, polygon, parcels.Sum(p => p.BuiltAreaM2), zone, construction);
        foreach (var p in parcels) p.Retire();
        return merged;
    }

    /// <summary>A copy with the exterior ring counter-clockwise and holes clockwise, as every parcel is stored.</summary>
    public static Polygon Oriented(Polygon p)
    {
        static LinearRing Ring(LinearRing r, bool ccw) => r.IsCCW == ccw ? (LinearRing)r.Copy() : (LinearRing)r.Reverse();
        var o = p.Factory.CreatePolygon(Ring(p.Shell, true), p.Holes.Select(h => Ring(h, false)).ToArray());
        o.SRID = p.SRID;
        return o;
    }

    /// <summary>Area in square metres, measured in WGS 84 / UTM zone 14N.</summary>
    public static double MetricArea(Geometry lonLat) => Crs.ToMetric(lonLat).Area;
}

/// <summary>Synthetic owner of a parcel. Private: no public door reads this table.</summary>
public sealed class Owner
{
    public long Id { get; set; }
    /// <summary>The parcel owned; null once the parcel is retired (the owner row is kept, never lost).</summary>
    public long? ParcelId { get; set; }
    /// <summary>The clave of the parcel when the owner was recorded; stays after the parcel is retired.</summary>
    public string? Clave { get; set; }
    public DateTime? RetiredAt { get; set; }
    public required string FullName { get; set; }
    public required string Curp { get; set; }
    public required string Phone { get; set; }
    public required string Email { get; set; }
}
