using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Auth;

[Collection(nameof(StaffAccounts))]
public class StaffAccountTests(StaffAccounts f)
{
    private static StringContent Json(object o) => new(JsonSerializer.Serialize(o), Encoding.UTF8, "application/json");

    [Fact]
    public async Task First_admin_comes_from_configuration_and_signs_in()
    {
        var client = f.NewClient(f.NextAddress());
        var login = await f.LoginAsync(client, PlatformFixture.AdminEmail, PlatformFixture.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ov_staff=") && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        using var me = JsonDocument.Parse(await client.GetStringAsync("/api/auth/me"));
        Assert.Equal(["admin"], me.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_account_answer_the_same_and_five_failures_lock()
    {
        var (email, _, _) = await f.StaffAsync("viewer");
        var client = f.NewClient(f.NextAddress());
        var wrong = await ProblemAssert.IsProblemAsync(await f.LoginAsync(client, email, "no-es-la-clave-123"), HttpStatusCode.Unauthorized);
        var unknown = await ProblemAssert.IsProblemAsync(await f.LoginAsync(client, "nadie@pruebas.veracruz.gob.mx", "no-es-la-clave-123"), HttpStatusCode.Unauthorized);
        Assert.Equal(wrong.GetProperty("detail").GetString(), unknown.GetProperty("detail").GetString());
        for (var i = 0; i < 4; i++) await f.LoginAsync(client, email, "no-es-la-clave-123");
        // locked now: even the right password is refused
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.LoginAsync(client, email, PlatformFixture.StaffPassword)).StatusCode);
    }

    [Fact]
    public async Task Sign_in_is_rate_limited_per_address()
    {
        var client = f.NewClient(fromAddress: "127.0.0.77");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++) statuses.Add((await f.LoginAsync(client, "nadie@pruebas.veracruz.gob.mx", "x")).StatusCode);
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        // another address is not affected
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.LoginAsync(f.NewClient(fromAddress: "127.0.0.78"), "nadie@pruebas.veracruz.gob.mx", "x")).StatusCode);
    }

    [Fact]
    public async Task Password_reset_never_reveals_whether_an_account_exists()
    {
        var (email, _, _) = await f.StaffAsync("editor");
        var address = f.NextAddress();
        var client = f.NewClient(address);
        var existing = await client.PostAsync("/api/auth/password-reset", Json(new { email }));
        var missing = await client.PostAsync("/api/auth/password-reset", Json(new { email = "fantasma@pruebas.veracruz.gob.mx" }));
        Assert.Equal(existing.StatusCode, missing.StatusCode);
        Assert.Equal(await existing.Content.ReadAsStringAsync(), await missing.Content.ReadAsStringAsync());
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM auth.outbox_emails WHERE to_address = 'fantasma@pruebas.veracruz.gob.mx'"));
        var body = await f.ScalarAsync<string>("SELECT body FROM auth.outbox_emails WHERE to_address = @e ORDER BY id DESC LIMIT 1", ("e", email));
        var code = body.Split("\n\n")[1].Trim();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/auth/password-reset/confirm", Json(new { email, token = "not-the-code", newPassword = "Nueva-clave-segura-1" }))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/password-reset/confirm", Json(new { email, token = code, newPassword = "Nueva-clave-segura-1" }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.LoginAsync(f.NewClient(address), email, "Nueva-clave-segura-1")).StatusCode);
    }

    [Fact]
    public async Task Api_tokens_authenticate_as_ckan_sends_them_and_stop_when_revoked()
    {
        var (_, token, session) = await f.StaffAsync("viewer");
        foreach (var header in new[] { token, "Bearer " + token })
        {
            var client = f.NewClient();
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
        }
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM auth.api_tokens WHERE prefix = @p", ("p", token[..10])));
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM auth.api_tokens WHERE hash = @t OR prefix = @t", ("t", token)));
        using var list = JsonDocument.Parse(await session.GetStringAsync("/api/auth/tokens"));
        var id = list.RootElement[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await session.DeleteAsync($"/api/auth/tokens/{id}")).StatusCode);
        var revoked = f.NewClient();
        revoked.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Only_admins_manage_accounts()
    {
        var anonymous = await f.Http.GetAsync("/api/admin/users");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        foreach (var role in new[] { "viewer", "editor", "supervisor" })
        {
            var (_, _, session) = await f.StaffAsync(role);
            Assert.Equal(HttpStatusCode.Forbidden, (await session.GetAsync("/api/admin/users")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await session.PostAsync("/api/admin/users", Json(new { email = "x@pruebas.veracruz.gob.mx", displayName = "x", role = "admin", password = "Una-clave-larga-1" }))).StatusCode);
        }
        var (_, _, adminish) = await f.StaffAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await adminish.GetAsync("/api/admin/users")).StatusCode);
        var weak = await adminish.PostAsync("/api/admin/users", Json(new { email = "debil@pruebas.veracruz.gob.mx", displayName = "d", role = "viewer", password = "corta" }));
        await ProblemAssert.IsProblemAsync(weak, HttpStatusCode.BadRequest);
        var badRole = await adminish.PostAsync("/api/admin/users", Json(new { email = "rol@pruebas.veracruz.gob.mx", displayName = "d", role = "dios", password = "Una-clave-larga-1" }));
        await ProblemAssert.IsProblemAsync(badRole, HttpStatusCode.BadRequest);
    }

    /// <summary>A client that sends this cookie by hand, with our pages' header and Origin: a copy of a session.</summary>
    private HttpClient WithCookie(string cookie)
    {
        var c = f.BareClient();
        c.DefaultRequestHeaders.Add("Cookie", cookie);
        c.DefaultRequestHeaders.Add("X-Requested-With", "OpenVeracruz");
        c.DefaultRequestHeaders.Add("Origin", f.BaseUri.GetLeftPart(UriPartial.Authority));
        return c;
    }

    private static async Task<string[]> RolesAsync(HttpClient session)
    {
        using var me = JsonDocument.Parse(await session.GetStringAsync("/api/auth/me"));
        return me.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray();
    }

    [Fact]
    public async Task A_copied_cookie_stops_working_once_its_session_signs_out()
    {
        var (email, _, _) = await f.StaffAsync("editor");
        var cookie = await f.SignInCookieAsync(email, PlatformFixture.StaffPassword);
        var (browser, copy) = (WithCookie(cookie), WithCookie(cookie));
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.PostAsync("/api/auth/tokens", Json(new { name = "tras salir" }))).StatusCode);
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM auth.api_tokens WHERE name = 'tras salir'"));
        // the account itself signs in again as usual
        Assert.Equal(HttpStatusCode.OK, (await f.LoginAsync(f.NewClient(f.NextAddress()), email, PlatformFixture.StaffPassword)).StatusCode);
    }

    [Fact]
    public async Task A_role_change_or_a_password_reset_ends_the_sessions_of_the_account()
    {
        var (email, token, session) = await f.StaffAsync("editor");
        var id = await f.ScalarAsync<string>("SELECT \"Id\" FROM auth.users WHERE \"Email\" = @e", ("e", email));
        var (_, _, admin) = await f.StaffAsync("admin");
        Assert.Equal(["editor"], await RolesAsync(session));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync($"/api/admin/users/{id}/role", Json(new { role = "viewer" }))).StatusCode);
        // the session still claimed "editor": it ends, and the next sign-in carries the new role
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/auth/me")).StatusCode);
        var address = f.NextAddress();
        var again = f.NewClient(address);
        Assert.Equal(HttpStatusCode.OK, (await f.LoginAsync(again, email, PlatformFixture.StaffPassword)).StatusCode);
        Assert.Equal(["viewer"], await RolesAsync(again));
        // an API token follows the account's role on every call
        Assert.Equal(HttpStatusCode.Forbidden, (await f.WithToken(token).PostAsync("/api/cadastre/edits", Json(new { }))).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await again.PostAsync("/api/auth/password-reset", Json(new { email }))).StatusCode);
        var body = await f.ScalarAsync<string>("SELECT body FROM auth.outbox_emails WHERE to_address = @e ORDER BY id DESC LIMIT 1", ("e", email));
        var reset = f.NewClient(address);
        Assert.Equal(HttpStatusCode.NoContent, (await reset.PostAsync("/api/auth/password-reset/confirm",
            Json(new { email, token = body.Split("\n\n")[1].Trim(), newPassword = "Otra-clave-segura-2026" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_lock_out_the_guessers_address_not_the_owner_nor_the_accounts_tokens()
    {
        var (email, token, _) = await f.StaffAsync("viewer");
        var guesser = f.NewClient(f.NextAddress());
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await f.LoginAsync(guesser, email, "no-es-la-clave-123")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.LoginAsync(guesser, email, PlatformFixture.StaffPassword)).StatusCode);
        // meanwhile the account's scripts and its owner, elsewhere, carry on
        Assert.Equal(HttpStatusCode.OK, (await f.WithToken(token).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.LoginAsync(f.NewClient(f.NextAddress()), email, PlatformFixture.StaffPassword)).StatusCode);
        // and the owner's success elsewhere does not open the guesser's lock
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.LoginAsync(guesser, email, PlatformFixture.StaffPassword)).StatusCode);
    }

    [Fact]
    public async Task Parallel_guesses_from_one_address_are_each_counted()
    {
        var (email, token, _) = await f.StaffAsync("viewer");
        var from = f.NextAddress();
        var guesses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => f.LoginAsync(f.NewClient(from), email, "no-es-la-clave-123")));
        Assert.All(guesses, g => Assert.Equal(HttpStatusCode.Unauthorized, g.StatusCode));
        Assert.Equal(8, await f.ScalarAsync<int>("""
            SELECT a.attempts FROM auth.sign_in_attempts a JOIN auth.users u ON u."Id" = a.user_id WHERE u."Email" = @e AND a.address = @a
            """, ("e", email), ("a", from)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.LoginAsync(f.NewClient(from), email, PlatformFixture.StaffPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.WithToken(token).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.LoginAsync(f.NewClient(f.NextAddress()), email, PlatformFixture.StaffPassword)).StatusCode);
    }
}
