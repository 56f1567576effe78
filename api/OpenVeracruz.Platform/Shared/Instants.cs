using System.Globalization;

namespace OpenVeracruz.Platform.Shared;

/// <summary>Instants as the doors take them (asOf, OGC datetime, …), in Veracruz's civil time where a bare date is given.</summary>
public static class Instants
{
    /// <summary>Veracruz keeps UTC−6 all year (Mexico's central time has had no daylight saving since 2022).</summary>
    public static readonly TimeSpan VeracruzOffset = TimeSpan.FromHours(-6);

    /// <summary>
    /// An RFC 3339 instant, or a date (yyyy-MM-dd) meaning the start of that day in Veracruz: "as of 2026-06-01" is the
    /// cadastre when that day began there.
    /// </summary>
    public static bool TryParse(string text, out DateTime utc)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            utc = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), VeracruzOffset).UtcDateTime;
            return true;
        }
        if (text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            utc = t.UtcDateTime;
            return true;
        }
        utc = default;
        return false;
    }
}
