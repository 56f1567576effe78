using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>The CURP (Clave Única de Registro de Población): RENAPO's format and its check digit.</summary>
public static partial class Curp
{
    // letters of the names, birth date, sex (H, M, X), state of birth (NE = born abroad), internal consonants, homonymy, check digit
    [GeneratedRegex("^[A-Z][AEIOUX][A-Z]{2}[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[HMX](AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE)[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z][0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex Format();

    // RENAPO's table: digits 0–9, then A–N, Ñ, O–Z (Ñ is worth 24)
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";

    /// <summary>The check digit of the first 17 characters: Σ value × (18 − position), then (10 − sum mod 10) mod 10.</summary>
    public static int CheckDigit(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * (18 - i);
        return (10 - sum % 10) % 10;
    }

    /// <summary>Null when valid; otherwise why not, in English and Spanish.</summary>
    public static (string En, string Es)? Problem(string? curp)
    {
        if (string.IsNullOrWhiteSpace(curp)) return ("The CURP is required", "Falta la CURP");
        var c = curp.Trim().ToUpperInvariant();
        if (c.Length != 18 || !Format().IsMatch(c))
            return ("The CURP does not have the 18 characters of RENAPO's format (4 letters, birth date, H/M/X, state, 3 consonants, 2 characters)",
                    "La CURP no tiene el formato de RENAPO: 18 caracteres (4 letras, fecha de nacimiento, H/M/X, entidad, 3 consonantes y 2 caracteres)");
        if (!DateOnly.TryParseExact("20" + c[4..10], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) &&
            !DateOnly.TryParseExact("19" + c[4..10], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return ("The birth date inside the CURP does not exist", "La fecha de nacimiento de la CURP no existe");
        if (CheckDigit(c) != c[17] - '0')
            return ("The CURP's check digit (its last character) does not match: check it was typed correctly",
                    "El dígito verificador de la CURP (su último carácter) no corresponde: revise que esté bien escrita");
        return null;
    }

    public static string Normalize(string curp) => curp.Trim().ToUpperInvariant();
}

/// <summary>Names as people write them: letters with accents, Ñ, Ü, spaces, apostrophes, hyphens and dots.</summary>
public static partial class PersonName
{
    [GeneratedRegex(@"^[\p{L}\p{M}][\p{L}\p{M} '\.\-]{0,79}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = string.Join(' ', text.Normalize(NormalizationForm.FormC).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return Pattern().IsMatch(t) ? t : null;
    }
}
