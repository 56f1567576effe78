using System.Net;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OpenVeracruz.Tests.Auth;

/// <summary>
/// Every endpoint that writes, or that needs an account to read, called as anonymous, viewer, editor, supervisor and
/// admin. The endpoints are discovered from the running application, so a new one without a row here fails the test.
/// </summary>
[Collection(nameof(StaffAccounts))]
public class AuthorizationMatrixTests(StaffAccounts f)
{
    private static readonly string[] Principals = ["anonymous", "viewer", "editor", "supervisor", "admin"];

    /// <summary>The least role each endpoint needs; "public" needs none. The CKAN actions have a matrix of their own.</summary>
    private static readonly Dictionary<string, string> Required = new()
    {
        ["POST /api/auth/login"] = "public",
        ["POST /api/auth/logout"] = "public",
        ["POST /api/auth/password-reset"] = "public",
        ["POST /api/auth/password-reset/confirm"] = "public",
        ["GET /api/auth/me"] = "viewer",
        ["GET /api/auth/tokens"] = "viewer",
        ["POST /api/auth/tokens"] = "viewer",
        ["DELETE /api/auth/tokens/{id:guid}"] = "viewer",
        ["GET /api/admin/users"] = "admin",
        ["POST /api/admin/users"] = "admin",
        ["PUT /api/admin/users/{id}/role"] = "admin",
        ["POST /api/cadastre/parcels/intersects"] = "public",
        ["GET /api/cadastre/parcels/{clave}/owner"] = "viewer",
        ["GET /api/cadastre/edits"] = "viewer",
        ["POST /api/cadastre/edits"] = "editor",
        ["POST /api/cadastre/edits/{id:long}/approve"] = "supervisor",
        ["POST /api/cadastre/edits/{id:long}/reject"] = "supervisor",
        ["POST /api/cadastre/valuation-zones"] = "supervisor",
        ["PUT /api/cadastre/valuation-zones/{code}"] = "supervisor",
        ["POST /api/cadastre/construction-types"] = "supervisor",
        ["PUT /api/cadastre/construction-types/{code}"] = "supervisor",
        ["POST /api/3/action/{action}"] = "ckan", // CkanWriteTests.Authorization_matrix_of_the_write_actions
    };

    private List<(string Method, string Pattern)> Discovered()
    {
        var found = new List<(string, string)>();
        foreach (var e in f.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            var needsAccount = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0;
            var pattern = "/" + e.RoutePattern.RawText!.Trim('/'); // a group's "" route ends in "/"
            foreach (var m in methods.Where(m => needsAccount || m is not ("GET" or "HEAD")))
                found.Add((m, pattern));
        }
        return found.Distinct().ToList();
    }

    private static string Url(string pattern) => pattern
        .Replace("{id:guid}", Guid.NewGuid().ToString())
        .Replace("{id:long}", "987654321")
        .Replace("{id}", "no-existe")
        .Replace("{code}", "ZZ-NOEXISTE")
        .Replace("{clave}", "001-0001-001");

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, string method, string pattern)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Url(pattern));
        if (method is not ("GET" or "DELETE")) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Every_protected_or_writing_endpoint_admits_exactly_the_roles_it_should()
    {
        var endpoints = Discovered();
        var missing = endpoints.Select(e => $"{e.Method} {e.Pattern}").Where(k => !Required.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "endpoints without a row in the matrix: " + string.Join(", ", missing));

        var clients = new Dictionary<string, HttpClient> { ["anonymous"] = f.NewClient(f.NextAddress()) };
        foreach (var role in Principals.Skip(1)) clients[role] = (await f.StaffAsync(role)).Session;

        var wrong = new List<string>();
        foreach (var (method, pattern) in endpoints.OrderBy(e => e.Pattern))
        {
            var need = Required[$"{method} {pattern}"];
            if (need == "ckan") continue;
            // public endpoints are called anonymously only: a signed-in logout would end the sessions used below
            foreach (var who in need == "public" ? ["anonymous"] : Principals)
            {
                var status = await CallAsync(clients[who], method, pattern);
                var allowed = need == "public" || Array.IndexOf(Principals, who) >= Array.IndexOf(Principals, need);
                var ok = (int)status < 500 && (allowed
                    ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    : status == (who == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden));
                if (!ok) wrong.Add($"{method} {pattern} as {who}: {(int)status}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
