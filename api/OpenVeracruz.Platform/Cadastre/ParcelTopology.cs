using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Cadastre;

/// <summary>Tolerances of cadastral editing (configuration section <c>Cadastre:Editing</c>).</summary>
public sealed class EditingOptions
{
    /// <summary>Largest overlap with a neighbouring parcel accepted (m², measured in UTM 14N).</summary>
    public double OverlapToleranceM2 { get; set; } = 0.05;
    /// <summary>Smallest parcel (m²).</summary>
    public double MinAreaM2 { get; set; } = 20;
    /// <summary>
    /// Narrowest part a split may leave (m, UTM 14N): a part whose mean width, 2 × area / perimeter, is below this is a
    /// sliver, whatever its area: a strip narrower than this, or a long wedge tapering from about twice this.
    /// Lots of the cadastre are several metres wide.
    /// </summary>
    public double MinWidthM { get; set; } = 1.0;
    /// <summary>Vertices closer than this to a neighbour's vertex are moved onto it (m).</summary>
    public double SnapToleranceM { get; set; } = 0.20;
    /// <summary>The municipality parcels must lie in (cvegeo of layers.municipalities).</summary>
    public string MunicipalityCvegeo { get; set; } = "30193";

    /// <summary>Largest gap or overlap (m²) accepted between a parcel and the parts it is split into or merged from.</summary>
    public double ShapeToleranceM2() => Math.Max(OverlapToleranceM2, 0.01);
}

/// <summary>Geometry rules between a parcel and its neighbours, without a database.</summary>
public static class ParcelTopology
{
    /// <summary>
    /// Moves every vertex lying within <paramref name="toleranceM"/> metres (UTM 14N) of a neighbour's vertex onto
    /// that vertex (its exact coordinates); a vertex with no such vertex near but within the tolerance of a neighbour's
    /// edge moves onto the edge (the closest point of the segment). A vertex dropped "on" a neighbour's edge by a
    /// browser, in screen pixels, lands a millimetre off it; on the edge it leaves no overlap and no gap.
    /// Returns the snapped polygon and how many vertices moved.
    /// </summary>
    public static (Polygon Polygon, int Moved) Snap(Polygon lonLat, IEnumerable<Geometry> neighboursLonLat, double toleranceM)
    {
        // every ring of the neighbours, projected once: its points are the vertex targets, consecutive pairs the edges
        var rings = neighboursLonLat.SelectMany(Rings)
            .Select(r => r.Select(c => new Target(c, Crs.ToMetric(c.X, c.Y))).ToList()).ToList();
        var vertices = rings.SelectMany(r => r).ToList();
        if (vertices.Count == 0 || toleranceM <= 0) return (lonLat, 0);
        var edges = rings.SelectMany(r => r.Zip(r.Skip(1))).ToList();
        var moved = 0;
        var copy = (Polygon)lonLat.Copy();
        copy.Apply(new SnapFilter(vertices, edges, toleranceM, () => moved++));
        copy.GeometryChanged();
        return (copy, moved);
    }

    private sealed record Target(Coordinate LonLat, (double X, double Y) Metric);

    private static IEnumerable<Coordinate[]> Rings(Geometry g) =>
        Enumerable.Range(0, g.NumGeometries).Select(g.GetGeometryN).OfType<Polygon>()
            .SelectMany(p => p.InteriorRings.Prepend(p.ExteriorRing)).Select(r => r.Coordinates);

    /// <summary>Closer than this a vertex already is on the target (m).</summary>
    private const double OnTarget = 1e-6;

    private sealed class SnapFilter(List<Target> vertices, List<(Target First, Target Second)> edges, double tolerance, Action onMove) : ICoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;
        public void Filter(CoordinateSequence seq, int i)
        {
            var (x, y) = Crs.ToMetric(seq.GetX(i), seq.GetY(i));
            Coordinate? best = null;
            var bestD = tolerance;
            foreach (var t in vertices)
            {
                var d = Math.Sqrt((t.Metric.X - x) * (t.Metric.X - x) + (t.Metric.Y - y) * (t.Metric.Y - y));
                if (d < OnTarget) return; // already on a neighbour's vertex
                if (d <= bestD) { bestD = d; best = t.LonLat; }
            }
            if (best is null)
                foreach (var (a, b) in edges)
                {
                    var (dx, dy) = (b.Metric.X - a.Metric.X, b.Metric.Y - a.Metric.Y);
                    var len2 = dx * dx + dy * dy;
                    if (len2 == 0) continue;
                    var t = Math.Clamp(((x - a.Metric.X) * dx + (y - a.Metric.Y) * dy) / len2, 0, 1);
                    var (px, py) = (a.Metric.X + t * dx, a.Metric.Y + t * dy);
                    var d = Math.Sqrt((px - x) * (px - x) + (py - y) * (py - y));
                    if (d < OnTarget) return; // already on a neighbour's edge
                    if (d > bestD) continue;
                    bestD = d;
                    // the same fraction along the segment in longitude/latitude, where the stored edge is straight
                    best = new Coordinate(a.LonLat.X + t * (b.LonLat.X - a.LonLat.X), a.LonLat.Y + t * (b.LonLat.Y - a.LonLat.Y));
                }
            if (best is null) return;
            seq.SetX(i, best.X);
            seq.SetY(i, best.Y);
            onMove();
        }
    }

    /// <summary>Throws when the polygon overlaps a neighbour by more than the tolerance (m²), naming it and the spot.</summary>
    public static void CheckOverlaps(Polygon lonLat, IEnumerable<(string Clave, Geometry Geom)> neighbours, double toleranceM2)
    {
        foreach (var (clave, geom) in neighbours)
        {
            if (!geom.Intersects(lonLat)) continue;
            AtMost(geom.Intersection(lonLat), toleranceM2,
                area => $"The parcel overlaps parcel {clave} by {area:F2} m² (tolerance {toleranceM2} m²)",
                area => $"El predio se superpone al predio {clave} en {area:F2} m² (tolerancia {toleranceM2} m²)");
        }
    }

    /// <summary>
    /// Throws when the surface measures more than <paramref name="toleranceM2"/> (m², UTM 14N; lines and points
    /// measure 0), with the messages made from its area and the problem's location on it.
    /// </summary>
    private static void AtMost(Geometry lonLat, double toleranceM2, Func<double, FormattableString> en, Func<double, FormattableString> es)
    {
        var area = lonLat.IsEmpty || lonLat.Dimension != Dimension.Surface ? 0 : Parcel.MetricArea(lonLat);
        if (area > toleranceM2)
            throw new DomainRuleException(FormattableString.Invariant(en(area)), FormattableString.Invariant(es(area)), lonLat.InteriorPoint.Coordinate);
    }

    /// <summary>
    /// Throws unless the parts tile the whole: no two parts overlap by more than <paramref name="toleranceM2"/>, and
    /// the symmetric difference between the union of the parts and the whole (a gap, or land added) measures at most
    /// <paramref name="toleranceM2"/>; areas in m² in UTM 14N. The problem points at the offending spot.
    /// </summary>
    public static void CheckPartition(Polygon wholeLonLat, IReadOnlyList<Polygon> partsLonLat, double toleranceM2)
    {
        for (var i = 0; i < partsLonLat.Count; i++)
            for (var j = i + 1; j < partsLonLat.Count; j++)
            {
                if (!partsLonLat[i].Intersects(partsLonLat[j])) continue;
                var (a, b) = (i + 1, j + 1);
                AtMost(OverlayNGRobust.Overlay(partsLonLat[i], partsLonLat[j], SpatialFunction.Intersection), toleranceM2,
                    area => $"Parts {a} and {b} overlap by {area:F3} m² (tolerance {toleranceM2} m²)",
                    area => $"Las partes {a} y {b} se superponen en {area:F3} m² (tolerancia {toleranceM2} m²)");
            }
        var union = OverlayNGRobust.Union(partsLonLat.Cast<Geometry>().ToList());
        AtMost(OverlayNGRobust.Overlay(union, wholeLonLat, SpatialFunction.SymDifference), toleranceM2,
            gap => $"The parts differ from the parcel by {gap:F3} m² (tolerance {toleranceM2} m²): a gap or a sliver",
            gap => $"Las partes difieren del predio en {gap:F3} m² (tolerancia {toleranceM2} m²): un hueco o una franja");
    }

    /// <summary>
    /// Mean width of a polygon in metres (UTM 14N): 2 × area / perimeter. A strip w m wide and much longer than wide
    /// measures about w (0.8 m × 30 m: 0.78 m); a triangle its inscribed circle's radius (a wedge 57 m long and 1.6 m wide
    /// at its base: 0.77 m); a 10 m × 30 m lot 7.5 m; a square of side s, s/2.
    /// </summary>
    public static double MeanWidthM(Polygon lonLat)
    {
        var metric = Crs.ToMetric(lonLat);
        return 2 * metric.Area / metric.Length;
    }

    /// <summary>Throws when the part is a sliver: its <see cref="MeanWidthM"/> is below <paramref name="minWidthM"/>.</summary>
    public static void CheckWidth(Polygon lonLat, double minWidthM)
    {
        if (minWidthM <= 0) return;
        var width = MeanWidthM(lonLat);
        if (width < minWidthM)
            throw new DomainRuleException(
                string.Create(CultureInfo.InvariantCulture, $"A part would be a sliver: {width:F2} m wide on average (2 × area / perimeter), less than the minimum width of {minWidthM} m"),
                string.Create(CultureInfo.InvariantCulture, $"Una parte sería una franja: mide {width:F2} m de ancho medio (2 × superficie / perímetro), menos que el ancho mínimo de {minWidthM} m"),
                lonLat.InteriorPoint.Coordinate);
    }

    /// <summary>
    /// Throws when merging would enclose a gap: a hole of the merged outline that is not inside a hole of one of the
    /// parents (beyond <paramref name="toleranceM2"/>, m² in UTM 14N). Land between parcels, or a strip left between
    /// two parcels that nearly touch, becomes such a hole once their neighbours are merged around it.
    /// </summary>
    public static void CheckNoEnclosedGaps(Polygon mergedLonLat, IEnumerable<Polygon> parentsLonLat, double toleranceM2)
    {
        var parentHoles = parentsLonLat.SelectMany(p => p.Holes).Select(h => (Geometry)Filled(h)).ToList();
        foreach (var ring in mergedLonLat.Holes)
        {
            Geometry gap = Filled(ring);
            foreach (var h in parentHoles)
                if (!gap.IsEmpty && gap.Intersects(h)) gap = OverlayNGRobust.Overlay(gap, h, SpatialFunction.Difference);
            AtMost(gap, toleranceM2,
                area => $"The merged parcel would enclose a gap of {area:F2} m² that belongs to none of the parcels",
                area => $"El predio fusionado encerraría un hueco de {area:F2} m² que no pertenece a ninguno de los predios");
        }

        static Polygon Filled(LinearRing ring) => ring.Factory.CreatePolygon((LinearRing)ring.Copy());
    }
}
