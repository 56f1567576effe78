using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>Ring orientation for the formats that prescribe one (Shapefile: outer rings clockwise; KML: counter-clockwise).</summary>
internal static class Rings
{
    /// <summary>Twice the signed area of a closed ring (shoelace): positive when it turns counter-clockwise, negative when clockwise.</summary>
    public static double SignedArea(CoordinateSequence ring)
    {
        var sum = 0.0;
        for (var i = 0; i < ring.Count - 1; i++)
            sum += ring.GetX(i) * ring.GetY(i + 1) - ring.GetX(i + 1) * ring.GetY(i);
        return sum;
    }

    /// <summary>Whether the ring's points must be written backwards for it to turn the wanted way.</summary>
    public static bool MustReverse(CoordinateSequence ring, bool clockwise)
    {
        var area = SignedArea(ring);
        return clockwise ? area > 0 : area < 0;
    }

    /// <summary>The i-th point of the ring in writing order.</summary>
    public static (double X, double Y) Point(CoordinateSequence ring, int i, bool reverse)
    {
        var j = reverse ? ring.Count - 1 - i : i;
        return (ring.GetX(j), ring.GetY(j));
    }

    /// <summary>The polygons of a Polygon or MultiPolygon, skipping empty ones.</summary>
    public static IEnumerable<Polygon> Polygons(Geometry g)
    {
        for (var i = 0; i < g.NumGeometries; i++)
            if (g.GetGeometryN(i) is Polygon { IsEmpty: false } p) yield return p;
    }
}
