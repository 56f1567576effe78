using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using OpenVeracruz.Etl;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Tests.Cadastre;

public class SyntheticParcelsTests
{
    /// <summary>A 1.2 km square "locality" around the historic centre.</summary>
    private static UrbanLocality Square()
    {
        var (x, y) = Crs.ToMetric(SyntheticParcels.Centre.Lon, SyntheticParcels.Centre.Lat);
        var f = new GeometryFactory(new PrecisionModel(), Crs.MetricSrid);
        var metric = f.CreatePolygon([new(x - 600, y - 600), new(x + 600, y - 600), new(x + 600, y + 600), new(x - 600, y + 600), new(x - 600, y - 600)]);
        return new UrbanLocality("301930001", "Veracruz", Crs.Reproject(metric, Crs.Transform(Crs.Utm14N, Crs.Crs84), Crs.StorageSrid));
    }

    [Fact]
    public void Same_seed_same_parcels_other_seed_other_attributes()
    {
        var a = SyntheticParcels.Generate([Square()], 500, 7).Select(g => (g.Parcel.Clave, g.Parcel.Geom.AsText(), g.Parcel.LandUse, g.Owner.Curp)).ToList();
        var b = SyntheticParcels.Generate([Square()], 500, 7).Select(g => (g.Parcel.Clave, g.Parcel.Geom.AsText(), g.Parcel.LandUse, g.Owner.Curp)).ToList();
        var c = SyntheticParcels.Generate([Square()], 500, 8).Select(g => (g.Parcel.Clave, g.Parcel.Geom.AsText(), g.Parcel.LandUse, g.Owner.Curp)).ToList();
        Assert.Equal(500, a.Count);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Parcels_are_valid_unique_inside_the_locality_and_never_overlap()
    {
        var locality = Square();
        var parcels = SyntheticParcels.Generate([locality], 800, 20210101).Select(g => g.Parcel).ToList();
        Assert.Equal(800, parcels.Select(p => p.Clave).Distinct().Count());
        var tree = new STRtree<Geometry>();
        foreach (var p in parcels)
        {
            Assert.True(p.Geom.IsValid);
            Assert.True(locality.LonLat.Contains(p.Geom), $"{p.Clave} lies outside its locality");
            Assert.InRange(p.LandAreaM2, 60, 700);
            Assert.Equal(p.LandValue + p.ConstructionValue, p.CadastralValue);
            tree.Insert(p.Geom.EnvelopeInternal, p.Geom);
        }
        foreach (var p in parcels)
            foreach (var other in tree.Query(p.Geom.EnvelopeInternal))
                if (!ReferenceEquals(other, p.Geom))
                    Assert.True(p.Geom.Intersection(other).Area < 1e-12, $"{p.Clave} overlaps a neighbour");
    }

    [Fact]
    public void Blocks_are_separated_by_streets()
    {
        var parcels = SyntheticParcels.Generate([Square()], 300, 1).Select(g => g.Parcel).ToList();
        var blocks = parcels.GroupBy(p => p.Block).Select(g => new GeometryFactory().BuildGeometry(g.Select(p => (Geometry)p.Geom)).Union()).ToList();
        Assert.True(blocks.Count > 3);
        for (var i = 0; i < blocks.Count; i++)
            for (var j = i + 1; j < blocks.Count; j++)
            {
                var a = Crs.Reproject(blocks[i], Crs.Transform(Crs.Crs84, Crs.Utm14N), Crs.MetricSrid);
                var b = Crs.Reproject(blocks[j], Crs.Transform(Crs.Crs84, Crs.Utm14N), Crs.MetricSrid);
                Assert.True(a.Distance(b) >= SyntheticParcels.Street - 0.01, "two blocks closer than a street");
            }
    }
}

public class SyntheticDensityTests
{
    [Fact]
    public void Large_counts_get_more_rows_of_narrower_lots_and_still_never_overlap()
    {
        var (x, y) = Crs.ToMetric(SyntheticParcels.Centre.Lon, SyntheticParcels.Centre.Lat);
        var f = new GeometryFactory(new PrecisionModel(), Crs.MetricSrid);
        var metric = f.CreatePolygon([new(x - 600, y - 600), new(x + 600, y - 600), new(x + 600, y + 600), new(x - 600, y + 600), new(x - 600, y - 600)]);
        var locality = new UrbanLocality("301930001", "Veracruz", Crs.Reproject(metric, Crs.Transform(Crs.Utm14N, Crs.Crs84), Crs.StorageSrid));
        var parcels = SyntheticParcels.Generate([locality], 8000, 5).Select(g => g.Parcel).ToList();
        Assert.Equal(8000, parcels.Count);
        Assert.Equal(8000, parcels.Select(p => p.Clave).Distinct().Count());
        var tree = new STRtree<Geometry>();
        foreach (var p in parcels)
        {
            Assert.True(p.Geom.IsValid);
            Assert.True(p.LandAreaM2 >= 25, $"{p.Clave} is a sliver of {p.LandAreaM2} m²");
            tree.Insert(p.Geom.EnvelopeInternal, p.Geom);
        }
        foreach (var p in parcels.Take(1500))
            foreach (var other in tree.Query(p.Geom.EnvelopeInternal))
                if (!ReferenceEquals(other, p.Geom))
                    Assert.True(p.Geom.Intersection(other).Area < 1e-12, $"{p.Clave} overlaps a neighbour");
    }

    [Theory]
    [InlineData(1000, 10_000, 2, 1.0)]
    [InlineData(1000, 18_000, 2, 1.0)]
    public void Default_density_is_two_rows_at_full_frontage(int blocks, int count, int rows, double scale) =>
        Assert.Equal((rows, scale), SyntheticParcels.Density(blocks, count));

    [Fact]
    public void Denser_counts_add_rows_before_frontages_get_too_narrow()
    {
        var (rows, scale) = SyntheticParcels.Density(7000, 1_000_000);
        Assert.InRange(rows, 3, 6);
        Assert.InRange(scale, 4.0 / 11, 1.0);
        Assert.True(7000 * rows * (int)(100 / (11 * scale)) >= 1_000_000 * 0.9);
    }
}
