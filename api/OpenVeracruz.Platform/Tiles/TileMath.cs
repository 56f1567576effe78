using System.Globalization;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Tiles;

/// <summary>A tile of the WebMercatorQuad tile matrix set: zoom (tile matrix), column x, row y (row 0 at the north).</summary>
public readonly record struct TileAddress(int Z, int X, int Y);

/// <summary>A rectangle of tiles at one zoom, both ends included.</summary>
public readonly record struct TileRange(int Z, int MinX, int MaxX, int MinY, int MaxY);

/// <summary>
/// The arithmetic of the OGC WebMercatorQuad tile matrix set (EPSG:3857, 256×256 tiles, origin at the top left corner,
/// one tile at zoom 0): parsing and range checks of z/y/x, a tile's bounds, the tiles a longitude/latitude box touches.
/// </summary>
public static class TileMath
{
    public const int MaxZoom = 24;
    public const double EarthRadius = 6378137.0;
    /// <summary>Half the width of the world in EPSG:3857 metres (π·R).</summary>
    public const double Origin = 20037508.342789244;
    /// <summary>The latitude where Web Mercator's square world ends.</summary>
    public const double MaxLatitude = 85.0511287798066;
    /// <summary>Scale denominator and cell size (metres per pixel) of zoom 0, 256-pixel tiles at 0.28 mm per pixel.</summary>
    public const double ScaleDenominator0 = 559082264.0287178, CellSize0 = 156543.03392804097;

    public static long TilesPerSide(int z) => 1L << z;

    /// <summary>Width of a tile at zoom z in EPSG:3857 metres.</summary>
    public static double TileSize(int z) => 2 * Origin / TilesPerSide(z);

    /// <summary>Parses the path's z, y and x; anything but whole numbers within the matrix is a 400 naming the parameter.</summary>
    public static TileAddress Parse(string z, string y, string x)
    {
        var zoom = Number(z, "tileMatrix", 0, MaxZoom);
        var last = TilesPerSide(zoom) - 1;
        return new TileAddress(zoom, Number(x, "tileCol", 0, last), Number(y, "tileRow", 0, last));
    }

    private static int Number(string text, string name, long min, long max)
    {
        if (text.Length is 0 or > 9 || !text.All(char.IsAsciiDigit) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new BadRequestException($"{name} '{text}' must be a whole number from {min} to {max}",
                $"{name} '{text}' debe ser un número entero de {min} a {max}", name, 400, "InvalidParameterValue");
        return (int)n;
    }

    /// <summary>The tile's bounds in EPSG:3857 metres: minX, minY, maxX, maxY.</summary>
    public static (double MinX, double MinY, double MaxX, double MaxY) Bounds(TileAddress t)
    {
        var size = TileSize(t.Z);
        var minX = -Origin + t.X * size;
        var maxY = Origin - t.Y * size;
        return (minX, maxY - size, minX + size, maxY);
    }

    /// <summary>The tile's bounds as longitude/latitude (WGS 84): west, south, east, north.</summary>
    public static (double West, double South, double East, double North) LonLatBounds(TileAddress t)
    {
        var (minX, minY, maxX, maxY) = Bounds(t);
        return (Longitude(minX), Latitude(minY), Longitude(maxX), Latitude(maxY));
    }

    public static double MercatorX(double lon) => EarthRadius * lon * Math.PI / 180;

    public static double MercatorY(double lat)
    {
        lat = Math.Clamp(lat, -MaxLatitude, MaxLatitude);
        return EarthRadius * Math.Log(Math.Tan(Math.PI / 4 + lat * Math.PI / 360));
    }

    public static double Longitude(double x) => x / EarthRadius * 180 / Math.PI;

    public static double Latitude(double y) => (2 * Math.Atan(Math.Exp(y / EarthRadius)) - Math.PI / 2) * 180 / Math.PI;

    /// <summary>The tile at zoom z that holds a longitude/latitude.</summary>
    public static TileAddress At(int z, double lon, double lat)
    {
        var r = Range(z, lon, lat, lon, lat, 0);
        return new TileAddress(z, r.MinX, r.MinY);
    }

    /// <summary>
    /// The tiles at zoom z whose area, widened on each side by <paramref name="margin"/> (a fraction of the tile: the
    /// buffer a tile carries beyond its edge), intersects the longitude/latitude box.
    /// </summary>
    public static TileRange Range(int z, double west, double south, double east, double north, double margin)
    {
        var size = TileSize(z);
        var last = (int)(TilesPerSide(z) - 1);
        int Clamp(double v) => (int)Math.Clamp(Math.Floor(v), 0, last);
        var pad = margin * size;
        return new TileRange(z,
            Clamp((MercatorX(west) - pad + Origin) / size), Clamp((MercatorX(east) + pad + Origin) / size),
            Clamp((Origin - MercatorY(north) - pad) / size), Clamp((Origin - MercatorY(south) + pad) / size));
    }
}
