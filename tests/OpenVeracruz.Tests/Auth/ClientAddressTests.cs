using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Tests.Auth;

/// <summary>
/// The real client address, through the sign-in limiter of the running platform (10 attempts a minute per client). The
/// fixture listens on IPv4 and on a dual-stack IPv6 socket, and trusts 127.0.0.200/31 as reverse proxies.
/// </summary>
[Collection(nameof(StaffAccounts))]
public class ClientAddressTests(StaffAccounts f)
{
    private static async Task<HttpStatusCode> SignInAsync(Uri target, string from, string? forwardedFor = null, string? origin = null)
    {
        using var client = PlatformFixture.Client(target, from);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { email = "nadie@pruebas.veracruz.gob.mx", password = "x" }), Encoding.UTF8, "application/json"),
        };
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return (await client.SendAsync(request)).StatusCode;
    }

    private static async Task SpendAsync(int times, Func<int, Task<HttpStatusCode>> attempt)
    {
        for (var i = 0; i < times; i++) Assert.Equal(HttpStatusCode.Unauthorized, await attempt(i));
    }

    [Fact]
    public async Task The_forms_of_one_address_share_one_sign_in_allowance()
    {
        // 127.0.0.230 on the IPv4 socket, and the same address as ::ffff:127.0.0.230 on the dual-stack one (::1 is 127.0.0.1,
        // which other tests sign in from: the unit test below covers it)
        var mapped = new Uri($"http://127.0.0.1:{f.DualStackPort}");
        await SpendAsync(5, _ => SignInAsync(f.BaseUri, "127.0.0.230"));
        await SpendAsync(5, _ => SignInAsync(mapped, "127.0.0.230"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(mapped, "127.0.0.230"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(f.BaseUri, "127.0.0.230"));
    }

    [Fact]
    public async Task X_Forwarded_For_is_believed_only_from_a_trusted_proxy_and_only_its_rightmost_untrusted_hop()
    {
        // a client that is no proxy cannot pick a fresh allowance by writing the header
        await SpendAsync(10, i => SignInAsync(f.BaseUri, "127.0.0.210", $"203.0.113.{i + 1}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(f.BaseUri, "127.0.0.210", "203.0.113.99"));

        // behind the proxy each client has its own allowance, not the proxy's one for all
        await SpendAsync(10, _ => SignInAsync(f.BaseUri, "127.0.0.200", "198.51.100.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(f.BaseUri, "127.0.0.200", "198.51.100.7"));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(f.BaseUri, "127.0.0.200", "198.51.100.8"));

        // through two proxies (the outer one seen on the dual-stack socket as ::ffff:127.0.0.201): what the client wrote
        // left of the address the proxies saw changes nothing, nor does another form of that address
        await SpendAsync(10, i => SignInAsync(new Uri($"http://127.0.0.1:{f.DualStackPort}"), "127.0.0.201", $"10.9.9.{i}, 198.51.100.9, 127.0.0.200"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(f.BaseUri, "127.0.0.200", "::ffff:198.51.100.9"));
    }

    [Fact]
    public async Task The_public_origin_of_the_reverse_proxy_is_our_own()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(f.BaseUri, "127.0.0.220", origin: PlatformFixture.PublicOrigin));
        Assert.Equal(HttpStatusCode.Forbidden, await SignInAsync(f.BaseUri, "127.0.0.220", origin: "https://datos.veracruz.gob.mx.evil.example"));
    }

    private static ClientAddresses Trusting(params string[] proxies) => new(proxies);

    private static HttpContext Request(string peer, params string[] forwardedFor)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor.Length > 0) http.Request.Headers["X-Forwarded-For"] = forwardedFor;
        return http;
    }

    [Theory]
    [InlineData("10.0.0.2", new[] { "1.1.1.1, 2.2.2.2", "10.0.0.1" }, "2.2.2.2")]    // one header per proxy, read as one list
    [InlineData("10.0.0.2", new[] { "unknown" }, "10.0.0.2")]                          // no address: the proxy is as far as we see
    [InlineData("10.0.0.2", new[] { "203.0.113.7:4711" }, "203.0.113.7")]              // with a port
    [InlineData("10.0.0.2", new[] { "[2001:db8::7]:443" }, "2001:db8::7")]
    [InlineData("::ffff:10.0.0.2", new[] { "::ffff:203.0.113.8" }, "203.0.113.8")]
    [InlineData("192.0.2.1", new[] { "203.0.113.9" }, "192.0.2.1")]                   // not a proxy: its header is not read
    [InlineData("fe80::1%2", new string[0], "fe80::1")]
    public void The_client_address_is_read_from_the_right(string peer, string[] forwardedFor, string client) =>
        Assert.Equal(IPAddress.Parse(client), Trusting("10.0.0.0/8").Of(Request(peer, forwardedFor)));

    [Fact]
    public void An_IPv6_client_counts_as_its_64_network()
    {
        var addresses = Trusting();
        Assert.Equal("2001:db8:1:2::/64", addresses.KeyOf(Request("2001:db8:1:2:aaaa::1")));
        Assert.Equal(addresses.KeyOf(Request("2001:db8:1:2::99")), addresses.KeyOf(Request("2001:db8:1:2:ffff::1")));
        Assert.NotEqual(addresses.KeyOf(Request("2001:db8:1:2::1")), addresses.KeyOf(Request("2001:db8:1:3::1")));
        Assert.Equal("127.0.0.1", addresses.KeyOf(Request("::1")));
    }

    [Fact]
    public void A_misconfigured_proxy_list_stops_the_start_with_its_entry_named()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([new(ClientAddresses.TrustedProxiesKey, "10.0.0.0/8, proxy.interno")]).Build();
        var e = Assert.Throws<InvalidOperationException>(() => ClientAddresses.FromConfiguration(config));
        Assert.Contains("proxy.interno", e.Message);
    }
}
