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
        var children = p.Split(Line(X0 + 10, Y0 - 1, X0 + 10, Y0 + 31), n => Enumerable.Range(5, n).Select(l => new ClaveCatastral(1, 10, l)).ToList(), 20, 0.05, Zone, Type);
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
        Assert.Throws<DomainRuleException>(() => p.Split(Line(X0 + 30, Y0 - 1, X0 + 30, Y0 + 31), claves, 20, 0.05, Zone, Type));
        var sliver = Assert.Throws<DomainRuleException>(() => p.Split(Line(X0 + 0.5, Y0 - 1, X0 + 0.5, Y0 + 31), claves, 20, 0.05, Zone, Type));
        Assert.Contains("mínimo", sliver.MessageEs);
        Assert.False(p.Retired);
    }

    [Fact]
    public void Merge_needs_one_block_and_shared_edges_and_makes_one_polygon()
    {
        var a = New(1, Rect(X0, Y0, 10, 20));
        var b = New(2, Rect(X0 + 10, Y0, 10, 20));
        var far = New(3, Rect(X0 + 50, Y0, 10, 20));
        Assert.Throws<DomainRuleException>(() => Parcel.Merge([a, far], new ClaveCatastral(1, 10, 9), Zone, Type));
        var merged = Parcel.Merge([a, b], new ClaveCatastral(1, 10, 9), Zone, Type);
        Assert.InRange(merged.LandAreaM2, 399.9, 400.1);
        Assert.Equal(100, merged.BuiltAreaM2);
        Assert.True(a.Retired && b.Retired);
        var other = Parcel.Create(new ClaveCatastral(1, 11, 1), "301930001", "Veracruz", "habitacional", Rect(X0 + 20, Y0, 10, 20), 0, Zone, Type);
        var c = New(4, Rect(X0 + 30, Y0, 10, 20));
        Assert.Throws<DomainRuleException>(() => Parcel.Merge([other, c], new ClaveCatastral(1, 10, 10), Zone, Type));
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
        Assert.True(Parcel.Merge([p, b], new ClaveCatastral(1, 10, 9), Zone, Type).Geom.Shell.IsCCW);
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
