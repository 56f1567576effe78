using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Hosting;

/// <summary>
/// Refuses, before any endpoint runs, a request whose path, query string or url-encoded form carries a NUL character or
/// percent-escapes that are not UTF-8 text: no door can store or compare such text (PostgreSQL refuses NUL; ASP.NET keeps
/// "%FF" as three characters and passes it on). The answer is a 400 in the door's own error format (<see cref="ErrorFormat"/>).
/// Raw non-ASCII bytes and NUL in the path never get here: Kestrel refuses them itself.
/// </summary>
public static class MalformedInputGuard
{
    /// <summary>Url-encoded bodies above this are left to the endpoint's form limits (the database still refuses NUL).</summary>
    private const int MaxFormBytes = 1 << 20;

    public static IApplicationBuilder UseMalformedInputGuard(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var pathEnd = raw.IndexOf('?');
        string? bad = null;
        if (!IsText(Encoding.ASCII.GetBytes(pathEnd < 0 ? raw : raw[..pathEnd]), plusIsSpace: false)) bad = "path";
        else if (http.Request.QueryString.Value is { Length: > 1 } query) bad = FindMalformed(Encoding.ASCII.GetBytes(query[1..]));
        if (bad is null && IsUrlEncodedForm(http.Request)) bad = await FindMalformedInFormAsync(http.Request);
        if (bad is null)
        {
            await next(http);
            return;
        }
        var where = bad == "path" ? "The address" : $"Parameter '{bad}'";
        var whereEs = bad == "path" ? "La dirección" : $"El parámetro '{bad}'";
        await ErrorFormat.WriteAsync(http, Problems.Create(400, $"{where} contains a NUL character or percent-escapes that are not UTF-8 text",
            $"{whereEs} contiene un carácter NUL o secuencias %XX que no son texto UTF-8", bad == "path" ? null : bad));
    });

    private static bool IsUrlEncodedForm(HttpRequest req) =>
        (HttpMethods.IsPost(req.Method) || HttpMethods.IsPut(req.Method) || HttpMethods.IsPatch(req.Method)) &&
        MediaTypeHeaderValue.TryParse(req.ContentType, out var type) && type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static async Task<string?> FindMalformedInFormAsync(HttpRequest req)
    {
        if (req.ContentLength is > MaxFormBytes) return null;
        req.EnableBuffering();
        // at most one byte past the limit: a chunked body of unknown length is not read whole here
        var size = (int)(req.ContentLength ?? MaxFormBytes) + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            int length = 0, read;
            while (length < size && (read = await req.Body.ReadAsync(buffer.AsMemory(length, size - length), req.HttpContext.RequestAborted)) > 0) length += read;
            req.Body.Position = 0;
            return length > MaxFormBytes ? null : FindMalformed(buffer.AsSpan(0, length));
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>The (readable) name of the first name=value pair that does not decode to clean text; null when all do.</summary>
    private static string? FindMalformed(ReadOnlySpan<byte> encoded)
    {
        foreach (var range in encoded.Split((byte)'&'))
        {
            var pair = encoded[range];
            if (IsText(pair, plusIsSpace: true)) continue;
            var eq = pair.IndexOf((byte)'=');
            var name = Uri.UnescapeDataString(Encoding.ASCII.GetString(eq < 0 ? pair : pair[..eq]).Replace('\0', ' '));
            return name.Length > 100 ? name[..100] : name;
        }
        return null;
    }

    /// <summary>Whether percent-decoding gives UTF-8 without NUL ('%' not followed by two hex digits stays as it is, as ASP.NET reads it).</summary>
    private static bool IsText(ReadOnlySpan<byte> encoded, bool plusIsSpace)
    {
        var decoded = new byte[encoded.Length];
        var n = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var b = encoded[i];
            if (b == '%' && i + 2 < encoded.Length && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]))
            {
                b = (byte)(HexValue(encoded[i + 1]) << 4 | HexValue(encoded[i + 2]));
                i += 2;
            }
            else if (b == '+' && plusIsSpace) b = (byte)' ';
            if (b == 0) return false;
            decoded[n++] = b;
        }
        return Utf8.IsValid(decoded.AsSpan(0, n));
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
