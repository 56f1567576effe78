using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Auth;

/// <summary>Endpoint metadata: a sign-in endpoint, guarded even without a session (login CSRF plants the attacker's session).</summary>
public sealed class SignInEndpoint;

/// <summary>
/// Refuses forged cross-site requests (CSRF). An unsafe request (POST, PUT, PATCH, DELETE) authenticated by the staff
/// cookie, and every request to a sign-in endpoint, must show that one of our pages sent it:
/// <list type="bullet">
/// <item>the header <c>X-Requested-With: OpenVeracruz</c> — another site's page cannot send a custom header without a
/// CORS preflight, which this platform never grants — or a valid anti-forgery token (the Hangfire dashboard's pages), and</item>
/// <item>an <c>Origin</c> (else <c>Referer</c>) that is the request's own origin or one of <c>Network:AllowedOrigins</c>
/// (the public origins in front of a reverse proxy).</item>
/// </list>
/// Callers with an API token are not cookie-bound and are not concerned. Refusals are 403 in the door's own format.
/// </summary>
public static class CrossSiteGuard
{
    public const string HeaderName = "X-Requested-With";
    public const string HeaderValue = "OpenVeracruz";
    public const string AllowedOriginsKey = "Network:AllowedOrigins";

    public static IApplicationBuilder UseCrossSiteGuard(this IApplicationBuilder app)
    {
        var allowed = ConfigList.Read(app.ApplicationServices.GetRequiredService<IConfiguration>(), AllowedOriginsKey)
            .Select(o => OriginOf(o) ?? throw new InvalidOperationException($"{AllowedOriginsKey}: '{o}' is not an origin such as https://datos.veracruz.gob.mx"))
            .ToHashSet();
        return app.Use(async (http, next) =>
        {
            if (Concerned(http) && await RefusalAsync(http, allowed) is (string detail, string detailEs))
            {
                await ErrorFormat.WriteAsync(http, Problems.Create(StatusCodes.Status403Forbidden, detail, detailEs));
                return;
            }
            await next(http);
        });
    }

    private static bool Concerned(HttpContext http)
    {
        var m = http.Request.Method;
        if (HttpMethods.IsGet(m) || HttpMethods.IsHead(m) || HttpMethods.IsOptions(m) || HttpMethods.IsTrace(m)) return false;
        return StaffSessions.ByCookie(http) || http.GetEndpoint()?.Metadata.GetMetadata<SignInEndpoint>() is not null;
    }

    private static async Task<(string, string)?> RefusalAsync(HttpContext http, HashSet<string> allowed)
    {
        var origin = http.Request.Headers.Origin;
        var from = origin.Count switch { 0 => OriginOf(http.Request.Headers.Referer.ToString()), 1 => OriginOf(origin[0]), _ => null };
        if (from is null || (from != OriginOf($"{http.Request.Scheme}://{http.Request.Host}") && !allowed.Contains(from)))
            return ("Cross-site request refused: the Origin (or Referer) is not this site's",
                "Solicitud de otro sitio rechazada: el origen (Origin o Referer) no es este sitio");
        if (http.Request.Headers[HeaderName] == HeaderValue || await ValidAntiforgeryAsync(http)) return null;
        return ($"Cross-site request refused: a request with a staff session must come from the platform's pages ({HeaderName}: {HeaderValue}); scripts use an API token",
            $"Solicitud rechazada: con sesión del personal debe venir de las páginas de la plataforma ({HeaderName}: {HeaderValue}); los programas usan un token de API");
    }

    /// <summary>The token a page rendered with the anti-forgery service (Hangfire's dashboard), sent in its header; the body is never read here.</summary>
    private static async Task<bool> ValidAntiforgeryAsync(HttpContext http)
    {
        if (http.RequestServices.GetService<IAntiforgery>() is not { } antiforgery) return false;
        var header = http.RequestServices.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.HeaderName;
        return header is not null && http.Request.Headers.ContainsKey(header) && await antiforgery.IsRequestValidAsync(http);
    }

    /// <summary>scheme://host[:port], lower case, default port left out; null for what is not an http(s) URL ("null" included).</summary>
    private static string? OriginOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? $"{u.Scheme}://{u.Authority}".ToLowerInvariant() : null;
}
