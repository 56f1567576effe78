using System.Globalization;
using System.Numerics;

namespace OpenVeracruz.Platform.Payments;

/// <summary>
/// The reference of a payment order (línea de captura): 20 digits, written in groups of four.
/// <c>CC NNNNNNNNNN YYMMDD KK</c>: the concept's number (2 digits), the order number (10), the last day it may be paid
/// (YYMMDD, Veracruz's calendar) and two check digits by ISO 7064 MOD 97-10 (the IBAN's scheme): KK = 98 − (payload × 100 mod 97),
/// so that the whole 20-digit number mod 97 is 1. Any one changed digit and any swap of two neighbouring digits is caught.
/// See docs/PAYMENTS.md for a worked example.
/// </summary>
public readonly record struct LineaDeCaptura(int Concept, long Order, DateOnly Expires)
{
    public const int Length = 20;

    public string Payload => string.Create(CultureInfo.InvariantCulture, $"{Concept:D2}{Order:D10}{Expires:yyMMdd}");

    /// <summary>The 20 digits without spaces.</summary>
    public string Digits => Payload + CheckDigits(Payload);

    /// <summary>For people: five groups of four digits.</summary>
    public string Display
    {
        get
        {
            var d = Digits;
            return string.Join(' ', Enumerable.Range(0, 5).Select(i => d.Substring(i * 4, 4)));
        }
    }

    public override string ToString() => Digits;

    public static LineaDeCaptura Create(int concept, long order, DateOnly expires)
    {
        if (concept is < 1 or > 99) throw new ArgumentOutOfRangeException(nameof(concept));
        if (order is < 1 or > 9_999_999_999) throw new ArgumentOutOfRangeException(nameof(order));
        if (expires.Year is < 2000 or > 2049) throw new ArgumentOutOfRangeException(nameof(expires));
        return new LineaDeCaptura(concept, order, expires);
    }

    /// <summary>ISO 7064 MOD 97-10 check digits of a string of digits.</summary>
    public static string CheckDigits(string payload) =>
        (98 - (int)(BigInteger.Parse(payload + "00", CultureInfo.InvariantCulture) % 97)).ToString("D2", CultureInfo.InvariantCulture);

    public enum Problem { None, Format, CheckDigits, Date }

    /// <summary>Reads a reference as people write it (spaces and hyphens allowed); says what is wrong when it cannot.</summary>
    public static Problem TryParse(string? text, out LineaDeCaptura reference)
    {
        reference = default;
        if (text is null || text.Length > 40) return Problem.Format;
        var digits = new string(text.Where(c => c is not (' ' or '-')).ToArray());
        if (digits.Length != Length || !digits.All(char.IsAsciiDigit)) return Problem.Format;
        if (BigInteger.Parse(digits, CultureInfo.InvariantCulture) % 97 != 1) return Problem.CheckDigits;
        var concept = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var order = long.Parse(digits[2..12], CultureInfo.InvariantCulture);
        if (!DateOnly.TryParseExact(digits[12..18], "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires) || concept == 0 || order == 0)
            return Problem.Date;
        reference = new LineaDeCaptura(concept, order, expires);
        return Problem.None;
    }
}
