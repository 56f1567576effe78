using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Cadastre;
using OpenVeracruz.Platform.Downloads;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Tests.Shared;

public class ClaveCatastralTests
{
    [Theory]
    [InlineData("001-0012-007", 1, 12, 7)]
    [InlineData(" 020-9999-999 ", 20, 9999, 999)]
    public void Parses_zone_block_lot(string text, int zone, int block, int lot)
    {
        Assert.True(ClaveCatastral.TryParse(text, out var c));
        Assert.Equal(new ClaveCatastral(zone, block, lot), c);
        Assert.Equal(text.Trim(), c.Value.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1-12-7")]
    [InlineData("001-0012-07")]
    [InlineData("001-0012-0070")]
    [InlineData("000-0012-007")]
    [InlineData("001-0000-007")]
    [InlineData("00a-0012-007")]
    [InlineData("001_0012_007")]
    [InlineData("001-0012-007-1")]
    [InlineData("٠٠١-0012-007")]
    public void Rejects_malformed_claves(string? text) => Assert.False(ClaveCatastral.TryParse(text, out _));
}

public class BBoxTests
{
    [Fact]
    public void Crs84_is_lon_lat()
    {
        Assert.True(BBox.TryParse("-96.2,19.1,-96.1,19.2", Crs.Crs84, out var b, out _, out _));
        Assert.Equal(new BBox(-96.2, 19.1, -96.1, 19.2), b);
    }

    [Fact]
    public void Epsg4326_is_read_latitude_first()
    {
        Assert.True(BBox.TryParse("19.1,-96.2,19.2,-96.1", Crs.Epsg4326, out var b, out _, out _));
        Assert.Equal(new BBox(-96.2, 19.1, -96.1, 19.2), b);
    }

    [Fact]
    public void Six_values_drop_heights()
    {
        Assert.True(BBox.TryParse("-96.2,19.1,0,-96.1,19.2,100", Crs.Crs84, out var b, out _, out _));
        Assert.Equal(new BBox(-96.2, 19.1, -96.1, 19.2), b);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("1,2,3", "4 (or 6)")]
    [InlineData("a,2,3,4", "not a number")]
    [InlineData("1,2,NaN,4", "not a number")]
    [InlineData("-96.1,19.1,-96.2,19.2", "inverted")]
    [InlineData("-96.2,19.2,-96.1,19.1", "inverted")]
    [InlineData("-96.2,-91,-96.1,19.2", "latitude")]
    [InlineData("-181,19.1,-96.1,19.2", "longitude")]
    public void Rejects_bad_boxes_with_a_reason_in_both_languages(string text, string reason)
    {
        Assert.False(BBox.TryParse(text, Crs.Crs84, out _, out var error, out var errorEs));
        Assert.Contains(reason, error);
        Assert.False(string.IsNullOrWhiteSpace(errorEs));
    }

    [Fact]
    public void Metric_boxes_are_not_held_to_degree_ranges()
    {
        Assert.True(BBox.TryParse("800000,2120000,810000,2130000", Crs.Utm14N, out var b, out _, out _));
        Assert.Equal(2130000, b.MaxY);
    }
}

public class CrsTests
{
    [Fact]
    public void Finds_served_crs_by_uri_curie_and_code()
    {
        Assert.Same(Crs.Crs84, Crs.Find("http://www.opengis.net/def/crs/OGC/1.3/CRS84"));
        Assert.Same(Crs.Epsg4326, Crs.Find("http://www.opengis.net/def/crs/EPSG/0/4326"));
        Assert.Same(Crs.MexicoUtm14N, Crs.Find("[EPSG:6369]"));
        Assert.Same(Crs.MexicoLcc, Crs.Find("EPSG:6372"));
        Assert.Null(Crs.Find("EPSG:3857"));
        Assert.Null(Crs.Find("http://www.opengis.net/def/crs/EPSG/0/999999"));
        Assert.Null(Crs.Find("nonsense"));
    }

    // Known coordinates: a point on the central meridian of UTM 14 (99° W) lies at the false easting 500 000 m;
    // on the equator at northing 0; the origin of the Mexico ITRF2008 LCC projection (102° W, 12° N) lies at
    // its false easting 2 500 000 m and northing 0.
    [Fact]
    public void Utm14_central_meridian_and_equator()
    {
        var t = Crs.Transform(Crs.Crs84, Crs.Utm14N);
        var (x, y) = t.Transform(-99, 0);
        Assert.Equal(500000, x, 3);
        Assert.Equal(0, y, 3);
        var (x2, _) = t.Transform(-99, 19.2);
        Assert.Equal(500000, x2, 3);
    }

    [Fact]
    public void Mexico_lcc_origin()
    {
        var (x, y) = Crs.Transform(Crs.Crs84, Crs.MexicoLcc).Transform(-102, 12);
        Assert.Equal(2500000, x, 2);
        Assert.Equal(0, y, 2);
    }

    [Fact]
    public void Utm_round_trip_in_veracruz_is_centimetre_exact()
    {
        var (x, y) = Crs.ToMetric(-96.1343, 19.2005);
        Assert.InRange(x, 800_000, 820_000);   // ~3° east of the central meridian
        Assert.InRange(y, 2_120_000, 2_135_000);
        var (lon, lat) = Crs.FromMetric(x, y);
        Assert.Equal(-96.1343, lon, 7);
        Assert.Equal(19.2005, lat, 7);
    }
}

public class ParcelRuleTests
{
    private static readonly ValuationZone Zone = new() { Code = "VZ-T", Name = "Prueba", LandValuePerM2 = 1000 };
    private static readonly ConstructionType Type = new() { Code = "T", Name = "Prueba", ValuePerM2 = 5000 };

    private static Polygon MetricRectangle(double w, double h)
    {
        var (x, y) = Crs.ToMetric(-96.14, 19.19);
        var f = new GeometryFactory(new PrecisionModel(), Crs.MetricSrid);
        var metric = f.CreatePolygon([new(x, y), new(x + w, y), new(x + w, y + h), new(x, y + h), new(x, y)]);
        return Crs.Reproject(metric, Crs.Transform(Crs.Utm14N, Crs.Crs84), Crs.StorageSrid);
    }

    [Fact]
    public void Area_is_measured_in_metres_and_value_follows_the_tables()
    {
        var p = Parcel.Create(new ClaveCatastral(1, 2, 3), "301930001", "Veracruz", "habitacional", MetricRectangle(20, 30), 100, Zone, Type);
        Assert.Equal(600, p.LandAreaM2, 1);
        Assert.Equal("001-0002-003", p.Clave);
        Assert.Equal(600_000m, p.LandValue, 0);          // 600 m² × 1 000
        Assert.Equal(500_000m, p.ConstructionValue);     // 100 m² × 5 000
        Assert.Equal(p.LandValue + p.ConstructionValue, p.CadastralValue);
    }

    [Fact]
    public void Unknown_land_use_and_invalid_geometry_are_rule_violations()
    {
        Assert.Throws<DomainRuleException>(() => Parcel.Create(new ClaveCatastral(1, 1, 1), "x", "x", "casino", MetricRectangle(10, 10), 0, Zone, Type));
        var f = GeoJson.Factory;
        var bowtie = f.CreatePolygon([new(0, 0), new(1, 1), new(1, 0), new(0, 1), new(0, 0)]);
        var e = Assert.Throws<DomainRuleException>(() => Parcel.Create(new ClaveCatastral(1, 1, 1), "x", "x", "baldio", bowtie, 0, Zone, Type));
        Assert.Contains("no es válida", e.MessageEs);
        Assert.Throws<DomainRuleException>(() => Parcel.Create(new ClaveCatastral(1, 1, 1), "x", "x", "baldio", MetricRectangle(10, 10), -1, Zone, Type));
    }
}

public class CsvNeutralisationTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [InlineData("+52 229", "'+52 229")]
    [InlineData("-cmd", "'-cmd")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("Veracruz", "Veracruz")]
    [InlineData("", "")]
    public void Formula_starters_are_prefixed(string value, string expected) => Assert.Equal(expected, SpreadsheetText.Neutralise(value));
}

public class AsOfTests
{
    [Theory]
    [InlineData("2026-06-01", "2026-06-01T06:00:00Z")] // a date: midnight in Veracruz (UTC−6)
    [InlineData("2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z")]
    [InlineData("2026-06-01T10:30:00-06:00", "2026-06-01T16:30:00Z")]
    public void Dates_and_instants_become_utc_instants(string text, string expected)
    {
        Assert.True(Instants.TryParse(text, out var utc));
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal), utc);
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
    }

    [Theory]
    [InlineData("ayer")]
    [InlineData("2026-13-01")]
    [InlineData("2026-06-01/2026-07-01")]
    [InlineData("01/06/2026")]
    public void Anything_else_is_refused(string text) => Assert.False(Instants.TryParse(text, out _));
}
