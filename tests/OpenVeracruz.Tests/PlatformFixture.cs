using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Catalog.Uploads;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Tests;

/// <summary>
/// The real platform: the API host on a real Kestrel port, against the real test PostGIS database
/// (OV_TEST_DB, set by ./ov test), with the bundled datasets and a smaller synthetic cadastre loaded on start.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public const int ParcelCount = 3000;
    public const string AdminEmail = "admin@pruebas.veracruz.gob.mx";
    public const string AdminPassword = "Admin-de-pruebas-2026";
    public const string StaffPassword = "Clave-de-pruebas-2026";
    /// <summary>The one loopback address refresh URLs may reach in the tests (Uploads:RefreshAllowedNetworks).</summary>
    public const string RefreshSourceAddress = "127.77.0.1";
    /// <summary>The organization StaffAsync makes each new account a member of (editor, or member for viewers).</summary>
    public const string DefaultOrganization = "direccion-modernizacion";
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("OV_TEST_DB") ?? "Host=127.0.0.1;Port=55433;Database=openveracruz_test;Username=openveracruz";

    private WebApplicationFactory<Program>? _factory;
    public Uri BaseUri { get; private set; } = null!;
    /// <summary>A second listener on a dual-stack IPv6 socket, where an IPv4 client appears as ::ffff:a.b.c.d.</summary>
    public int DualStackPort { get; private set; }
    /// <summary>Two loopback addresses that act as reverse proxies (Network:TrustedProxies), and the public origin behind them.</summary>
    public const string TrustedProxies = "127.0.0.200/31", PublicOrigin = "https://datos.veracruz.gob.mx";
    public HttpClient Http { get; private set; } = null!;
    public NpgsqlDataSource Db { get; } = PlatformDatabase.CreateDataSource(ConnectionString);
    public IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        var (port, dualStackPort) = (FreePort(), FreePort());
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:OpenVeracruz", ConnectionString);
            b.UseSetting("Data:ParcelCount", ParcelCount.ToString());
            b.UseSetting("Jobs:Enabled", "false");
            // tiles from a closed local port: the map must work as it would offline
            b.UseSetting("Map:TileUrl", "http://127.0.0.1:9/{z}/{x}/{y}.png");
            b.UseSetting("Urls", $"http://127.0.0.1:{port};http://[::]:{dualStackPort}");
            b.UseSetting("Network:TrustedProxies", TrustedProxies);
            b.UseSetting("Network:AllowedOrigins", PublicOrigin);
            b.UseSetting("OPENVERACRUZ_ADMIN_EMAIL", AdminEmail);
            b.UseSetting("OPENVERACRUZ_ADMIN_PASSWORD", AdminPassword);
            // the refresh tests' file server: loopback is refused to refresh URLs unless allowed, as an intranet source would be
            b.UseSetting("Uploads:RefreshAllowedNetworks:0", $"{RefreshSourceAddress}/32");
        });
        _factory.UseKestrel();
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        BaseUri = new Uri(addresses.Single(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)));
        DualStackPort = dualStackPort;
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        await Db.DisposeAsync();
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] args)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<List<T>> ColumnAsync<T>(string sql)
    {
        await using var cmd = Db.CreateCommand(sql);
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<T>();
        while (await r.ReadAsync()) list.Add(r.GetFieldValue<T>(0));
        return list;
    }

    public async Task<(HttpStatusCode Status, JsonElement Json, HttpResponseMessage Response)> GetJsonAsync(string url)
    {
        var response = await Http.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response.StatusCode, doc.RootElement.Clone(), response);
    }

    private int _addresses;

    public string NextAddress()
    {
        var n = Interlocked.Increment(ref _addresses);
        return $"127.0.{1 + n / 250}.{1 + n % 250}";
    }

    /// <summary>Calls a CKAN action with a JSON body; the status and the whole envelope.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> CkanAsync(HttpClient client, string action, object body)
    {
        var response = await client.PostAsync($"/api/3/action/{action}", new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>
    /// A client with a cookie jar that calls as our pages do (X-Requested-With: OpenVeracruz and our Origin on every
    /// request), optionally leaving from another loopback address (its own rate-limit partition).
    /// </summary>
    public HttpClient NewClient(string? fromAddress = null) => Client(BaseUri, fromAddress);

    /// <summary>A client that sends only what the test gives it: no cookie jar (set Cookie yourself), no page headers — a forger's request.</summary>
    public HttpClient BareClient(string? fromAddress = null) => Client(BaseUri, fromAddress, asPage: false);

    public static HttpClient Client(Uri baseUri, string? fromAddress, bool asPage = true)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = asPage };
        if (fromAddress is not null)
            handler.ConnectCallback = async (ctx, ct) =>
            {
                var local = IPAddress.Parse(fromAddress);
                var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(ctx.DnsEndPoint, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            };
        var client = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
        if (asPage)
        {
            client.DefaultRequestHeaders.Add("X-Requested-With", "OpenVeracruz");
            client.DefaultRequestHeaders.Add("Origin", baseUri.GetLeftPart(UriPartial.Authority));
        }
        return client;
    }

    /// <summary>The staff cookie ("ov_staff=…") of a new sign-in, to send by hand.</summary>
    public async Task<string> SignInCookieAsync(string email, string password)
    {
        var login = await LoginAsync(NewClient(NextAddress()), email, password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("ov_staff=", StringComparison.Ordinal));
    }

    /// <summary>A client that calls with an API token (Bearer).</summary>
    public HttpClient WithToken(string token)
    {
        var c = NewClient();
        c.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    public async Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password) =>
        await client.PostAsync("/api/auth/login", new StringContent(JsonSerializer.Serialize(new { email, password }), System.Text.Encoding.UTF8, "application/json"));

    /// <summary>
    /// A new staff account with the role (created by the admin through the API), member of the default organization,
    /// signed in, and an API token of its own.
    /// </summary>
    public async Task<(string Email, string Token, HttpClient Session)> StaffAsync(string role)
    {
        // each account signs in from an address of its own (127.0.1.x …), as separate people would: the
        // per-address sign-in limit then holds for the suite as it does for users
        var from = NextAddress();
        var admin = NewClient(from);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(admin, AdminEmail, AdminPassword)).StatusCode);
        var email = $"{role}-{Guid.NewGuid():N}@pruebas.veracruz.gob.mx";
        var created = await admin.PostAsync("/api/admin/users", new StringContent(JsonSerializer.Serialize(new { email, displayName = role, role, password = StaffPassword }), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        // staff change the datasets of their organizations only: each account is a member of the one the tests publish in
        using (var user = JsonDocument.Parse(await created.Content.ReadAsStringAsync()))
        {
            var capacity = role == "viewer" ? "member" : "editor";
            var member = await admin.PutAsync($"/api/admin/users/{user.RootElement.GetProperty("id").GetString()}/organizations/{DefaultOrganization}",
                new StringContent(JsonSerializer.Serialize(new { capacity }), System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        }
        var session = NewClient(from);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(session, email, StaffPassword)).StatusCode);
        var token = await session.PostAsync("/api/auth/tokens", new StringContent("{\"name\":\"pruebas\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, token.StatusCode);
        using var doc = JsonDocument.Parse(await token.Content.ReadAsStringAsync());
        return (email, doc.RootElement.GetProperty("token").GetString()!, session);
    }

    /// <summary>Removes the API-created datasets named with the prefix, with their uploaded layers, views and files.</summary>
    public async Task CleanDatasetsAsync(string prefix)
    {
        var resources = await ColumnAsync<Guid>($"SELECT r.id FROM catalog.resources r JOIN catalog.datasets d ON d.id = r.dataset_id WHERE d.origin = 'api' AND d.name LIKE '{prefix}%'");
        var registry = Services.GetRequiredService<LayerRegistry>();
        var root = Services.GetRequiredService<UploadStore>().Root;
        foreach (var id in resources)
        {
            var (schema, table) = UploadedLayers.TableOf(id);
            await using (var drop = Db.CreateCommand($"DROP TABLE IF EXISTS {schema}.{table} CASCADE; DROP VIEW IF EXISTS datastore.\"{id}\""))
                await drop.ExecuteNonQueryAsync();
            registry.Remove(UploadedLayers.LayerId(id));
            if (Directory.Exists(Path.Combine(root, id.ToString()))) Directory.Delete(Path.Combine(root, id.ToString()), recursive: true);
        }
        await using var cmd = Db.CreateCommand("DELETE FROM catalog.datasets WHERE origin = 'api' AND name LIKE @p");
        cmd.Parameters.AddWithValue("p", prefix + "%");
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A parcel picked by the database, with a point inside it.</summary>
    public async Task<(string Clave, double Lon, double Lat)> SomeParcelAsync(string where = "true")
    {
        await using var cmd = Db.CreateCommand($"SELECT clave, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM cadastre.parcels WHERE {where} ORDER BY clave OFFSET 37 LIMIT 1");
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), "the test database has parcels");
        return (r.GetString(0), r.GetDouble(1), r.GetDouble(2));
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}

/// <summary>Problem details assertions shared by every door.</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var p = doc.RootElement.Clone();
        Assert.Equal((int)status, p.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("detail").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("detail_es").GetString()));
        return p;
    }
}
