using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Auth;

/// <summary>
/// Authenticates scripts by API token: "Authorization: Bearer ovk_…" or, as CKAN clients send it, "Authorization: ovk_…".
/// </summary>
public sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AppDbContext db, UserManager<StaffUser> users) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    public static string? TokenOf(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        var value = header.Trim();
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) value = value[7..].Trim();
        return value.StartsWith("ovk_", StringComparison.Ordinal) ? value : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = TokenOf(Request.Headers.Authorization);
        if (secret is null) return AuthenticateResult.NoResult();
        var hash = ApiToken.HashOf(secret);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Hash == hash && !t.Revoked, Context.RequestAborted);
        if (token is null) return AuthenticateResult.Fail("unknown or revoked API token");
        var user = await users.FindByIdAsync(token.UserId);
        if (user is null || await users.IsLockedOutAsync(user)) return AuthenticateResult.Fail("account unavailable");
        // last use to the minute: not one write per API call
        var now = DateTime.UtcNow;
        if (token.LastUsed is null || now - token.LastUsed > TimeSpan.FromMinutes(1))
            await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsed, now), Context.RequestAborted);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user.Id), new(ClaimTypes.Name, user.Email ?? user.Id) };
        claims.AddRange((await users.GetRolesAsync(user)).Select(r => new Claim(ClaimTypes.Role, r)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
