using System.Text;

namespace OpenVeracruz.Platform.Shared;

/// <summary>
/// Text PostgreSQL can store: a NUL character is refused in text (22021) and in jsonb (22P05), and a lone UTF-16
/// surrogate cannot be encoded as UTF-8 at all. Whatever comes from a file or an exception is cleaned with this before
/// it is written.
/// </summary>
public static class StorableText
{
    /// <summary>The text without NUL characters and with each lone surrogate replaced by U+FFFD.</summary>
    public static string Clean(string text)
    {
        var span = text.AsSpan();
        if (span.IndexOf('\0') < 0 && span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0) return text;
        // UTF-8's replacement fallback turns each lone surrogate into U+FFFD and keeps the pairs
        return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)).Replace("\0", "", StringComparison.Ordinal);
    }
}
