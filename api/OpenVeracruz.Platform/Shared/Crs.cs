using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;
using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Shared;

/// <summary>A coordinate reference system the platform accepts and serves.</summary>
/// <param name="Srid">PostGIS SRID.</param>
/// <param name="Uri">OGC URI (http://www.opengis.net/def/crs/...).</param>
/// <param name="LatLonOrder">True where the authority's axis order is latitude first (EPSG:4326).</param>
/// <param name="Geographic">Degrees (true) or metres (false).</param>
/// <param name="Decimals">Decimals written in output coordinates (≈ 1 cm).</param>
/// <param name="AreaOfUse">EPSG's area of use in degrees (west, south, east, north).</param>
public sealed record Crs(int Srid, string Uri, string Name, bool LatLonOrder, bool Geographic, int Decimals, string Wkt,
    (double West, double South, double East, double North) AreaOfUse)
{
    public const int StorageSrid = 4326;
    /// <summary>Metric CRS used for areas and distances: WGS 84 / UTM zone 14N.</summary>
    public const int MetricSrid = 32614;

    // first: the instances below use them while they are built
    private static readonly CoordinateSystemFactory Factory = new();
    private static readonly CoordinateTransformationFactory TransformFactory = new();
    private static readonly (double, double, double, double) World = (-180, -90, 180, 90);

    public static readonly Crs Crs84 = new(4326, "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "WGS 84 (longitud, latitud)", false, true, 7, Wgs84Wkt, World);
    public static readonly Crs Epsg4326 = new(4326, "http://www.opengis.net/def/crs/EPSG/0/4326", "WGS 84 (latitud, longitud)", true, true, 7, Wgs84Wkt, World);
    public static readonly Crs Utm14N = new(32614, "http://www.opengis.net/def/crs/EPSG/0/32614", "WGS 84 / UTM zona 14N", false, false, 2,
        """PROJCS["WGS 84 / UTM zone 14N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",-99],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","32614"]]""", (-102, 0, -96, 84));
    public static readonly Crs MexicoUtm14N = new(6369, "http://www.opengis.net/def/crs/EPSG/0/6369", "México ITRF2008 / UTM zona 14N", false, false, 2,
        """PROJCS["Mexico ITRF2008 / UTM zone 14N",GEOGCS["Mexico ITRF2008",DATUM["Mexico_ITRF2008",SPHEROID["GRS 1980",6378137,298.257222101],TOWGS84[0,0,0,0,0,0,0]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",-99],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","6369"]]""", (-102, 12.1, -96, 32.72));
    public static readonly Crs MexicoLcc = new(6372, "http://www.opengis.net/def/crs/EPSG/0/6372", "México ITRF2008 / LCC", false, false, 2,
        """PROJCS["Mexico ITRF2008 / LCC",GEOGCS["Mexico ITRF2008",DATUM["Mexico_ITRF2008",SPHEROID["GRS 1980",6378137,298.257222101],TOWGS84[0,0,0,0,0,0,0]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",17.5],PARAMETER["standard_parallel_2",29.5],PARAMETER["latitude_of_origin",12],PARAMETER["central_meridian",-102],PARAMETER["false_easting",2500000],PARAMETER["false_northing",0],UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","6372"]]""", (-122.19, 12.1, -84.64, 32.72));

    private const string Wgs84Wkt =
        """GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]""";

    /// <summary>Every CRS served, CRS84 (the default) first.</summary>
    public static readonly IReadOnlyList<Crs> Supported = [Crs84, Epsg4326, Utm14N, MexicoUtm14N, MexicoLcc];

    /// <summary>Accepts an OGC URI, a CURIE "[EPSG:6369]", "EPSG:6369" or "CRS84"; null when not served.</summary>
    public static Crs? Find(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value.Trim().Trim('[', ']');
        foreach (var crs in Supported)
        {
            if (string.Equals(crs.Uri, v, StringComparison.OrdinalIgnoreCase)) return crs;
            if (v.Replace("https://", "http://", StringComparison.OrdinalIgnoreCase).Equals(crs.Uri, StringComparison.OrdinalIgnoreCase)) return crs;
        }
        if (v.Equals("CRS84", StringComparison.OrdinalIgnoreCase) || v.Equals("OGC:CRS84", StringComparison.OrdinalIgnoreCase)) return Crs84;
        if (v.StartsWith("EPSG:", StringComparison.OrdinalIgnoreCase) && int.TryParse(v.AsSpan(5), out var code))
            return Supported.FirstOrDefault(c => c.Srid == code && c != Crs84);
        return null;
    }

    /// <summary>
    /// Where coordinates in this CRS make sense, in its own x/y units: longitude/latitude for a geographic CRS, else the
    /// area of use widened by 5° and projected. Far outside it PROJ fails ("Point outside of projection domain") or wraps
    /// around the globe, so a bbox beyond it is bad input, not a query.
    /// </summary>
    public BBox Domain { get; } = Geographic ? new BBox(-180, -90, 180, 90) : ProjectedDomain(Wkt, AreaOfUse);

    private static BBox ProjectedDomain(string wkt, (double West, double South, double East, double North) area)
    {
        const double margin = 5, steps = 40;
        var toCrs = TransformFactory.CreateFromCoordinateSystems(Factory.CreateFromWkt(Wgs84Wkt), Factory.CreateFromWkt(wkt)).MathTransform;
        double west = area.West - margin, east = area.East + margin, south = Math.Max(-89, area.South - margin), north = Math.Min(89, area.North + margin);
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        for (var i = 0; i <= steps; i++)
            for (var j = 0; j <= steps; j++)
            {
                var (x, y) = toCrs.Transform(west + (east - west) * i / steps, south + (north - south) * j / steps);
                (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
            }
        return new BBox(Math.Floor(minX), Math.Floor(minY), Math.Ceiling(maxX), Math.Ceiling(maxY));
    }

    /// <summary>A ProjNet transform between two served CRSs (axis order is the caller's business).</summary>
    public static MathTransform Transform(Crs from, Crs to) =>
        TransformFactory.CreateFromCoordinateSystems(Factory.CreateFromWkt(from.Wkt), Factory.CreateFromWkt(to.Wkt)).MathTransform;

    /// <summary>Projects a longitude/latitude to UTM 14N metres.</summary>
    public static (double X, double Y) ToMetric(double lon, double lat)
    {
        var p = ToMetricTransform.Transform(lon, lat);
        return (p.x, p.y);
    }

    /// <summary>Back from UTM 14N metres to longitude/latitude.</summary>
    public static (double Lon, double Lat) FromMetric(double x, double y)
    {
        var p = FromMetricTransform.Transform(x, y);
        return (p.x, p.y);
    }

    /// <summary>A copy of a longitude/latitude geometry projected to UTM 14N metres.</summary>
    public static T ToMetric<T>(T lonLat) where T : Geometry => Reproject(lonLat, ToMetricTransform, MetricSrid);

    private static readonly MathTransform ToMetricTransform = Transform(Crs84, Utm14N);
    private static readonly MathTransform FromMetricTransform = Transform(Utm14N, Crs84);

    /// <summary>Reprojects an NTS geometry in place between two served CRSs (both in x=easting/lon order).</summary>
    public static T Reproject<T>(T geometry, MathTransform transform, int targetSrid) where T : Geometry
    {
        var copy = (T)geometry.Copy();
        copy.Apply(new TransformFilter(transform));
        copy.SRID = targetSrid;
        return copy;
    }

    private sealed class TransformFilter(MathTransform transform) : ICoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;
        public void Filter(CoordinateSequence seq, int i)
        {
            var (x, y) = transform.Transform(seq.GetX(i), seq.GetY(i));
            seq.SetX(i, x);
            seq.SetY(i, y);
        }
    }
}
