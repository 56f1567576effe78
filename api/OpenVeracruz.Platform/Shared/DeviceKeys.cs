using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OpenVeracruz.Platform.Shared;

/// <summary>
/// Keys of devices (a WiFi controller, a payment kiosk) sent as <c>Authorization: Bearer &lt;scheme&gt;…</c>: each feature
/// stores only their hash and looks the device up by it, so a revoked key stops at once.
/// </summary>
public static class DeviceKeys
{
    /// <summary>A new key: the scheme and 192 random bits in hexadecimal (shown once; the feature keeps only its hash).</summary>
    public static string NewSecret(string scheme) => scheme + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

    /// <summary>The key in "Authorization: Bearer {scheme}…" (or bare), or null.</summary>
    public static string? KeyOf(HttpRequest req, string scheme)
    {
        var value = req.Headers.Authorization.ToString().Trim();
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) value = value[7..].Trim();
        return value.StartsWith(scheme, StringComparison.Ordinal) && value.Length < 100 ? value : null;
    }

    /// <summary>401 with the realm, in both languages: the key is missing, or unknown or revoked.</summary>
    public static ProblemHttpResult Unauthorized(HttpContext http, string realm, string scheme, string what, string whatEs, bool missing)
    {
        http.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{realm}\"";
        var p = missing
            ? Problems.Create(401, $"A {what} key is required: Authorization: Bearer {scheme}…", $"Se requiere la clave {whatEs}: Authorization: Bearer {scheme}…")
            : Problems.Create(401, $"Unknown or revoked {what} key", $"Clave {whatEs} desconocida o revocada");
        p.Title = "Unauthorized";
        p.Extensions["title_es"] = "No autorizado";
        return TypedResults.Problem(p);
    }
}
