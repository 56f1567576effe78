using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Auth;

public sealed record LoginRequest(string Email, string Password);
public sealed record Me(string Id, string Email, string DisplayName, string[] Roles);
public sealed record TokenRequest(string Name);
public sealed record NewToken(Guid Id, string Name, string Token, string Note);
public sealed record TokenInfo(Guid Id, string Name, string Prefix, DateTime Created, DateTime? LastUsed, bool Revoked);
public sealed record ResetRequest(string Email);
public sealed record ResetConfirm(string Email, string Token, string NewPassword);
public sealed record NewUser(string Email, string DisplayName, string Role, string Password);
public sealed record RoleChange(string Role);
public sealed record UserInfo(string Id, string Email, string DisplayName, string[] Roles, bool LockedOut);

public static class AuthEndpoints
{
    public const string SignInLimiter = "signin";

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/auth").WithTags("Cuentas del personal / Staff accounts");
        g.MapPost("/login", Login).RequireRateLimiting(SignInLimiter).WithMetadata(new SignInEndpoint()).WithName("Login")
            .WithSummary("Inicia sesión (cookie) / Sign in with a cookie; rate limited, 5 failures lock this account from this address");
        g.MapPost("/logout", Logout).WithName("Logout").WithSummary("Cierra las sesiones de la cuenta / Sign out: ends every session of the account");
        g.MapGet("/me", MeAsync).RequireAuthorization(Roles.Viewer).WithName("Me").WithSummary("La cuenta con sesión / The signed-in account");
        g.MapGet("/tokens", ListTokens).RequireAuthorization(Roles.Viewer).WithName("ListTokens").WithSummary("Tokens de API propios / Own API tokens");
        g.MapPost("/tokens", CreateToken).RequireAuthorization(Roles.Viewer).WithName("CreateToken")
            .WithSummary("Crea un token de API (se muestra una sola vez) / Create an API token, shown once");
        g.MapDelete("/tokens/{id:guid}", RevokeToken).RequireAuthorization(Roles.Viewer).WithName("RevokeToken").WithSummary("Revoca un token / Revoke a token");
        g.MapPost("/password-reset", RequestReset).RequireRateLimiting(SignInLimiter).WithMetadata(new SignInEndpoint()).WithName("RequestPasswordReset")
            .WithSummary("Solicita restablecer la contraseña; la respuesta no revela si la cuenta existe / Request a reset");
        g.MapPost("/password-reset/confirm", ConfirmReset).RequireRateLimiting(SignInLimiter).WithMetadata(new SignInEndpoint()).WithName("ConfirmPasswordReset")
            .WithSummary("Fija la nueva contraseña con el código recibido / Set a new password with the code");

        var admin = app.MapGroup("/api/admin/users").WithTags("Administración / Administration").RequireAuthorization(Roles.Admin);
        admin.MapGet("", ListUsers).WithName("ListUsers").WithSummary("Cuentas del personal / Staff accounts");
        admin.MapPost("", CreateUser).WithName("CreateUser").WithSummary("Crea una cuenta con un rol / Create an account with a role");
        admin.MapPut("/{id}/role", ChangeRole).WithName("ChangeUserRole").WithSummary("Cambia el rol de una cuenta / Change an account's role");
        return app;
    }

    private static ProblemHttpResult Unauthorized() => TypedResults.Problem(Problems.Create(401,
        $"Wrong e-mail or password, or too many attempts from this address (wait {SignInLockout.LockFor.TotalMinutes:0} minutes)",
        $"Correo o contraseña incorrectos, o demasiados intentos desde esta dirección (espere {SignInLockout.LockFor.TotalMinutes:0} minutos)"));

    /// <summary>A hash to check a password against when there is nothing to check: the answer takes as long as a real check.</summary>
    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<StaffUser>().HashPassword(new StaffUser(), Guid.NewGuid().ToString()));

    private static async Task<Results<Ok<Me>, ProblemHttpResult>> Login(LoginRequest body, HttpContext http, SignInManager<StaffUser> signIn,
        UserManager<StaffUser> users, ClientAddresses addresses, AppDbContext db)
    {
        if (string.IsNullOrWhiteSpace(body.Email) || string.IsNullOrEmpty(body.Password))
            return TypedResults.Problem(Problems.Create(400, "'email' and 'password' are required", "Faltan el correo ('email') y la contraseña ('password')", "body"));
        var user = await users.FindByEmailAsync(body.Email);
        var address = addresses.KeyOf(http);
        if (user is null || !await SignInLockout.TryAttemptAsync(db, user.Id, address, http.RequestAborted))
        {
            // the answer and its time as for a wrong password: a guesser learns neither that the account exists nor that this address is locked out of it
            users.PasswordHasher.VerifyHashedPassword(user ?? new StaffUser(), DecoyHash.Value, body.Password);
            return Unauthorized();
        }
        var result = await signIn.CheckPasswordSignInAsync(user, body.Password, lockoutOnFailure: false);
        if (!result.Succeeded) return Unauthorized();
        await SignInLockout.SucceededAsync(db, user.Id, address, http.RequestAborted);
        await signIn.SignInAsync(user, isPersistent: false);
        return TypedResults.Ok(new Me(user.Id, user.Email!, user.DisplayName, [.. await users.GetRolesAsync(user)]));
    }

    /// <summary>A copy of the cookie must not outlive the sign-out: a new security stamp ends every session of the account.</summary>
    private static async Task<NoContent> Logout(HttpContext http, SignInManager<StaffUser> signIn, AppDbContext db)
    {
        if (StaffSessions.ByCookie(http)) await StaffSessions.RevokeAllAsync(db, UserId(http.User));
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    private static string UserId(ClaimsPrincipal p) => p.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private static async Task<Results<Ok<Me>, NotFound>> MeAsync(ClaimsPrincipal principal, UserManager<StaffUser> users)
    {
        var user = await users.FindByIdAsync(UserId(principal));
        return user is null ? TypedResults.NotFound() : TypedResults.Ok(new Me(user.Id, user.Email!, user.DisplayName, [.. await users.GetRolesAsync(user)]));
    }

    private static async Task<Ok<List<TokenInfo>>> ListTokens(ClaimsPrincipal principal, AppDbContext db)
    {
        var id = UserId(principal);
        return TypedResults.Ok(await db.ApiTokens.Where(t => t.UserId == id).OrderByDescending(t => t.Created)
            .Select(t => new TokenInfo(t.Id, t.Name, t.Prefix, t.Created, t.LastUsed, t.Revoked)).ToListAsync());
    }

    private static async Task<Results<Created<NewToken>, ProblemHttpResult>> CreateToken(TokenRequest body, ClaimsPrincipal principal, AppDbContext db)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100)
            return Problems.BadRequest("A token needs a name of 1 to 100 characters", "El token necesita un nombre de 1 a 100 caracteres", "name");
        var secret = ApiToken.NewSecret();
        var token = new ApiToken { Id = Guid.NewGuid(), UserId = UserId(principal), Name = body.Name.Trim(), Hash = ApiToken.HashOf(secret), Prefix = secret[..10], Created = DateTime.UtcNow };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/auth/tokens/{token.Id}", new NewToken(token.Id, token.Name, secret,
            "Guárdelo ahora: no se volverá a mostrar. / Keep it now: it is not shown again."));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeToken(Guid id, ClaimsPrincipal principal, AppDbContext db)
    {
        var user = UserId(principal);
        var n = await db.ApiTokens.Where(t => t.Id == id && t.UserId == user).ExecuteUpdateAsync(s => s.SetProperty(t => t.Revoked, true));
        return n == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    /// <summary>Same answer whether or not the account exists; the code goes to the mail outbox.</summary>
    private static async Task<Accepted<object>> RequestReset(ResetRequest body, UserManager<StaffUser> users, AppDbContext db)
    {
        var user = await users.FindByEmailAsync(body.Email ?? "");
        if (user is not null)
        {
            var code = await users.GeneratePasswordResetTokenAsync(user);
            db.OutboxEmails.Add(new OutboxEmail
            {
                To = user.Email!, Created = DateTime.UtcNow,
                Subject = "OpenVeracruz: restablecer contraseña",
                Body = $"Para fijar una nueva contraseña use este código en /api/auth/password-reset/confirm:\n\n{code}\n\nSi usted no lo pidió, ignore este mensaje.",
            });
            await db.SaveChangesAsync();
        }
        return TypedResults.Accepted((string?)null, (object)new
        {
            message = "If the account exists, a reset code has been sent to its e-mail.",
            message_es = "Si la cuenta existe, se envió un código a su correo.",
        });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ConfirmReset(ResetConfirm body, UserManager<StaffUser> users)
    {
        var user = await users.FindByEmailAsync(body.Email ?? "");
        var result = user is null ? IdentityResult.Failed() : await users.ResetPasswordAsync(user, body.Token ?? "", body.NewPassword ?? "");
        if (result.Succeeded) return TypedResults.NoContent();
        var reasons = string.Join("; ", result.Errors.Select(e => e.Description));
        return Problems.BadRequest($"The code is not valid for this account, or the password is too weak. {reasons}".Trim(),
            "El código no es válido para esta cuenta o la contraseña es débil (mínimo 12 caracteres).", "token");
    }

    private static async Task<Ok<List<UserInfo>>> ListUsers(UserManager<StaffUser> users)
    {
        var list = new List<UserInfo>();
        foreach (var u in await users.Users.OrderBy(u => u.Email).ToListAsync())
            list.Add(new UserInfo(u.Id, u.Email!, u.DisplayName, [.. await users.GetRolesAsync(u)], await users.IsLockedOutAsync(u)));
        return TypedResults.Ok(list);
    }

    private static async Task<Results<Created<UserInfo>, ProblemHttpResult>> CreateUser(NewUser body, UserManager<StaffUser> users)
    {
        if (!Roles.All.Contains(body.Role))
            return Problems.BadRequest($"Role must be one of {string.Join(", ", Roles.All)}", $"El rol debe ser uno de {string.Join(", ", Roles.All)}", "role");
        var user = new StaffUser { UserName = body.Email, Email = body.Email, DisplayName = body.DisplayName ?? "", EmailConfirmed = true };
        var created = await users.CreateAsync(user, body.Password ?? "");
        if (!created.Succeeded)
        {
            var conflict = created.Errors.Any(e => e.Code is "DuplicateUserName" or "DuplicateEmail");
            return TypedResults.Problem(Problems.Create(conflict ? 409 : 400, string.Join("; ", created.Errors.Select(e => e.Description)),
                conflict ? "Ya existe una cuenta con ese correo." : "Datos de la cuenta inválidos (correo válido y contraseña de al menos 12 caracteres).", "email"));
        }
        await users.AddToRoleAsync(user, body.Role);
        return TypedResults.Created($"/api/admin/users/{user.Id}", new UserInfo(user.Id, user.Email!, user.DisplayName, [body.Role], false));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> ChangeRole(string id, RoleChange body, UserManager<StaffUser> users, ClaimsPrincipal principal, AppDbContext db)
    {
        if (!Roles.All.Contains(body.Role))
            return Problems.BadRequest($"Role must be one of {string.Join(", ", Roles.All)}", $"El rol debe ser uno de {string.Join(", ", Roles.All)}", "role");
        var user = await users.FindByIdAsync(id);
        if (user is null) return TypedResults.NotFound();
        if (user.Id == UserId(principal) && body.Role != Roles.Admin)
            return TypedResults.Problem(Problems.Create(409, "An administrator cannot remove their own admin role", "Un administrador no puede quitarse a sí mismo el rol de administrador"));
        await users.RemoveFromRolesAsync(user, await users.GetRolesAsync(user));
        await users.AddToRoleAsync(user, body.Role);
        // the account's sessions carry its old roles: they end, and it signs in again with the new one
        await StaffSessions.RevokeAllAsync(db, user.Id);
        return TypedResults.NoContent();
    }
}
