using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Cadastre;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Tests.Cadastre;

/// <summary>Rules of cadastral editing on the entities, without a database.</summary>
public class ParcelRuleTests
{
    private static readonly ValuationZone Zone = new() { Code = "Z1", Name = "Centro", LandValuePerM2 = 1000m };
    private static readonly ValuationZone Zone2 = new() { Code = "Z1", Name = "Centro", LandValuePerM2 = 1000m };
    private static readonly ConstructionType Type = new() { Code = "C1", Name = "Económica", ValuePerM2 = 500m };
    private static readonly ConstructionType Type2 = new() { Code = "C2", Name = "Media", ValuePerM2 = 900m };
    private const double X0 = 800_000, Y0 = 2_120_000; // UTM 14N, near Veracruz

    /// <summary>A rectangle given in UTM metres, as a lon/lat polygon.</summary>
    private static Polygon Rect(double x, double y, double w, double h)
    {
        Coordinate C(double mx, double my) { var (lon, lat) = Crs.FromMetric(mx, my); return new Coordinate(lon, lat); }
        return GeoJson.Factory.CreatePolygon([C(x, y), C(x + w, y), C(x + w, y + h), C(x, y + h), C(x, y)]);
    }

    private static LineString Line(double x1, double y1, double x2, double y2)
    {
        var (a, b) = Crs.FromMetric(x1, y1);
        var (c, d) = Crs.FromMetric(x2, y2);
        return GeoJson.Factory.CreateLineString([new Coordinate(a, b), new Coordinate(c, d)]);
    }

    private static Parcel New(int lot, Polygon g, double built = 50) =>
        Parcel.Create(new ClaveCatastral(1, 10, lot), "301930001", "Veracruz", "habitacional", g, built, Zone, Type);

    [Fact]
    public void Attribute_change_recomputes_the_values_and_raises_the_version()
    {
        var p = New(1, Rect(X0, Y0, 10, 20));
        Assert.Equal(1, p.Version);
        p.ChangeAttributes("comercial", 100, Zone2, Type2);
        Assert.Equal(2, p.Version);
        Assert.Equal("comercial", p.LandUse);
        Assert.Equal(90_000m, p.ConstructionValue);
        Assert.Equal(p.LandValue + p.ConstructionValue, p.CadastralValue);
        Assert.Throws<DomainRuleException>(() => p.ChangeAttributes("volcan", 10, Zone2, Type2));
        Assert.Throws<DomainRuleException>(() => p.ChangeAttributes("comercial", -1, Zone2, Type2));
    }

    [Fact]
    public void Reshape_recomputes_area_and_land_value_and_refuses_tiny_or_invalid_outlines()
    {
        var p = New(1, Rect(X0, Y0, 10, 20));
        p.Reshape(Rect(X0, Y0, 10, 30), 20, Zone, Type);
        Assert.InRange(p.LandAreaM2, 299.5, 300.5);
        Assert.Equal(Math.Round((decimal)p.LandAreaM2 * 1000m, 2), p.LandValue);
        var tiny = Assert.Throws<DomainRuleException>(() => p.Reshape(Rect(X0, Y0, 3, 3), 20, Zone, Type));
        Assert.NotNull(tiny.Location);
        var (a, b) = Crs.FromMetric(X0, Y0); var (c, d) = Crs.FromMetric(X0 + 10, Y0 + 10);
        var (e, f) = Crs.FromMetric(X0 + 10, Y0); var (g, h) = Crs.FromMetric(X0, Y0 + 10);
        var bowTie = GeoJson.Factory.CreatePolygon([new(a, b), new(c, d), new(e, f), new(g, h), new(a, b)]);
        var invalid = Assert.Throws<DomainRuleException>(() => p.Reshape(bowTie, 20, Zone, Type));
        Assert.NotNull(invalid.Location);
    }

    [Fact]
    public void Split_conserves_the_area_shares_the_built_area_and_retires_the_parent()
    {
        var p = New(1, Rect(X0, Y0, 20, 30), built: 120);
        var children = p.Split(Line(X0 + 10, Y0 - 1, X0 + 10, Y0 + 31), n => Enumerable.Range(5, n).Select(l => new ClaveCatastral(1, 10, l)).ToList(), 20, 1, 0.05, Zone, Type);
        Assert.Equal(2, children.Count);
        Assert.True(p.Retired);
        Assert.InRange(children.Sum(c => c.LandAreaM2), 599.9, 600.1);
        Assert.InRange(children.Sum(c => c.BuiltAreaM2), 119.9, 120.1);
        Assert.Equal(["001-0010-005", "001-0010-006"], children.Select(c => c.Clave).Order());
        Assert.Throws<DomainRuleException>(() => p.ChangeAttributes("comercial", 1, Zone, Type));
    }

    [Fact]
    public void Split_refuses_a_line_that_misses_and_slivers_below_the_minimum()
    {
        var p = New(1, Rect(X0, Y0, 20, 30));
        Func<int, IReadOnlyList<ClaveCatastral>> claves = n => Enumerable.Range(5, n).Select(l => new ClaveCatastral(1, 10, l)).ToList();
        Assert.Throws<DomainRuleException>(() => p.Split(Line(X0 + 30, Y0 - 1, X0 + 30, Y0 + 31), claves, 20, 1, 0.05, Zone, Type));
        var sliver = Assert.Throws<DomainRuleException>(() => p.Split(Line(X0 + 0.5, Y0 - 1, X0 + 0.5, Y0 + 31), claves, 20, 1, 0.05, Zone, Type));
        Assert.Contains("mínimo", sliver.MessageEs);
        Assert.False(p.Retired);
    }

    [Fact]
    public void Merge_needs_one_block_and_shared_edges_and_makes_one_polygon()
    {
        var a = New(1, Rect(X0, Y0, 10, 20));
        var b = New(2, Rect(X0 + 10, Y0, 10, 20));
        var far = New(3, Rect(X0 + 50, Y0, 10, 20));
        Assert.Throws<DomainRuleException>(() => Parcel.Merge([a, far], new ClaveCatastral(1, 10, 9), 0.05, Zone, Type));
        var merged = Parcel.Merge([a, b], new ClaveCatastral(1, 10, 9), 0.05, Zone, Type);
        Assert.InRange(merged.LandAreaM2, 399.9, 400.1);
        Assert.Equal(100, merged.BuiltAreaM2);
        Assert.True(a.Retired && b.Retired);
        var other = Parcel.Create(new ClaveCatastral(1, 11, 1), "301930001", "Veracruz", "habitacional", Rect(X0 + 20, Y0, 10, 20), 0, Zone, Type);
        var c = New(4, Rect(X0 + 30, Y0, 10, 20));
        Assert.Throws<DomainRuleException>(() => Parcel.Merge([other, c], new ClaveCatastral(1, 10, 10), 0.05, Zone, Type));
    }

    private static readonly Func<int, IReadOnlyList<ClaveCatastral>> Claves = n => Enumerable.Range(5, n).Select(l => new ClaveCatastral(1, 10, l)).ToList();

    /// <summary>A polygon given by UTM metre vertices (closed here), as lon/lat.</summary>
    private static Polygon Poly(params (double X, double Y)[] metres)
    {
        var ring = metres.Append(metres[0]).Select(m => { var (lon, lat) = Crs.FromMetric(X0 + m.X, Y0 + m.Y); return new Coordinate(lon, lat); }).ToArray();
        return GeoJson.Factory.CreatePolygon(ring);
    }

    /// <summary>A problem's location, back in metres relative to (X0, Y0).</summary>
    private static (double X, double Y) At(DomainRuleException e)
    {
        Assert.NotNull(e.Location);
        var (x, y) = Crs.ToMetric(e.Location[0], e.Location[1]);
        return (x - X0, y - Y0);
    }

    [Fact]
    public void A_split_keeps_the_shape_the_children_tile_the_parent_within_tolerance()
    {
        // an irregular lot (a trapezoid with a bent side), split by an oblique line
        var parent = New(1, Poly((0, 0), (18, 0), (21, 14), (16, 31), (0, 28)), built: 80);
        var outline = parent.Geom;
        var children = parent.Split(Line(X0 - 1, Y0 + 12, X0 + 22, Y0 + 17), Claves, 20, 1, 0.05, Zone, Type);
        Assert.Equal(2, children.Count);
        var union = NetTopologySuite.Operation.OverlayNG.OverlayNGRobust.Union(children.Select(c => (Geometry)c.Geom).ToList());
        Assert.True(Parcel.MetricArea(union.SymmetricDifference(outline)) < 0.001);
        Assert.True(Parcel.MetricArea(children[0].Geom.Intersection(children[1].Geom)) < 0.001);
        ParcelTopology.CheckPartition(outline, children.Select(c => c.Geom).ToList(), 0.05);
    }

    [Fact]
    public void Parts_that_leave_a_gap_or_overlap_do_not_tile_the_parcel_and_the_problem_points_at_it()
    {
        var whole = Rect(X0, Y0, 20, 30);
        ParcelTopology.CheckPartition(whole, [Rect(X0, Y0, 10, 30), Rect(X0 + 10, Y0, 10, 30)], 0.05);
        // a 0.5 m strip between the parts belongs to neither: 15 m²
        var gap = Assert.Throws<DomainRuleException>(() => ParcelTopology.CheckPartition(whole, [Rect(X0, Y0, 10, 30), Rect(X0 + 10.5, Y0, 9.5, 30)], 0.05));
        Assert.Contains("difieren", gap.MessageEs);
        Assert.InRange(At(gap).X, 10, 10.5);
        // parts overlapping by 1 m × 30 m
        var overlap = Assert.Throws<DomainRuleException>(() => ParcelTopology.CheckPartition(whole, [Rect(X0, Y0, 11, 30), Rect(X0 + 10, Y0, 10, 30)], 0.05));
        Assert.Contains("superponen", overlap.MessageEs);
        Assert.InRange(At(overlap).X, 10, 11);
        // a sliver of 0.01 m × 3 m (0.03 m²) is within the tolerance
        ParcelTopology.CheckPartition(whole, [Rect(X0, Y0, 10, 30), Rect(X0 + 10, Y0, 10, 27), Rect(X0 + 10.01, Y0 + 27, 9.99, 3)], 0.05);
    }

    [Fact]
    public void A_split_that_leaves_a_thin_sliver_above_the_minimum_area_is_refused_with_its_location()
    {
        var p = New(1, Rect(X0, Y0, 20, 30));
        // 0.8 m × 30 m = 24 m²: above the 20 m² minimum, but 0.8 m wide
        var sliver = Assert.Throws<DomainRuleException>(() => p.Split(Line(X0 + 0.8, Y0 - 1, X0 + 0.8, Y0 + 31), Claves, 20, 1, 0.05, Zone, Type));
        Assert.Contains("ancho", sliver.MessageEs);
        Assert.Contains("0.78 m wide", sliver.Message);
        var (x, y) = At(sliver);
        Assert.InRange(x, 0, 0.8);
        Assert.InRange(y, 0, 30);
        Assert.False(p.Retired);
        // a wedge cut off along the side: 45 m² and 57 m long, 1.57 m wide at its base, 0.77 m on average
        var wedge = Assert.Throws<DomainRuleException>(() => New(2, Rect(X0, Y0, 20, 60)).Split(Line(X0 - 0.1, Y0 - 1, X0 + 1.6, Y0 + 61), Claves, 20, 1, 0.05, Zone, Type));
        Assert.Contains("ancho", wedge.MessageEs);
        Assert.InRange(At(wedge).X, 0, 1.6);
        // 1.2 m wide passes a 1 m minimum width
        Assert.Equal(2, New(3, Rect(X0, Y0, 20, 30)).Split(Line(X0 + 1.2, Y0 - 1, X0 + 1.2, Y0 + 31), Claves, 20, 1, 0.05, Zone, Type).Count);
    }

    [Fact]
    public void Mean_width_is_twice_the_area_over_the_perimeter_in_metres()
    {
        Assert.InRange(ParcelTopology.MeanWidthM(Rect(X0, Y0, 0.8, 30)), 0.778, 0.780);
        Assert.InRange(ParcelTopology.MeanWidthM(Rect(X0, Y0, 10, 30)), 7.49, 7.51);
    }

    [Fact]
    public void Every_synthetic_lot_splits_across_its_middle_under_the_shape_and_sliver_rules()
    {
        var (cx, cy) = Crs.ToMetric(OpenVeracruz.Etl.SyntheticParcels.Centre.Lon, OpenVeracruz.Etl.SyntheticParcels.Centre.Lat);
        var metric = new GeometryFactory(new PrecisionModel(), Crs.MetricSrid).CreatePolygon([new(cx - 600, cy - 600), new(cx + 600, cy - 600), new(cx + 600, cy + 600), new(cx - 600, cy + 600), new(cx - 600, cy - 600)]);
        var locality = new OpenVeracruz.Etl.UrbanLocality("301930001", "Veracruz", Crs.Reproject(metric, Crs.Transform(Crs.Utm14N, Crs.Crs84), Crs.StorageSrid));
        var options = new EditingOptions();
        var lots = OpenVeracruz.Etl.SyntheticParcels.Generate([locality], 800, 20210101).Select(g => g.Parcel).ToList();
        var zones = OpenVeracruz.Etl.SyntheticParcels.Zones.ToDictionary(z => z.Code);
        var types = OpenVeracruz.Etl.SyntheticParcels.Constructions.ToDictionary(t => t.Code);
        foreach (var lot in lots)
        {
            var env = Crs.ToMetric(lot.Geom).EnvelopeInternal;
            var (mx, my) = (env.Centre.X, env.Centre.Y);
            var line = env.Width >= env.Height
                ? Line(mx, env.MinY - 1, mx, env.MaxY + 1)
                : Line(env.MinX - 1, my, env.MaxX + 1, my);
            var children = lot.Split(line, n => Enumerable.Range(900, n).Select(l => new ClaveCatastral(lot.Zone, lot.Block, l)).ToList(),
                options.MinAreaM2, options.MinWidthM, options.ShapeToleranceM2(), zones[lot.ValuationZoneCode], types[lot.ConstructionTypeCode]);
            Assert.Equal(2, children.Count);
            Assert.InRange(children.Sum(c => c.LandAreaM2), lot.LandAreaM2 - 0.05, lot.LandAreaM2 + 0.05);
        }
    }

    [Fact]
    public void A_merge_that_would_enclose_a_gap_is_refused_with_the_holes_location()
    {
        // a U-shaped lot and a lot closing it on top: the 10 m × 10 m courtyard of the U belongs to neither
        var u = New(1, Poly((0, 0), (30, 0), (30, 20), (20, 20), (20, 10), (10, 10), (10, 20), (0, 20)));
        var lid = New(2, Poly((0, 20), (10, 20), (20, 20), (30, 20), (30, 25), (0, 25)));
        var e = Assert.Throws<DomainRuleException>(() => Parcel.Merge([u, lid], new ClaveCatastral(1, 10, 9), 0.05, Zone, Type));
        Assert.Contains("hueco", e.MessageEs);
        var (x, y) = At(e);
        Assert.InRange(x, 10, 20);
        Assert.InRange(y, 10, 20);
        Assert.False(u.Retired || lid.Retired);
    }

    [Fact]
    public void A_merge_keeps_a_hole_a_parent_already_had()
    {
        var courtyard = (LinearRing)Rect(X0 + 4, Y0 + 4, 2, 2).Shell.Reverse();
        var withHole = New(1, GeoJson.Factory.CreatePolygon((LinearRing)Rect(X0, Y0, 10, 20).Shell.Copy(), [courtyard]));
        var merged = Parcel.Merge([withHole, New(2, Rect(X0 + 10, Y0, 10, 20))], new ClaveCatastral(1, 10, 9), 0.05, Zone, Type);
        Assert.Equal(1, merged.Geom.NumInteriorRings);
        Assert.InRange(merged.LandAreaM2, 395.9, 396.1);
    }

    [Fact]
    public void Parcels_that_nearly_touch_are_not_merged_across_the_strip_between_them()
    {
        // 5 cm apart: no shared edge, the strip would become a notch of the merged parcel
        var a = New(1, Rect(X0, Y0, 10, 20));
        var b = New(2, Rect(X0 + 10.05, Y0, 10, 20));
        var e = Assert.Throws<DomainRuleException>(() => Parcel.Merge([a, b], new ClaveCatastral(1, 10, 9), 0.05, Zone, Type));
        Assert.Contains("no comparte", e.MessageEs);
        // touching along half of the edge, 5 cm apart along the rest: that strip was already there between the two lots and
        // stays a notch of the merged lot (open to the street: not a gap the merge encloses) ...
        Polygon Notched() => Poly((10, 0), (20, 0), (20, 20), (10.05, 20), (10.05, 10), (10, 10));
        Assert.Equal(0, Parcel.Merge([New(5, Poly((0, 0), (10, 0), (10, 10), (10, 20), (0, 20))), New(6, Notched())], new ClaveCatastral(1, 10, 9), 0.05, Zone, Type).Geom.NumInteriorRings);
        // ... but a third lot closing it would enclose it: refused
        var c = New(3, Notched());
        var lid = New(4, Poly((0, 20), (10, 20), (10.05, 20), (20, 20), (20, 24), (0, 24)));
        var closed = Assert.Throws<DomainRuleException>(() => Parcel.Merge([New(7, Poly((0, 0), (10, 0), (10, 10), (10, 20), (0, 20))), c, lid], new ClaveCatastral(1, 10, 9), 0.05, Zone, Type));
        Assert.Contains("hueco", closed.MessageEs);
        Assert.InRange(At(closed).X, 10, 10.05);
    }

    [Fact]
    public void Snapping_moves_a_vertex_within_tolerance_onto_the_neighbours_vertex()
    {
        var neighbour = Rect(X0 + 10, Y0, 10, 20);
        var (lon, lat) = Crs.FromMetric(X0 + 10.1, Y0 + 20); // 0.1 m off the neighbour's corner
        var (l0, b0) = Crs.FromMetric(X0, Y0); var (l1, b1) = Crs.FromMetric(X0 + 10, Y0); var (l3, b3) = Crs.FromMetric(X0, Y0 + 20);
        var polygon = GeoJson.Factory.CreatePolygon([new(l0, b0), new(l1, b1), new(lon, lat), new(l3, b3), new(l0, b0)]);
        var (snapped, moved) = ParcelTopology.Snap(polygon, [neighbour], 0.2);
        Assert.Equal(1, moved); // the shared corner is already on it; only the vertex 0.1 m off moves
        Assert.Contains(snapped.Coordinates, c => c.Equals2D(neighbour.Coordinates[3]));
        Assert.True(snapped.IsValid);
        Assert.Equal(0, ParcelTopology.Snap(polygon, [neighbour], 0.05).Moved);
    }

    [Fact]
    public void A_vertex_a_millimetre_across_a_neighbours_edge_is_put_on_the_edge_leaving_no_overlap()
    {
        var neighbour = Rect(X0 + 10, Y0, 10, 20);
        // the corner at the middle of the shared side, dropped 1 mm inside the neighbour (as a browser's pixel snap does)
        var (lm, bm) = Crs.FromMetric(X0 + 10.001, Y0 + 10);
        var (l0, b0) = Crs.FromMetric(X0, Y0); var (l1, b1) = Crs.FromMetric(X0 + 10, Y0); var (l3, b3) = Crs.FromMetric(X0, Y0 + 20);
        var polygon = GeoJson.Factory.CreatePolygon([new(l0, b0), new(l1, b1), new(lm, bm), new(l3, b3), new(l0, b0)]);
        Assert.True(Parcel.MetricArea(polygon.Intersection(neighbour)) > 0.001, "before snapping the outline overlaps the neighbour");
        var (snapped, moved) = ParcelTopology.Snap(polygon, [neighbour], 0.2);
        Assert.Equal(1, moved);
        Assert.True(Parcel.MetricArea(snapped.Intersection(neighbour)) < 1e-6, "on the edge it overlaps nothing");
        Assert.Equal(0, ParcelTopology.Snap(snapped, [neighbour], 0.2).Moved); // snapping again changes nothing
        // 0.5 m away from the edge it stays where it was
        var (lf, bf) = Crs.FromMetric(X0 + 9.5, Y0 + 10);
        Assert.Equal(0, ParcelTopology.Snap(GeoJson.Factory.CreatePolygon([new(l0, b0), new(l1, b1), new(lf, bf), new(l3, b3), new(l0, b0)]), [neighbour], 0.2).Moved);
    }

    [Fact]
    public void Overlap_beyond_the_tolerance_names_the_neighbour_and_the_spot()
    {
        var neighbour = Rect(X0 + 10, Y0, 10, 20);
        ParcelTopology.CheckOverlaps(Rect(X0, Y0, 10.001, 20), [("001-0010-002", neighbour)], 0.05);
        var e = Assert.Throws<DomainRuleException>(() => ParcelTopology.CheckOverlaps(Rect(X0, Y0, 12, 20), [("001-0010-002", neighbour)], 0.05));
        Assert.Contains("001-0010-002", e.MessageEs);
        Assert.NotNull(e.Location);
    }

    [Fact]
    public void Outlines_are_stored_counter_clockwise_whatever_their_input_order()
    {
        var clockwise = (Polygon)Rect(X0, Y0, 10, 20).Reverse();
        Assert.False(clockwise.Shell.IsCCW);
        var p = New(1, clockwise);
        Assert.True(p.Geom.Shell.IsCCW);
        p.Reshape((Polygon)Rect(X0, Y0, 10, 25).Reverse(), 20, Zone, Type);
        Assert.True(p.Geom.Shell.IsCCW);
        var b = New(2, Rect(X0 + 10, Y0, 10, 25));
        Assert.True(Parcel.Merge([p, b], new ClaveCatastral(1, 10, 9), 0.05, Zone, Type).Geom.Shell.IsCCW);
    }

    [Fact]
    public void Nobody_decides_their_own_edit()
    {
        var edit = ParcelEdit.Propose(EditKind.Retire, ["001-0010-001"], [3], "{}", "Fusión de hecho", "Oficio 12/2026", "ana@x", DateTime.UtcNow);
        Assert.Throws<DomainRuleException>(() => edit.Approve("ana@x", DateTime.UtcNow));
        Assert.Throws<DomainRuleException>(() => edit.Reject("ana@x", DateTime.UtcNow, "no"));
        edit.Approve("luis@x", DateTime.UtcNow);
        Assert.Equal(ParcelEdit.Approved, edit.State);
        Assert.Throws<DomainRuleException>(() => edit.Reject("eva@x", DateTime.UtcNow, "tarde"));
        Assert.Throws<DomainRuleException>(() => ParcelEdit.Propose(EditKind.Retire, ["001-0010-001"], [3], "{}", " ", null, "ana@x", DateTime.UtcNow));
    }

    [Theory]
    [InlineData("\"v3\"", new[] { 3 })]
    [InlineData("W/\"v3\", \"v12\"", new[] { 3, 12 })]
    public void If_match_lists_one_version_per_parcel(string header, int[] expected) =>
        Assert.Equal(expected, EditEndpoints.ParseIfMatch(header, expected.Length));

    [Fact]
    public void Missing_or_malformed_if_match_is_428_or_412()
    {
        Assert.Equal(428, Assert.Throws<PreconditionException>(() => EditEndpoints.ParseIfMatch(null, 1)).Status);
        Assert.Equal(412, Assert.Throws<PreconditionException>(() => EditEndpoints.ParseIfMatch("\"abc\"", 1)).Status);
        Assert.Equal(412, Assert.Throws<PreconditionException>(() => EditEndpoints.ParseIfMatch("\"v1\"", 2)).Status);
    }
}
