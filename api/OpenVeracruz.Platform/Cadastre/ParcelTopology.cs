using System.Globalization;
using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Cadastre;

/// <summary>Tolerances of cadastral editing (configuration section <c>Cadastre:Editing</c>).</summary>
public sealed class EditingOptions
{
    /// <summary>Largest overlap with a neighbouring parcel accepted (m², measured in UTM 14N).</summary>
    public double OverlapToleranceM2 { get; set; } = 0.05;
    /// <summary>Smallest parcel (m²).</summary>
    public double MinAreaM2 { get; set; } = 20;
    /// <summary>Vertices closer than this to a neighbour's vertex are moved onto it (m).</summary>
    public double SnapToleranceM { get; set; } = 0.20;
    /// <summary>The municipality parcels must lie in (cvegeo of layers.municipalities).</summary>
    public string MunicipalityCvegeo { get; set; } = "30193";
}

/// <summary>Geometry rules between a parcel and its neighbours, without a database.</summary>
public static class ParcelTopology
{
    /// <summary>
    /// Moves every vertex lying within <paramref name="toleranceM"/> metres (UTM 14N) of a neighbour's vertex onto
    /// that vertex (its exact coordinates). Returns the snapped polygon and how many vertices moved.
    /// </summary>
    public static (Polygon Polygon, int Moved) Snap(Polygon lonLat, IEnumerable<Geometry> neighboursLonLat, double toleranceM)
    {
        var targets = neighboursLonLat.SelectMany(n => n.Coordinates)
            .Select(c => (LonLat: c, Metric: Crs.ToMetric(c.X, c.Y))).ToList();
        if (targets.Count == 0 || toleranceM <= 0) return (lonLat, 0);
        var moved = 0;
        var copy = (Polygon)lonLat.Copy();
        copy.Apply(new SnapFilter(targets, toleranceM, () => moved++));
        copy.GeometryChanged();
        return (copy, moved);
    }

    private sealed class SnapFilter(List<(Coordinate LonLat, (double X, double Y) Metric)> targets, double tolerance, Action onMove) : ICoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;
        public void Filter(CoordinateSequence seq, int i)
        {
            var (x, y) = Crs.ToMetric(seq.GetX(i), seq.GetY(i));
            Coordinate? best = null;
            var bestD = tolerance;
            foreach (var t in targets)
            {
                var d = Math.Sqrt((t.Metric.X - x) * (t.Metric.X - x) + (t.Metric.Y - y) * (t.Metric.Y - y));
                if (d <= bestD && d > 0) { bestD = d; best = t.LonLat; }
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
            var overlap = geom.Intersection(lonLat);
            if (overlap.Dimension != Dimension.Surface) continue;
            var area = Parcel.MetricArea(overlap);
            if (area <= toleranceM2) continue;
            throw new DomainRuleException(
                string.Create(CultureInfo.InvariantCulture, $"The parcel overlaps parcel {clave} by {area:F2} m² (tolerance {toleranceM2} m²)"),
                string.Create(CultureInfo.InvariantCulture, $"El predio se superpone al predio {clave} en {area:F2} m² (tolerancia {toleranceM2} m²)"),
                overlap.InteriorPoint.Coordinate);
        }
    }
}
