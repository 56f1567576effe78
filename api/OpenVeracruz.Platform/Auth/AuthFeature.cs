using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Auth;

/// <summary>Staff accounts: Identity on PostgreSQL, cookie sign-in for the web, API tokens for scripts, one policy per role.</summary>
public static class AuthFeature
{
    /// <summary>The Data Protection application name every instance shares (isolates this platform's keys' purposes).</summary>
    public const string DataProtectionApplicationName = "OpenVeracruz";

    public static IServiceCollection AddStaffAccounts(this IServiceCollection s, IConfiguration config)
    {
        s.AddIdentityCore<StaffUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                // wrong passwords lock a pair of account and address (SignInLockout), never the account: Identity's
                // lockout stays only for an account locked on purpose (its LockoutEnd), which also stops its tokens
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        // one key ring for every instance, in the database (not the process user's home folder), under one application
        // name (not the content root, which differs between instances): cookies and antiforgery tokens of one instance are
        // valid on all
        s.AddDataProtection().SetApplicationName(DataProtectionApplicationName).PersistKeysToDbContext<AppDbContext>();
        s.AddAuthentication(o =>
            {
                o.DefaultScheme = "Staff";
                o.DefaultChallengeScheme = "Staff";
            })
            .AddPolicyScheme("Staff", "Cookie or API token", o => o.ForwardDefaultSelector = http =>
                ApiTokenHandler.TokenOf(http.Request.Headers.Authorization) is not null ? ApiTokenHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddIdentityCookies();
        s.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "ov_staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = StaffSessions.ValidateAsync;
            // an API answers 401/403, it does not redirect to a login page
            o.Events.OnRedirectToLogin = ctx => { ctx.Response.StatusCode = 401; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = 403; return Task.CompletedTask; };
        });
        s.AddAuthorization(o =>
        {
            foreach (var role in Roles.All)
                o.AddPolicy(role, p => p.RequireAuthenticatedUser().RequireRole(Roles.AtLeast(role)));
        });
        s.AddClientAddresses(config);
        s.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = 429;
            o.AddPolicy(AuthEndpoints.SignInLimiter, http => RateLimitPartition.GetFixedWindowLimiter(
                http.RequestServices.GetRequiredService<ClientAddresses>().KeyOf(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return s;
    }

    /// <summary>Who calls, whether a cookie caller's request is forged (CSRF), authorization and the sign-in rate limit, before any endpoint runs.</summary>
    public static IApplicationBuilder UseStaffAccounts(this IApplicationBuilder app) =>
        app.UseAuthentication().UseCrossSiteGuard().UseAuthorization().UseRateLimiter();

    public static IEndpointRouteBuilder MapStaffAccounts(this IEndpointRouteBuilder app) => app.MapAuthEndpoints();

    /// <summary>The roles, and on first start the first administrator from OPENVERACRUZ_ADMIN_EMAIL / _PASSWORD.</summary>
    public static async Task EnsureStaffSetupAsync(this IServiceProvider services, IConfiguration config, ILogger log)
    {
        await using var scope = services.CreateAsyncScope();
        await StaffSetup.EnsureAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(), scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>(),
            config[StaffSetup.AdminEmailVariable], config[StaffSetup.AdminPasswordVariable], log);
    }
}
