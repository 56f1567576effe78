using NetTopologySuite.Geometries;

namespace OpenVeracruz.Etl;

/// <summary>
/// A cheap proof of validity for the common case, a polygon of one small ring without holes (a parcel, a building), so
/// that NetTopologySuite's full check (which builds a topology graph: microseconds per polygon, a second per 200,000) runs
/// only for the others. The ring must be closed, have at least three distinct vertices, no repeated point, and no two
/// edges may meet except neighbours at their shared vertex; every orientation the proof rests on must have a sign that
/// double arithmetic gets right (Shewchuk's error bound), else the answer is "not proven" and the full check decides.
/// "Not proven" never means invalid.
/// </summary>
public static class QuickValidity
{
    /// <summary>Rings up to this many edges are checked pair by pair; larger ones go to the full check.</summary>
    public const int MaxEdges = 32;

    // Shewchuk's ccwerrboundA: (3 + 16 eps) eps, eps = 2^-53
    private static readonly double ErrorBound = (3.0 + 16.0 * Math.Pow(2, -53)) * Math.Pow(2, -53);

    /// <summary>True when <paramref name="g"/> is certainly valid; false when it could not be proven so (it may still be valid).</summary>
    public static bool SurelyValid(Geometry g)
    {
        if (g is not Polygon { NumInteriorRings: 0 } p) return false;
        var ring = p.ExteriorRing.CoordinateSequence;
        var n = ring.Count - 1; // edges
        if (n < 3 || n > MaxEdges) return false;
        if (ring.GetX(0) != ring.GetX(n) || ring.GetY(0) != ring.GetY(n)) return false;
        Span<double> x = stackalloc double[n + 1], y = stackalloc double[n + 1];
        for (var i = 0; i <= n; i++) { x[i] = ring.GetX(i); y[i] = ring.GetY(i); }
        for (var i = 0; i < n; i++)
        {
            // neighbours i and i+1 share vertex i+1: they must turn, not double back along one line (a clear turn also rules out a repeated point)
            var j = (i + 1) % n;
            if (Orientation(x[i], y[i], x[i + 1], y[i + 1], x[j + 1], y[j + 1]) == 0) return false;
            // every edge not next to i must stay clear of it
            for (var k = i + 2; k < n; k++)
            {
                if (i == 0 && k == n - 1) continue; // the first and last edges are neighbours at vertex 0
                if (!Apart(x[i], y[i], x[i + 1], y[i + 1], x[k], y[k], x[k + 1], y[k + 1])) return false;
            }
        }
        return true;
    }

    /// <summary>Segments AB and CD certainly share no point: one lies strictly on one side of the other's line.</summary>
    private static bool Apart(double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy)
    {
        var c = Orientation(ax, ay, bx, by, cx, cy);
        var d = Orientation(ax, ay, bx, by, dx, dy);
        if (c != 0 && c == d) return true;
        var a = Orientation(cx, cy, dx, dy, ax, ay);
        var b = Orientation(cx, cy, dx, dy, bx, by);
        return a != 0 && a == b;
    }

    /// <summary>The sign of the turn A→B→C (1 left, -1 right), or 0 when it is zero or too close to zero to trust.</summary>
    private static int Orientation(double ax, double ay, double bx, double by, double cx, double cy)
    {
        var left = (bx - ax) * (cy - ay);
        var right = (by - ay) * (cx - ax);
        var det = left - right;
        var bound = ErrorBound * (Math.Abs(left) + Math.Abs(right));
        return det > bound ? 1 : det < -bound ? -1 : 0;
    }
}
