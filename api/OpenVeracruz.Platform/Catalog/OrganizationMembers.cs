using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Catalog;

public sealed record MembershipChange(string Capacity);
public sealed record Membership(string Organization, string Title, string Capacity);

/// <summary>
/// Datasets belong to an organization and its members, as in CKAN. The rule: the role says what a staff account may do
/// (editor: create and change; supervisor: also delete), its memberships say where — the organizations in which its
/// capacity is editor or admin. A member (capacity "member") changes nothing there. Admins change every dataset, and only
/// admins add or remove members (CKAN's organization_member_create / _delete, or /api/admin/users/{id}/organizations).
/// A new account belongs to no organization until an admin adds it.
/// </summary>
public static class OrganizationMembers
{
    public static readonly string[] Capacities = ["member", "editor", "admin"];

    private static readonly string[] Writing = ["editor", "admin"];

    /// <summary>403 unless the caller may change datasets of the organization.</summary>
    public static async Task RequireAsync(CkanContext c, AppDbContext db, Guid organizationId, string action)
    {
        var user = c.Http.User;
        if (user.IsInRole(Roles.Admin)) return;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is not null && await db.OrganizationMembers.AnyAsync(m => m.OrganizationId == organizationId && m.UserId == id && Writing.Contains(m.Capacity), c.Ct))
            return;
        var name = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Name).FirstOrDefaultAsync(c.Ct);
        throw new CkanException(403, "Authorization Error",
            $"Access denied: {action} in organization '{name}' needs an editor or admin membership of it (ask an administrator to add you).");
    }

    public static void Register()
    {
        CkanApi.Register("organization_member_create", "Make a staff account a member of an organization, or change its capacity. Admins only. Parameters: id (organization), username (e-mail or account id), role (member, editor or admin).", MemberCreate);
        CkanApi.Register("organization_member_delete", "Remove a staff account from an organization. Admins only. Parameters: id (organization), username (e-mail or account id).", MemberDelete);
        CkanApi.RegisterRead("organization_list_for_user", "The organizations in which the caller may create datasets (all of them for admins). Staff only. Parameters: permission (manage_group, create_dataset, read; default manage_group).", ListForUser);
    }

    private static async Task<JsonNode?> MemberCreate(CkanContext c)
    {
        CkanWriteActions.Require(c, Roles.Admin, "organization_member_create");
        var capacity = c.Params.String("role") is { Length: > 0 } r ? r : "member";
        var (org, user) = await FindAsync(c, c.Service<AppDbContext>(), c.Service<UserManager<StaffUser>>());
        var m = await SetAsync(c.Service<AppDbContext>(), org, user, capacity, c.Ct)
            ?? throw CkanException.Validation("role", $"Role must be one of {string.Join(", ", Capacities)}");
        return new JsonObject
        {
            ["id"] = $"{org.Id}:{user.Id}", ["table_name"] = "user", ["table_id"] = user.Id, ["group_id"] = org.Id.ToString(),
            ["capacity"] = m.Capacity, ["state"] = "active",
        };
    }

    private static async Task<JsonNode?> MemberDelete(CkanContext c)
    {
        CkanWriteActions.Require(c, Roles.Admin, "organization_member_delete");
        var db = c.Service<AppDbContext>();
        var (org, user) = await FindAsync(c, db, c.Service<UserManager<StaffUser>>());
        await db.OrganizationMembers.Where(m => m.OrganizationId == org.Id && m.UserId == user.Id).ExecuteDeleteAsync(c.Ct);
        return null;
    }

    private static async Task<JsonNode?> ListForUser(CkanContext c)
    {
        CkanWriteActions.Require(c, Roles.Viewer, "organization_list_for_user");
        var db = c.Service<AppDbContext>();
        var id = c.Http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        // read: any membership; create_dataset and manage_group: where datasets may be changed
        var capacities = c.Params.String("permission") is "read" ? Capacities : Writing;
        var orgs = c.Http.User.IsInRole(Roles.Admin)
            ? await db.Organizations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(c.Ct)
            : await db.Organizations.AsNoTracking()
                .Where(o => db.OrganizationMembers.Any(m => m.OrganizationId == o.Id && m.UserId == id && capacities.Contains(m.Capacity)))
                .OrderBy(o => o.Name).ToListAsync(c.Ct);
        var counts = await db.Datasets.Where(d => d.State == "active" && !d.Private).GroupBy(d => d.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, c.Ct);
        return new JsonArray(orgs.Select(o => (JsonNode)CkanDictionaries.Organization(o, counts.GetValueOrDefault(o.Id))).ToArray());
    }

    private static async Task<(Organization, StaffUser)> FindAsync(CkanContext c, AppDbContext db, UserManager<StaffUser> users)
    {
        var key = c.Params.Required("id");
        Guid.TryParse(key, out var orgId);
        var org = await db.Organizations.FirstOrDefaultAsync(o => o.Name == key || o.Id == orgId, c.Ct) ?? throw CkanException.NotFound("Organization");
        var username = c.Params.Required("username");
        var user = await users.FindByIdAsync(username) ?? await users.FindByEmailAsync(username) ?? throw CkanException.NotFound("User");
        return (org, user);
    }

    /// <summary>Adds the membership or changes its capacity; null when the capacity is not one of CKAN's.</summary>
    private static async Task<OrganizationMember?> SetAsync(AppDbContext db, Organization org, StaffUser user, string capacity, CancellationToken ct)
    {
        if (!Capacities.Contains(capacity)) return null;
        // one statement: two admins adding the same member at once leave one row
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO catalog.organization_members (organization_id, user_id, capacity, created) VALUES ({org.Id}, {user.Id}, {capacity}, {DateTime.UtcNow})
            ON CONFLICT (organization_id, user_id) DO UPDATE SET capacity = EXCLUDED.capacity
            """, ct);
        return new OrganizationMember { OrganizationId = org.Id, UserId = user.Id, Capacity = capacity };
    }

    /// <summary>The same for administrators' pages and scripts: /api/admin/users/{id}/organizations.</summary>
    public static IEndpointRouteBuilder MapOrganizationMemberEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/admin/users/{id}/organizations").WithTags("Administración / Administration").RequireAuthorization(Roles.Admin);
        g.MapGet("", List).WithName("ListUserOrganizations").WithSummary("Organizaciones de una cuenta / An account's organizations");
        g.MapPut("/{organization}", Put).WithName("SetUserOrganization")
            .WithSummary("Agrega la cuenta a una organización o cambia su capacidad (member, editor, admin) / Add to an organization or change the capacity");
        g.MapDelete("/{organization}", Delete).WithName("RemoveUserOrganization").WithSummary("Quita la cuenta de una organización / Remove from an organization");
        return app;
    }

    private static ProblemHttpResult NotFound(string what, string whatEs) =>
        TypedResults.Problem(Problems.Create(404, $"No such {what}", $"No existe {whatEs}"));

    private static async Task<Results<Ok<List<Membership>>, ProblemHttpResult>> List(string id, AppDbContext db, UserManager<StaffUser> users)
    {
        if (await users.FindByIdAsync(id) is null) return NotFound("account", "la cuenta");
        return TypedResults.Ok(await (from m in db.OrganizationMembers
                                      join o in db.Organizations on m.OrganizationId equals o.Id
                                      where m.UserId == id
                                      orderby o.Name
                                      select new Membership(o.Name, o.Title, m.Capacity)).ToListAsync());
    }

    private static async Task<Results<Ok<Membership>, ProblemHttpResult>> Put(string id, string organization, MembershipChange body, AppDbContext db, UserManager<StaffUser> users)
    {
        if (!Capacities.Contains(body.Capacity ?? ""))
            return Problems.BadRequest($"capacity must be one of {string.Join(", ", Capacities)}", $"La capacidad debe ser una de {string.Join(", ", Capacities)}", "capacity");
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound("account", "la cuenta");
        var org = await db.Organizations.FirstOrDefaultAsync(o => o.Name == organization);
        if (org is null) return NotFound("organization", "la organización");
        try { await SetAsync(db, org, user, body.Capacity!, default); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation) { return NotFound("account", "la cuenta"); } // removed meanwhile
        return TypedResults.Ok(new Membership(org.Name, org.Title, body.Capacity!));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, string organization, AppDbContext db)
    {
        var n = await db.OrganizationMembers.Where(m => m.UserId == id && db.Organizations.Any(o => o.Id == m.OrganizationId && o.Name == organization)).ExecuteDeleteAsync();
        return n == 0 ? NotFound("membership", "la membresía") : TypedResults.NoContent();
    }
}
