using System.Globalization;

namespace OpenVeracruz.Platform.Shared;

/// <summary>A bounding box in longitude/latitude (or easting/northing) order, whatever the axis order of its text.</summary>
public readonly record struct BBox(double MinX, double MinY, double MaxX, double MaxY)
{
    /// <summary>
    /// Parses "minx,miny,maxx,maxy" (or the 6-value 3D form, whose heights are ignored) in the given CRS.
    /// For EPSG:4326 the text is latitude first, as the OGC API requires; the result is always x/y.
    /// </summary>
    public static bool TryParse(string? text, Crs crs, out BBox bbox, out string error, out string errorEs)
    {
        bbox = default;
        errorEs = "";
        if (string.IsNullOrWhiteSpace(text)) { error = "bbox is empty"; errorEs = "bbox está vacío"; return false; }
        var parts = text.Split(',');
        if (parts.Length is not (4 or 6)) { error = "bbox must have 4 (or 6) comma-separated numbers"; errorEs = "bbox debe tener 4 (o 6) números separados por comas"; return false; }
        var n = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out n[i]) || !double.IsFinite(n[i]))
            { error = $"bbox value '{parts[i]}' is not a number"; errorEs = $"el valor '{parts[i]}' de bbox no es un número"; return false; }
        }
        double a0 = n[0], a1 = n[1], b0, b1;
        if (parts.Length == 4) { b0 = n[2]; b1 = n[3]; } else { b0 = n[3]; b1 = n[4]; }
        var (minX, minY, maxX, maxY) = crs.LatLonOrder ? (a1, a0, b1, b0) : (a0, a1, b0, b1);
        if (minX > maxX || minY > maxY) { error = "bbox is inverted: the lower corner must come first"; errorEs = "bbox está invertido: primero va la esquina inferior"; return false; }
        if (crs.Geographic && (minY < -90 || maxY > 90)) { error = "bbox latitude must lie between -90 and 90"; errorEs = "la latitud de bbox debe estar entre -90 y 90"; return false; }
        if (crs.Geographic && (minX < -180 || maxX > 180)) { error = "bbox longitude must lie between -180 and 180"; errorEs = "la longitud de bbox debe estar entre -180 y 180"; return false; }
        var d = crs.Domain;
        if (minX < d.MinX || minY < d.MinY || maxX > d.MaxX || maxY > d.MaxY)
        {
            var range = string.Create(CultureInfo.InvariantCulture, $"x {d.MinX:0} to {d.MaxX:0}, y {d.MinY:0} to {d.MaxY:0}");
            error = $"bbox lies outside the domain of {crs.Uri} ({range})";
            errorEs = $"bbox queda fuera del dominio de {crs.Uri} ({range.Replace(" to ", " a ")})";
            return false;
        }
        bbox = new BBox(minX, minY, maxX, maxY);
        error = "";
        return true;
    }

    public double[] ToArray() => [MinX, MinY, MaxX, MaxY];
}
