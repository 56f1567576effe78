using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Wifi;

public sealed record SiteKeyView(Guid Id, string Site, string Prefix, DateTime Created, string CreatedBy, DateTime? RevokedAt, string? RevokedBy);

/// <summary>The new key, shown once: only its hash is kept.</summary>
public sealed record SiteKeyIssued(Guid Id, string Site, string Prefix, string Key, DateTime Created);

/// <summary>Supervisors issue and revoke the keys the controllers of a site report with.</summary>
public static class SiteKeyEndpoints
{
    public static IEndpointRouteBuilder MapSiteKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/wifi").WithTags("Espacios WiFi / WiFi spaces");
        g.MapPost("/sites/{code}/keys", Issue).RequireAuthorization(Roles.Supervisor).WithName("IssueWifiSiteKey")
            .WithSummary("Emite una clave para los controladores del sitio (se muestra una vez) / Issue a site key, shown once");
        g.MapGet("/sites/{code}/keys", List).RequireAuthorization(Roles.Supervisor).WithName("ListWifiSiteKeys")
            .WithSummary("Claves del sitio (solo prefijo) / The site's keys, prefix only");
        g.MapDelete("/keys/{id:guid}", Revoke).RequireAuthorization(Roles.Supervisor).WithName("RevokeWifiSiteKey")
            .WithSummary("Revoca una clave: sus reportes se rechazan desde ese momento / Revoke a key");
        return app;
    }

    internal static async Task<WifiSite> FindSiteAsync(AppDbContext db, string code, CancellationToken ct) =>
        await db.WifiSites.FirstOrDefaultAsync(s => s.Code == code, ct)
        ?? throw new BadRequestException($"No WiFi site '{code}'", $"No existe el sitio WiFi '{code}'", "code", 404);

    private static async Task<Created<SiteKeyIssued>> Issue(string code, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var site = await FindSiteAsync(db, code, ct);
        var secret = WifiSiteKey.NewSecret();
        var key = new WifiSiteKey
        {
            Id = Guid.NewGuid(), SiteId = site.Id, Hash = WifiSiteKey.HashOf(secret), Prefix = secret[..12],
            Created = DateTime.UtcNow, CreatedBy = StaffClaims.Who(user),
        };
        db.WifiSiteKeys.Add(key);
        // watching starts with the first key: before it nobody could report, so silence means nothing
        site.MonitoredSince ??= key.Created;
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/wifi/sites/{site.Code}/keys", new SiteKeyIssued(key.Id, site.Code, key.Prefix, secret, key.Created));
    }

    private static async Task<Ok<List<SiteKeyView>>> List(string code, AppDbContext db, CancellationToken ct)
    {
        var site = await FindSiteAsync(db, code, ct);
        var keys = await db.WifiSiteKeys.AsNoTracking().Where(k => k.SiteId == site.Id).OrderBy(k => k.Created)
            .Select(k => new SiteKeyView(k.Id, site.Code, k.Prefix, k.Created, k.CreatedBy, k.RevokedAt, k.RevokedBy)).ToListAsync(ct);
        return TypedResults.Ok(keys);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (!await DeviceKeys.RevokeAsync(db.WifiSiteKeys, id, StaffClaims.Who(user), ct))
            return Problems.NotFound($"No site key {id}", $"No existe la clave de sitio {id}");
        return TypedResults.NoContent();
    }
}
