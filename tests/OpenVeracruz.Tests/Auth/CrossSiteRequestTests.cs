using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenVeracruz.Tests.Auth;

/// <summary>
/// The forged requests of the issue, sent with a real staff cookie as another site's page would: each is refused and
/// the database shows that nothing changed; the same request from our pages goes through. Scripts with an API token are
/// not cookie-bound and keep working without any of it.
/// </summary>
[Collection(nameof(StaffAccounts))]
public class CrossSiteRequestTests(StaffAccounts f)
{
    private const string Evil = "http://evil.example";

    private static StringContent Json(object o) => new(JsonSerializer.Serialize(o), Encoding.UTF8, "application/json");

    private async Task<long> DatasetsNamedAsync(string name) =>
        await f.ScalarAsync<long>("SELECT count(*) FROM catalog.datasets WHERE name = @n", ("n", name));

    /// <summary>A request with the cookie and only the headers given (a forger's page sends what its browser adds).</summary>
    private static HttpRequestMessage Forged(HttpMethod method, string url, string cookie, string? origin, bool header = false, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Add("Cookie", cookie);
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (header) request.Headers.Add("X-Requested-With", "OpenVeracruz");
        return request;
    }

    private static async Task<JsonElement> CkanErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        var error = doc.RootElement.GetProperty("error").Clone();
        Assert.Equal(type, error.GetProperty("__type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message_es").GetString()));
        return error;
    }

    [Fact]
    public async Task Forged_ckan_writes_with_an_editors_cookie_are_refused_and_create_nothing()
    {
        var prefix = "prueba-csrf-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (email, token, _) = await f.StaffAsync("editor");
            var cookie = await f.SignInCookieAsync(email, PlatformFixture.StaffPassword);
            var forger = f.BareClient();
            var fields = new Dictionary<string, string> { ["name"] = prefix, ["title"] = "Falsificado", ["owner_org"] = "direccion-modernizacion" };

            // an HTML form of another site: form-encoded, no custom header, its own Origin
            await CkanErrorAsync(await forger.SendAsync(Forged(HttpMethod.Post, "/api/3/action/package_create", cookie, Evil, content: new FormUrlEncodedContent(fields))),
                HttpStatusCode.Forbidden, "Authorization Error");
            // a page that could add the header (it cannot without a CORS preflight) still shows its Origin
            await CkanErrorAsync(await forger.SendAsync(Forged(HttpMethod.Post, "/api/3/action/package_create", cookie, Evil, header: true, content: new FormUrlEncodedContent(fields))),
                HttpStatusCode.Forbidden, "Authorization Error");
            // a link or an <img>: a GET never writes, whoever sends it (CKAN's answer)
            var own = f.BaseUri.GetLeftPart(UriPartial.Authority);
            var byGet = await CkanErrorAsync(await forger.SendAsync(Forged(HttpMethod.Get, $"/api/3/action/package_create?name={prefix}&owner_org=direccion-modernizacion", cookie, own, header: true)),
                HttpStatusCode.BadRequest, "Bad Request");
            Assert.Equal("Bad request - JSON Error: Invalid request. Please use POST method for your request", byGet.GetProperty("message").GetString());
            Assert.Equal(0L, await DatasetsNamedAsync(prefix));

            // a multipart upload to a dataset the editor really has
            var (created, _) = await PlatformFixture.CkanAsync(f.WithToken(token), "package_create", new { name = prefix, title = "Real", owner_org = "direccion-modernizacion" });
            Assert.Equal(HttpStatusCode.OK, created);
            using var form = new MultipartFormDataContent
            {
                { new StringContent(prefix), "package_id" },
                { new ByteArrayContent("nombre,lon,lat\nA,-96.13,19.17\n"u8.ToArray()), "upload", "falso.csv" },
            };
            await CkanErrorAsync(await forger.SendAsync(Forged(HttpMethod.Post, "/api/3/action/resource_create", cookie, Evil, content: form)),
                HttpStatusCode.Forbidden, "Authorization Error");
            Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resources r JOIN catalog.datasets d ON d.id = r.dataset_id WHERE d.name = @n", ("n", prefix)));

            // the same cookie from our pages: header and Origin, as common.js sends them
            var page = await forger.SendAsync(Forged(HttpMethod.Post, "/api/3/action/package_patch", cookie, own, header: true, content: Json(new { id = prefix, title = "Desde la página" })));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        finally { await f.CleanDatasetsAsync(prefix); }
    }

    [Fact]
    public async Task A_forged_approval_leaves_the_edit_pending_and_our_page_approves_it()
    {
        var clave = await f.ScalarAsync<string>("""
            SELECT clave FROM cadastre.parcels WHERE (zone, block) = (
              SELECT zone, block FROM cadastre.parcels GROUP BY zone, block HAVING count(*) >= 4 ORDER BY zone, block OFFSET 61 LIMIT 1)
            ORDER BY lot LIMIT 1
            """);
        var (_, editor, _) = await f.StaffAsync("editor");
        var (supervisor, _, _) = await f.StaffAsync("supervisor");
        var parcel = await f.Http.GetAsync($"/api/cadastre/parcels/{clave}");
        using var proposal = new HttpRequestMessage(HttpMethod.Post, "/api/cadastre/edits")
        {
            Content = Json(new { kind = "attributes", clave, attributes = new { builtAreaM2 = 40.0 + Random.Shared.Next(1, 400) / 4.0 }, reason = "Prueba CSRF" }),
        };
        proposal.Headers.TryAddWithoutValidation("If-Match", parcel.Headers.ETag!.ToString());
        var proposed = await f.WithToken(editor).SendAsync(proposal);
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        using var doc = JsonDocument.Parse(await proposed.Content.ReadAsStringAsync());
        var id = doc.RootElement.GetProperty("id").GetInt64();

        var cookie = await f.SignInCookieAsync(supervisor, PlatformFixture.StaffPassword);
        var forger = f.BareClient();
        foreach (var (origin, header) in new (string? Origin, bool Header)[] { (Evil, false), (Evil, true), (f.BaseUri.GetLeftPart(UriPartial.Authority), false), (null, true) })
        {
            var forged = await forger.SendAsync(Forged(HttpMethod.Post, $"/api/cadastre/edits/{id}/approve", cookie, origin, header, Json(new { })));
            await ProblemAssert.IsProblemAsync(forged, HttpStatusCode.Forbidden);
            Assert.Equal("pending", await f.ScalarAsync<string>("SELECT state FROM cadastre.parcel_edits WHERE id = @id", ("id", id)));
        }
        var page = await forger.SendAsync(Forged(HttpMethod.Post, $"/api/cadastre/edits/{id}/approve", cookie, f.BaseUri.GetLeftPart(UriPartial.Authority), header: true, Json(new { })));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("approved", await f.ScalarAsync<string>("SELECT state FROM cadastre.parcel_edits WHERE id = @id", ("id", id)));
    }

    [Fact]
    public async Task Api_token_callers_are_not_cookie_bound_and_need_neither_header_nor_origin()
    {
        var prefix = "prueba-csrf-token-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (_, token, _) = await f.StaffAsync("editor");
            var script = f.BareClient();
            script.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token); // as CKAN clients send it
            var (status, _) = await PlatformFixture.CkanAsync(script, "package_create", new { name = prefix, title = "Desde un script", owner_org = "direccion-modernizacion" });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(1L, await DatasetsNamedAsync(prefix));
            Assert.Equal(HttpStatusCode.Created, (await script.PostAsync("/api/auth/tokens", Json(new { name = "otro" }))).StatusCode);
            // but a write action is POST only, for scripts too
            await CkanErrorAsync(await script.GetAsync($"/api/3/action/package_delete?id={prefix}"), HttpStatusCode.BadRequest, "Bad Request");
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.datasets WHERE name = @n AND state = 'active'", ("n", prefix)));
            // read actions still answer a GET
            Assert.Equal(HttpStatusCode.OK, (await script.GetAsync($"/api/3/action/package_show?id={prefix}")).StatusCode);
        }
        finally { await f.CleanDatasetsAsync(prefix); }
    }

    [Fact]
    public async Task Sign_in_and_password_reset_are_refused_from_another_site()
    {
        var (email, _, _) = await f.StaffAsync("viewer");
        var forger = f.BareClient(f.NextAddress());
        var own = f.BaseUri.GetLeftPart(UriPartial.Authority);
        HttpRequestMessage Login(string? origin, bool header)
        {
            var r = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = Json(new { email, password = PlatformFixture.StaffPassword }) };
            if (origin is not null) r.Headers.Add("Origin", origin);
            if (header) r.Headers.Add("X-Requested-With", "OpenVeracruz");
            return r;
        }
        // login CSRF: another site signs the victim's browser into an account of the attacker's choosing
        foreach (var (origin, header) in new[] { (own, false), (Evil, true), ((string?)null, true) })
        {
            var refused = await forger.SendAsync(Login(origin, header));
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden);
            Assert.False(refused.Headers.Contains("Set-Cookie"));
        }
        Assert.Equal(HttpStatusCode.OK, (await forger.SendAsync(Login(own, true))).StatusCode);

        var before = await f.ScalarAsync<long>("SELECT count(*) FROM auth.outbox_emails WHERE to_address = @e", ("e", email));
        var reset = new HttpRequestMessage(HttpMethod.Post, "/api/auth/password-reset") { Content = Json(new { email }) };
        reset.Headers.Add("Origin", Evil);
        await ProblemAssert.IsProblemAsync(await forger.SendAsync(reset), HttpStatusCode.Forbidden);
        Assert.Equal(before, await f.ScalarAsync<long>("SELECT count(*) FROM auth.outbox_emails WHERE to_address = @e", ("e", email)));
    }

    [Fact]
    public async Task The_jobs_dashboard_buttons_post_with_its_own_antiforgery_token()
    {
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var page = await supervisor.GetStringAsync("/jobs/recurring");
        var headerName = Regex.Match(page, "<meta name=\"csrf-header\" content=\"([^\"]+)\"").Groups[1].Value;
        var token = Regex.Match(page, "<meta name=\"csrf-token\" content=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(headerName) || string.IsNullOrEmpty(token), "the dashboard renders its anti-forgery token");

        HttpRequestMessage Trigger(bool withToken)
        {
            var r = new HttpRequestMessage(HttpMethod.Post, "/jobs/recurring/trigger") { Content = new FormUrlEncodedContent([new("jobs[]", "no-existe")]) };
            r.Headers.Add("X-Requested-With", "XMLHttpRequest"); // jQuery's, not our pages'
            if (withToken) r.Headers.Add(headerName, token);
            return r;
        }
        var refused = await supervisor.SendAsync(Trigger(withToken: false));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var button = await supervisor.SendAsync(Trigger(withToken: true));
        Assert.True(button.StatusCode is not HttpStatusCode.Forbidden && (int)button.StatusCode < 500, $"{(int)button.StatusCode}");
    }

    [Fact]
    public async Task Swagger_UI_is_one_of_our_pages_and_a_signed_in_staff_member_writes_from_it()
    {
        var (email, _, _) = await f.StaffAsync("viewer");
        await using var pages = await f.BrowserPagesAsync();
        var errors = new List<string>();
        var page = await pages.NewPageAsync(errors);
        await page.GotoAsync(new Uri(f.BaseUri, "/swagger/index.html").ToString());
        await page.WaitForFunctionAsync("() => window.ui && window.ui.getConfigs().requestInterceptor");
        // requests as "Try it out" builds them: through Swagger UI's interceptor, sent by the browser (which adds Origin)
        var statuses = await page.EvaluateAsync<int[]>("""
            async ([email, password]) => {
              const send = (url, body) => { const r = window.ui.getConfigs().requestInterceptor({ url, method: 'POST', credentials: 'same-origin',
                headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }); return fetch(r.url, r); };
              return [(await send('/api/auth/login', { email, password })).status, (await send('/api/auth/tokens', { name: 'desde swagger' })).status];
            }
            """, new[] { email, PlatformFixture.StaffPassword });
        Assert.Equal([200, 201], statuses);
        Assert.Empty(errors);
    }
}
