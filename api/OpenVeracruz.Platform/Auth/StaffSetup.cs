using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;

namespace OpenVeracruz.Platform.Auth;

/// <summary>Creates the roles and, on first start, the first administrator from the environment. No default password exists.</summary>
public static class StaffSetup
{
    public const string AdminEmailVariable = "OPENVERACRUZ_ADMIN_EMAIL";
    public const string AdminPasswordVariable = "OPENVERACRUZ_ADMIN_PASSWORD";

    public static async Task EnsureAsync(RoleManager<IdentityRole> roles, UserManager<StaffUser> users, string? email, string? password, ILogger log)
    {
        foreach (var r in Roles.All)
            if (!await roles.RoleExistsAsync(r)) await roles.CreateAsync(new IdentityRole(r));
        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0) return;
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            log.LogWarning("No administrator yet: set {Email} and {Password} and restart to create the first one", AdminEmailVariable, AdminPasswordVariable);
            return;
        }
        var admin = new StaffUser { UserName = email, Email = email, DisplayName = "Administración", EmailConfirmed = true };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
            throw new InvalidOperationException($"The first administrator could not be created: {string.Join("; ", created.Errors.Select(e => e.Description))}");
        await users.AddToRoleAsync(admin, Roles.Admin);
        log.LogInformation("Created the first administrator {Email}", email);
    }
}
