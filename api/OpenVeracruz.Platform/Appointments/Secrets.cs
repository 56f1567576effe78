using System.Security.Cryptography;
using System.Text;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>
/// The two halves of a confirmation: a short folio people can read over the phone (no 0/O, 1/I/L, so no ambiguity),
/// which alone reveals and changes nothing, and a long random token for the manage link, kept only as a SHA-256.
/// </summary>
public static class Secrets
{
    public const string FolioAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    public const int FolioLength = 8;

    public static string NewFolio() => RandomNumberGenerator.GetString(FolioAlphabet, FolioLength);

    public static bool LooksLikeFolio(string? text) =>
        text is { Length: FolioLength } && text.All(c => FolioAlphabet.Contains(c, StringComparison.Ordinal));

    /// <summary>Folios as typed: upper case, without spaces or dashes (a kiosk user may type "abcd-2345").</summary>
    public static string NormalizeFolio(string? text) =>
        new string((text ?? "").Where(c => c is not (' ' or '-')).ToArray()).ToUpperInvariant();

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(24));

    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool Matches(string? token, string? hash) =>
        token is { Length: > 0 } && hash is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(hash));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The human check without a third party: the hold carries a random challenge, and the confirmation must bring a
    /// nonce such that SHA-256("challenge:nonce") starts with <paramref name="bits"/> zero bits — a second of a phone's
    /// time, a real cost for a script booking thousands of slots.
    /// </summary>
    public static bool SolvesChallenge(string challenge, string? nonce, int bits)
    {
        if (nonce is not { Length: > 0 and <= 32 }) return false;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(challenge + ":" + nonce));
        for (var i = 0; i < bits; i++)
            if ((hash[i / 8] & (0x80 >> (i % 8))) != 0) return false;
        return true;
    }

    /// <summary>Finds a nonce (what the page does in JavaScript; used by the tests and the benchmark).</summary>
    public static string Solve(string challenge, int bits)
    {
        for (var n = 0L; ; n++)
            if (SolvesChallenge(challenge, n.ToString(System.Globalization.CultureInfo.InvariantCulture), bits))
                return n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
