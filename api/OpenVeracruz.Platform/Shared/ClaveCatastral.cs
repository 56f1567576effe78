using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OpenVeracruz.Platform.Shared;

/// <summary>
/// Clave catastral of the synthetic cadastre: zone (3 digits) - block/manzana (4 digits) - lot (3 digits),
/// e.g. <c>001-0012-007</c>. Zone 1..999, block 1..9999, lot 1..999.
/// </summary>
public readonly record struct ClaveCatastral(int Zone, int Block, int Lot)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Zone:D3}-{Block:D4}-{Lot:D3}");

    public static bool TryParse(string? text, [NotNullWhen(true)] out ClaveCatastral? clave)
    {
        clave = null;
        if (text is null) return false;
        var parts = text.Trim().Split('-');
        if (parts.Length != 3 || parts[0].Length != 3 || parts[1].Length != 4 || parts[2].Length != 3) return false;
        if (!parts.All(p => p.All(char.IsAsciiDigit))) return false;
        int zone = int.Parse(parts[0], CultureInfo.InvariantCulture), block = int.Parse(parts[1], CultureInfo.InvariantCulture), lot = int.Parse(parts[2], CultureInfo.InvariantCulture);
        if (zone == 0 || block == 0 || lot == 0) return false;
        clave = new ClaveCatastral(zone, block, lot);
        return true;
    }
}
