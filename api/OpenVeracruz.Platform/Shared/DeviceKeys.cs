using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

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

    /// <summary>The columns every device key table has (the device's own column and its foreign key are the feature's).</summary>
    public static void MapKeyColumns<T>(EntityTypeBuilder<T> b) where T : DeviceKey
    {
        b.HasKey(k => k.Id);
        b.Property(k => k.Id).HasColumnName("id");
        b.Property(k => k.Hash).HasColumnName("hash").HasMaxLength(64);
        b.HasIndex(k => k.Hash).IsUnique();
        b.Property(k => k.Prefix).HasColumnName("prefix").HasMaxLength(12);
        b.Property(k => k.Created).HasColumnName("created");
        b.Property(k => k.CreatedBy).HasColumnName("created_by");
        b.Property(k => k.RevokedAt).HasColumnName("revoked_at");
        b.Property(k => k.RevokedBy).HasColumnName("revoked_by");
    }

    /// <summary>Revokes a key (revoking twice keeps the first revocation's who and when); false when there is no such key.</summary>
    public static async Task<bool> RevokeAsync<T>(IQueryable<T> keys, Guid id, string who, CancellationToken ct) where T : DeviceKey
    {
        var now = DateTime.UtcNow;
        var changed = await keys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now).SetProperty(k => k.RevokedBy, who), ct);
        return changed > 0 || await keys.AnyAsync(k => k.Id == id, ct);
    }
}

/// <summary>A device's key. Only the SHA-256 of the key is stored; the key is shown once.</summary>
public abstract class DeviceKey
{
    public Guid Id { get; set; }
    public required string Hash { get; set; }
    public required string Prefix { get; set; }
    public DateTime Created { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
}
