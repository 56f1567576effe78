using System.Net;
using System.Text;
using System.Text.Json;
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
        ["GET /api/admin/users/{id}/organizations"] = "admin",
        ["PUT /api/admin/users/{id}/organizations/{organization}"] = "admin",
        ["DELETE /api/admin/users/{id}/organizations/{organization}"] = "admin",
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
        // Cero Filas: the citizen's writes are public (a hold key or the manage link's token, rate limited per address)
        ["POST /api/appointments/holds"] = "public",
        ["DELETE /api/appointments/holds/{key}"] = "public",
        ["POST /api/appointments/holds/{key}/confirm"] = "public",
        ["POST /api/appointments/{folio}/cancel"] = "public",
        ["POST /api/appointments/{folio}/reschedule"] = "public",
        // Cero Filas at the office: any staff account, and then only at the offices it is assigned to (TurnTests)
        ["GET /api/turns/mine"] = "viewer",
        ["POST /api/turns/checkin"] = "viewer",
        ["POST /api/turns/tickets"] = "viewer",
        ["GET /api/turns/queue"] = "viewer",
        ["POST /api/turns/desk"] = "viewer",
        ["DELETE /api/turns/desk"] = "viewer",
        ["POST /api/turns/next"] = "viewer",
        ["POST /api/turns/{id:long}/recall"] = "viewer",
        ["POST /api/turns/{id:long}/park"] = "viewer",
        ["POST /api/turns/{id:long}/resume"] = "viewer",
        ["POST /api/turns/{id:long}/start"] = "viewer",
        ["POST /api/turns/{id:long}/transfer"] = "viewer",
        ["POST /api/turns/{id:long}/finish"] = "viewer",
        ["POST /api/turns/{id:long}/no-show"] = "viewer",
        ["PUT /api/appointments/admin/staff/{id}/offices"] = "admin",
        // Cero Filas' back office: supervisors maintain offices, services and capacity (AdminTests); reports for any staff
        ["GET /api/appointments/admin/offices"] = "supervisor",
        ["POST /api/appointments/admin/offices"] = "supervisor",
        ["PUT /api/appointments/admin/offices/{code}"] = "supervisor",
        ["DELETE /api/appointments/admin/offices/{code}"] = "supervisor",
        ["GET /api/appointments/admin/services"] = "supervisor",
        ["POST /api/appointments/admin/services"] = "supervisor",
        ["PUT /api/appointments/admin/services/{id:int}"] = "supervisor",
        ["DELETE /api/appointments/admin/services/{id:int}"] = "supervisor",
        ["GET /api/appointments/admin/services/{id:int}/schedules"] = "supervisor",
        ["PUT /api/appointments/admin/services/{id:int}/schedules"] = "supervisor",
        ["GET /api/appointments/admin/services/{id:int}/absences"] = "supervisor",
        ["POST /api/appointments/admin/services/{id:int}/absences"] = "supervisor",
        ["DELETE /api/appointments/admin/absences/{id:int}"] = "supervisor",
        ["GET /api/appointments/admin/offices/{code}/closures"] = "supervisor",
        ["POST /api/appointments/admin/offices/{code}/closures"] = "supervisor",
        ["DELETE /api/appointments/admin/closures/{id:int}"] = "supervisor",
        ["POST /api/appointments/admin/holidays"] = "supervisor",
        ["PUT /api/appointments/admin/holidays/{day}"] = "supervisor",
        ["DELETE /api/appointments/admin/holidays/{day}"] = "supervisor",
        ["GET /api/appointments/admin/changes"] = "supervisor",
        ["GET /api/appointments/admin/outbox"] = "supervisor", // citizens' e-mail addresses: not for kiosk (viewer) accounts
        ["POST /api/appointments/admin/daily-stats"] = "supervisor",
        ["GET /api/appointments/reports"] = "viewer",
        ["GET /api/appointments/reports.csv"] = "viewer",
        ["POST /api/surveys/{key}"] = "public", // the survey key given at the end of the visit, one answer per visit
        ["POST /api/3/action/{action}"] = "ckan", // CkanWriteTests.Authorization_matrix_of_the_write_actions
        ["POST /api/action/{action}"] = "ckan", // the same actions at CKAN's unversioned address (CkanClientTests)
        // "device": a site's controller key (Authorization: Bearer ovw_…), which no staff account carries
        ["POST /api/wifi/reports"] = "device",
        ["POST /api/wifi/heartbeat"] = "device",
        ["POST /api/wifi/sites/{code}/keys"] = "supervisor",
        ["GET /api/wifi/sites/{code}/keys"] = "supervisor",
        ["DELETE /api/wifi/keys/{id:guid}"] = "supervisor",
        ["POST /api/wifi/sites/{code}/faults"] = "viewer",
        // IT maintenance: any staff reports and sees what it reported; technicians (editor) take and move theirs; supervisors assign and see all
        ["POST /api/maintenance/tickets"] = "viewer",
        ["GET /api/maintenance/tickets"] = "viewer",
        ["GET /api/maintenance/tickets/{id:long}"] = "viewer",
        ["POST /api/maintenance/tickets/{id:long}/assign"] = "supervisor",
        ["POST /api/maintenance/tickets/{id:long}/take"] = "editor",
        ["POST /api/maintenance/tickets/{id:long}/start"] = "editor",
        ["POST /api/maintenance/tickets/{id:long}/resolve"] = "editor",
        ["POST /api/maintenance/tickets/{id:long}/close"] = "viewer",
        ["POST /api/maintenance/tickets/{id:long}/reopen"] = "viewer",
        ["POST /api/maintenance/tickets/{id:long}/comments"] = "viewer",
        ["POST /api/maintenance/tickets/{id:long}/attachments"] = "viewer",
        ["GET /api/maintenance/tickets/{id:long}/attachments/{attachmentId:long}"] = "viewer",
        ["GET /api/maintenance/board"] = "supervisor",
        ["GET /api/maintenance/buildings/{code}/equipment"] = "viewer",
        ["POST /api/maintenance/equipment/import"] = "supervisor",
        ["POST /api/maintenance/plans"] = "supervisor",
        ["GET /api/maintenance/plans"] = "viewer",
        ["GET /api/maintenance/reports/monthly"] = "supervisor",
        // Multipagos: orders and online payments are the citizen's (public); a kiosk pays with its key and the gateway's
        // webhook with its signature ("device": no staff account carries either); supervisors set parameters, keys, bank files
        ["POST /api/payments/orders"] = "public",
        ["POST /api/payments/online/intents"] = "public",
        ["POST /api/payments/gateway/intents/{id}/confirm"] = "public",
        ["POST /api/payments/online/webhook"] = "device",
        ["POST /api/payments/kiosk/pay"] = "device",
        ["POST /api/payments/kiosk/heartbeat"] = "device",
        ["POST /api/payments/kiosk/fault"] = "device", // opens the kiosk's maintenance ticket: only the kiosk's own key
        ["PUT /api/payments/predial/parameters/{year:int}"] = "supervisor",
        ["POST /api/payments/predial/{clave}/discounts"] = "supervisor",
        ["POST /api/payments/kiosks/{code}/keys"] = "supervisor",
        ["GET /api/payments/kiosks/{code}/keys"] = "supervisor",
        ["DELETE /api/payments/kiosk-keys/{id:guid}"] = "supervisor",
        ["POST /api/payments/bank/files"] = "supervisor",
        ["POST /api/payments/receipts"] = "public", // whoever holds a paid reference gets its receipt (no personal data in it)
        ["POST /api/payments/receipts/{folio}/cancel"] = "supervisor",
        ["POST /api/payments/reconciliation/run"] = "supervisor",
        ["GET /api/payments/reconciliation"] = "supervisor",
        ["POST /api/payments/reconciliation/items/{id:long}/resolve"] = "supervisor",
        ["GET /api/payments/refunds"] = "supervisor",
        // the staff pages' reads (/pagos/personal/): any staff account; payments hold no personal data, cancelling stays a supervisor's
        ["GET /api/payments/search"] = "viewer",
        ["GET /api/payments/reports/daily"] = "viewer",
        ["GET /api/payments/reports/daily.csv"] = "viewer",
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
        .Replace("{action}", "package_create")
        .Replace("{id:guid}", Guid.NewGuid().ToString())
        .Replace("{id:long}", "987654321")
        .Replace("{id:int}", "987654321")
        .Replace("{day}", "2031-01-02")
        .Replace("{attachmentId:long}", "987654321")
        .Replace("{organization}", "no-existe")
        .Replace("{id}", "no-existe")
        .Replace("{code}", "ZZ-NOEXISTE")
        .Replace("{clave}", "001-0001-001")
        .Replace("{year:int}", "2031")
        .Replace("{folio}", "RO-2026-99999999");

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
                var ok = need == "device" ? status == HttpStatusCode.Unauthorized : (int)status < 500 && (allowed
                    ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    : status == (who == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden));
                if (!ok) wrong.Add($"{method} {pattern} as {who}: {(int)status}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>How a page of another site (or a stale one) would send a request; none of them carries our pages' proof.</summary>
    private static (string Name, string? Origin, string? Referer, bool Header)[] Forgeries(string own) =>
    [
        ("without X-Requested-With", own, null, false),
        ("from another Origin", "http://evil.example", null, true),
        ("from a look-alike Origin", own.Replace("127.0.0.1", "127.0.0.1.evil.example"), null, true),
        ("from another port", own[..own.LastIndexOf(':')] + ":1", null, true),
        ("with Origin null", "null", null, true),
        ("from another Referer", null, "http://evil.example/pagina.html", true),
        ("without Origin or Referer", null, null, true),
    ];

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string pattern, string? cookie, string? origin, string? referer, bool header)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Url(pattern));
        if (method != "DELETE") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (referer is not null) request.Headers.Add("Referer", referer);
        if (header) request.Headers.Add("X-Requested-With", "OpenVeracruz");
        return await client.SendAsync(request);
    }

    /// <summary>
    /// Every writing endpoint, called with an admin's cookie (who passes every role check) as another site's page would,
    /// is refused with 403 in its door's format before it runs; the sign-in endpoints so too without a session (login
    /// CSRF). With our pages' header and Origin — or, without an Origin, our Referer — the same call gets through.
    /// </summary>
    [Fact]
    public async Task Every_writing_endpoint_refuses_a_cross_site_request_made_with_the_staff_cookie()
    {
        var (email, _, _) = await f.StaffAsync("admin");
        var cookie = await f.SignInCookieAsync(email, PlatformFixture.StaffPassword);
        var own = f.BaseUri.GetLeftPart(UriPartial.Authority);
        using var client = f.BareClient(f.NextAddress());
        var signIn = new[] { "/api/auth/login", "/api/auth/password-reset", "/api/auth/password-reset/confirm" };
        var writing = Discovered().Where(e => e.Method is not ("GET" or "HEAD")).OrderBy(e => e.Pattern == "/api/auth/logout").ThenBy(e => e.Pattern).ToList();
        Assert.Contains(("POST", "/api/3/action/{action}"), writing);
        var wrong = new List<string>();
        foreach (var (method, pattern) in writing)
        {
            foreach (var (name, origin, referer, header) in Forgeries(own))
                foreach (var withCookie in signIn.Contains(pattern) ? [true, false] : new[] { true })
                {
                    using var response = await SendAsync(client, method, pattern, withCookie ? cookie : null, origin, referer, header);
                    var refused = response.StatusCode == HttpStatusCode.Forbidden && await RefusalAsync(response, pattern);
                    if (!refused) wrong.Add($"{method} {pattern} {name}{(withCookie ? "" : " (no session)")}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            foreach (var (origin, referer) in new[] { ((string?)own, (string?)null), (null, own + "/editor/") })
            {
                using var response = await SendAsync(client, method, pattern, cookie, origin, referer, header: true);
                if (response.StatusCode == HttpStatusCode.Forbidden || (int)response.StatusCode >= 500)
                    wrong.Add($"{method} {pattern} from our page ({origin ?? referer}): {(int)response.StatusCode}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>A 403 problem with detail and detail_es, or on the CKAN door its envelope with an Authorization Error.</summary>
    private static async Task<bool> RefusalAsync(HttpResponseMessage response, string pattern)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var body = doc.RootElement;
        if (pattern.StartsWith("/api/3/action/", StringComparison.Ordinal) || pattern.StartsWith("/api/action/", StringComparison.Ordinal))
            return !body.GetProperty("success").GetBoolean() && body.GetProperty("error").GetProperty("__type").GetString() == "Authorization Error"
                && body.GetProperty("error").GetProperty("message_es").GetString() is { Length: > 0 };
        return response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            && body.GetProperty("detail").GetString() is { Length: > 0 } && body.GetProperty("detail_es").GetString() is { Length: > 0 };
    }
}
