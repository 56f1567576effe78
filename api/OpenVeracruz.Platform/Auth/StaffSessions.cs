using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Auth;

/// <summary>
/// Cookie sessions end on the server. The cookie carries the account's security stamp; every request compares it with
/// the stored one (one read of one column by primary key), and sign-out, a password change or reset and a role change
/// give the account a new stamp, so every cookie issued before — a copy included — stops working at once.
/// </summary>
public static class StaffSessions
{
    /// <summary>Whether the caller is authenticated by the staff cookie (not by an API token in the Authorization header).</summary>
    public static bool ByCookie(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && ApiTokenHandler.TokenOf(http.Request.Headers.Authorization) is null;

    /// <summary>The cookie's OnValidatePrincipal: refuses a cookie whose stamp is no longer the account's.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var claims = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var id = context.Principal?.FindFirstValue(claims.UserIdClaimType);
        var stamp = context.Principal?.FindFirstValue(claims.SecurityStampClaimType);
        var current = id is null ? null : await services.GetRequiredService<AppDbContext>().Users
            .Where(u => u.Id == id).Select(u => u.SecurityStamp).FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        if (stamp is not null && stamp == current) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }

    /// <summary>
    /// Ends every cookie session of the account. A new concurrency stamp as well, so that an update of the account read
    /// before this one fails instead of writing the old security stamp back.
    /// </summary>
    public static Task RevokeAllAsync(AppDbContext db, string userId)
    {
        var stamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        var concurrency = Guid.NewGuid().ToString();
        return db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.SecurityStamp, stamp).SetProperty(u => u.ConcurrencyStamp, concurrency));
    }
}
