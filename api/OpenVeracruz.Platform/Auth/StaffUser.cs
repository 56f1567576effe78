using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace OpenVeracruz.Platform.Auth;

/// <summary>A municipal staff account.</summary>
public sealed class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
}

/// <summary>Staff roles, each including the rights of the ones before it.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Editor = "editor";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    public static readonly string[] All = [Viewer, Editor, Supervisor, Admin];

    /// <summary>The roles that hold at least the given one.</summary>
    public static string[] AtLeast(string role) => All[Array.IndexOf(All, role)..];
}

/// <summary>Who acted, as the platform writes it in its records: the account's name (e-mail), else its id.</summary>
public static class StaffClaims
{
    public static string Who(ClaimsPrincipal p) => p.FindFirstValue(ClaimTypes.Name) ?? p.FindFirstValue(ClaimTypes.NameIdentifier) ?? "?";
}

/// <summary>An API token for scripts. Only its SHA-256 is stored; the token itself is shown once.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    public required string Prefix { get; set; }
    public DateTime Created { get; set; }
    public DateTime? LastUsed { get; set; }
    public bool Revoked { get; set; }

    public static string NewSecret() => "ovk_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

    public static string HashOf(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}

/// <summary>
/// Sign-in attempts on one account from one client address (<see cref="Shared.ClientAddresses.KeyOf"/>) since its last
/// success: the lockout counts per pair, so a stranger elsewhere cannot lock the account's owner out.
/// </summary>
public sealed class SignInAttempt
{
    public required string UserId { get; set; }
    public required string Address { get; set; }
    public int Attempts { get; set; }
    public DateTime LastAttempt { get; set; }
}

/// <summary>A message waiting for the mail relay (password resets). Nothing leaves the machine by itself.</summary>
public sealed class OutboxEmail
{
    public long Id { get; set; }
    public required string To { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DateTime Created { get; set; }
    public DateTime? Sent { get; set; }
}
