using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Tiles;

namespace OpenVeracruz.Tests.Tiles;

/// <summary>WebMercatorQuad arithmetic: z/y/x parsing and ranges, tile bounds, the tiles a box touches.</summary>
public sealed class TileMathTests
{
    [Theory]
    [InlineData("0", "0", "0", 0, 0, 0)]
    [InlineData("14", "7298", "3817", 14, 3817, 7298)]
    [InlineData("24", "16777215", "16777215", 24, 16777215, 16777215)]
    public void Parses_tiles_inside_the_matrix(string z, string y, string x, int ez, int ex, int ey) =>
        Assert.Equal(new TileAddress(ez, ex, ey), TileMath.Parse(z, y, x));

    [Theory]
    [InlineData("25", "0", "0", "tileMatrix")]
    [InlineData("-1", "0", "0", "tileMatrix")]
    [InlineData("1", "2", "0", "tileRow")]
    [InlineData("1", "0", "2", "tileCol")]
    [InlineData("14", "0", "16384", "tileCol")]
    [InlineData("x", "0", "0", "tileMatrix")]
    [InlineData("1.5", "0", "0", "tileMatrix")]
    [InlineData("3", "+1", "0", "tileRow")]
    [InlineData("3", "0", "99999999999999999999", "tileCol")]
    public void Refuses_tiles_outside_the_matrix_naming_the_parameter(string z, string y, string x, string parameter)
    {
        var e = Assert.Throws<BadRequestException>(() => TileMath.Parse(z, y, x));
        Assert.Equal(400, e.Status);
        Assert.Equal(parameter, e.Parameter);
        Assert.Equal("InvalidParameterValue", e.OgcCode);
    }

    [Fact]
    public void Bounds_of_the_world_and_of_a_quadrant()
    {
        Assert.Equal((-TileMath.Origin, -TileMath.Origin, TileMath.Origin, TileMath.Origin), TileMath.Bounds(new TileAddress(0, 0, 0)));
        // zoom 1, column 1, row 0: the north-east quarter
        Assert.Equal((0d, 0d, TileMath.Origin, TileMath.Origin), TileMath.Bounds(new TileAddress(1, 1, 0)));
        var (w, s, e, n) = TileMath.LonLatBounds(new TileAddress(1, 0, 1));
        Assert.Equal(-180, w, 9);
        Assert.Equal(-TileMath.MaxLatitude, s, 6);
        Assert.Equal(0, e, 9);
        Assert.Equal(0, n, 9);
    }

    [Fact]
    public void The_tile_of_a_point_holds_it_at_every_zoom()
    {
        const double lon = -96.1342, lat = 19.1738; // Veracruz, the zócalo
        for (var z = 0; z <= TileMath.MaxZoom; z++)
        {
            var t = TileMath.At(z, lon, lat);
            var (w, s, e, n) = TileMath.LonLatBounds(t);
            Assert.True(w <= lon && lon < e && s < lat && lat <= n, $"z{z}: {t} holds the point");
        }
        Assert.Equal(new TileAddress(14, 3816, 7302), TileMath.At(14, lon, lat));
    }

    [Fact]
    public void A_box_touches_the_tiles_its_buffered_area_meets()
    {
        var t = new TileAddress(16, 15000, 29000);
        var (w, s, e, n) = TileMath.LonLatBounds(t);
        // a box well inside the tile touches that tile alone, also with the buffer
        var (cx, cy) = ((w + e) / 2, (s + n) / 2);
        Assert.Equal(new TileRange(16, 15000, 15000, 29000, 29000), TileMath.Range(16, cx - 1e-5, cy - 1e-5, cx + 1e-5, cy + 1e-5, TileSql.Margin));
        // a box just inside the east edge touches the neighbour to the east only through the buffer
        var nearEast = e - (e - w) / 100;
        Assert.Equal(new TileRange(16, 15000, 15000, 29000, 29000), TileMath.Range(16, nearEast, cy, nearEast, cy, 0));
        Assert.Equal(new TileRange(16, 15000, 15001, 29000, 29000), TileMath.Range(16, nearEast, cy, nearEast, cy, TileSql.Margin));
        // the whole world at zoom 2 is its 4 × 4 tiles, clamped to the matrix
        Assert.Equal(new TileRange(2, 0, 3, 0, 3), TileMath.Range(2, -180, -89, 180, 89, TileSql.Margin));
    }

    [Fact]
    public void Touched_tiles_cover_every_zoom()
    {
        var ranges = TileCache.Touched([(-96.14, 19.17, -96.139, 19.171)]);
        Assert.Equal(Enumerable.Range(0, 25), ranges.Select(r => r.Z));
        Assert.All(ranges, r => Assert.True(r.MinX <= r.MaxX && r.MinY <= r.MaxY));
        Assert.Equal(new TileRange(0, 0, 0, 0, 0), ranges[0]);
    }

    [Theory]
    [InlineData("\"abc\"", new[] { "abc" })]
    [InlineData("W/\"abc\", \"def\"", new[] { "abc", "def" })]
    [InlineData("*", new[] { "*" })]
    [InlineData("", new string[0])]
    public void If_none_match_lists_its_etags(string header, string[] expected) => Assert.Equal(expected, TileEndpoints.ETagsOf(header));
}
