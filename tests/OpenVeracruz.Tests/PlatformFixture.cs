using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hangfire;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Tests.Web;

namespace OpenVeracruz.Tests;

/// <summary>
/// The real platform for one test collection: the API host on a real Kestrel port against a database of the collection's
/// own (a copy of the prepared template, see <see cref="TestDatabases"/>), with its own uploads folder and, for browser
/// tests, one headless Chromium. Collections run in parallel; the tests of one collection run one after another.
/// <para>A feature adds its own collection with one line in Collections.cs (database &lt;OV_TEST_DB&gt;_maps, uploads
/// .data/test-uploads/maps):</para>
/// <code>[CollectionDefinition(nameof(Maps))] public sealed class Maps : PlatformFixture, ICollectionFixture&lt;Maps&gt;;</code>
/// <para>and its test classes say <c>[Collection(nameof(Maps))]</c> and take a <c>Maps</c> in their constructor.</para>
/// </summary>
public abstract partial class PlatformFixture : IAsyncLifetime
{
    public const int ParcelCount = 3000;
    public const string AdminEmail = "admin@pruebas.veracruz.gob.mx";
    public const string AdminPassword = "Admin-de-pruebas-2026";
    public const string StaffPassword = "Clave-de-pruebas-2026";
    /// <summary>The one loopback address refresh URLs may reach in the tests (Uploads:RefreshAllowedNetworks).</summary>
    public const string RefreshSourceAddress = "127.77.0.1";
    /// <summary>The organization StaffAsync makes each new account a member of (editor, or member for viewers).</summary>
    public const string DefaultOrganization = "direccion-modernizacion";
    /// <summary>Two loopback addresses that act as reverse proxies (Network:TrustedProxies), and the public origin behind them.</summary>
    public const string TrustedProxies = "127.0.0.200/31", PublicOrigin = "https://datos.veracruz.gob.mx";

    private WebApplicationFactory<Program>? _factory;
    private readonly Lazy<Task<Chromium>> _chromium = new(Chromium.LaunchAsync);
    /// <summary>The administrator signed in once for the collection; signed in again when a test ends its sessions (StaffAsync).</summary>
    private HttpClient? _admin;
    private readonly SemaphoreSlim _adminGate = new(1, 1);
    public Uri BaseUri { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    /// <summary>The collection's own database.</summary>
    public NpgsqlDataSource Db { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;

    /// <summary>The collection's name in its database and folder: CadastreEditing → cadastre_editing.</summary>
    public string Name => CamelHump().Replace(GetType().Name, "_$1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex CamelHump();

    /// <summary>The host as the tests configure it, on the database of <paramref name="connectionString"/>.</summary>
    /// <summary>A second listener on a dual-stack IPv6 socket, where an IPv4 client appears as ::ffff:a.b.c.d.</summary>
    public int DualStackPort { get; private set; }

    /// <summary>The host as the tests configure it, on the database of <paramref name="connectionString"/>; with <paramref name="dualStackPort"/>, also on [::].</summary>
    public static WebApplicationFactory<Program> Host(string connectionString, string uploadsPath, bool loadOnStart, int? dualStackPort = null,
        IReadOnlyDictionary<string, string>? more = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:OpenVeracruz", connectionString);
            b.UseSetting("Data:LoadOnStart", loadOnStart.ToString());
            b.UseSetting("Data:ParcelCount", ParcelCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Data:UploadsPath", uploadsPath);
            b.UseSetting("Jobs:Enabled", "false");
            // tiles from a closed local port: the map must work as it would offline
            b.UseSetting("Map:TileUrl", "http://127.0.0.1:9/{z}/{x}/{y}.png");
            b.UseSetting("Urls", $"http://127.0.0.1:{FreePort()}" + (dualStackPort is { } dual ? $";http://[::]:{dual}" : ""));
            b.UseSetting("Network:TrustedProxies", TrustedProxies);
            b.UseSetting("Network:AllowedOrigins", PublicOrigin);
            // the refresh tests' file server: loopback is refused to refresh URLs unless allowed, as an intranet source would be
            b.UseSetting("Uploads:RefreshAllowedNetworks:0", $"{RefreshSourceAddress}/32");
            b.UseSetting("OPENVERACRUZ_ADMIN_EMAIL", AdminEmail);
            b.UseSetting("OPENVERACRUZ_ADMIN_PASSWORD", AdminPassword);
            foreach (var (key, value) in more ?? new Dictionary<string, string>()) b.UseSetting(key, value);
            b.ConfigureTestServices(OwnHangfireStorage);
        });

    private static readonly Lock HangfireStatics = new();

    /// <summary>
    /// Hangfire keeps its storage and log provider in process-wide statics (JobStorage.Current, LogProvider) that each host
    /// sets as it starts, and a host's JobStorage is whatever JobStorage.Current is when first asked for. With a host per
    /// collection in this process, a host could take the storage (the database) of another, and Hangfire would log through
    /// the loggers of the host that started last, even once it is disposed. Here each host keeps the storage it configured,
    /// and Hangfire logs nowhere.
    /// </summary>
    private static void OwnHangfireStorage(IServiceCollection services)
    {
        var configure = services.Single(d => d.ServiceType == typeof(IGlobalConfiguration)).ImplementationFactory!;
        JobStorage? own = null;
        services.Replace(ServiceDescriptor.Singleton<IGlobalConfiguration>(sp =>
        {
            lock (HangfireStatics)
            {
                var configuration = (IGlobalConfiguration)configure(sp);
                own = JobStorage.Current;
                configuration.UseNoOpLogProvider();
                return configuration;
            }
        }));
        services.Replace(ServiceDescriptor.Singleton(sp =>
        {
            sp.GetRequiredService<IGlobalConfiguration>();
            return own!;
        }));
    }

    public async Task InitializeAsync()
    {
        // a new copy of the database: the files of the previous copy's uploads go with it
        var uploads = Path.Combine(TestDatabases.RepositoryRoot, ".data", "test-uploads", Name);
        if (Directory.Exists(uploads)) Directory.Delete(uploads, recursive: true);
        var connectionString = await TestDatabases.CloneAsync(Name);
        Db = PlatformDatabase.CreateDataSource(connectionString);
        // the copy holds the template's data: the host skips the load (the tests of loading again run it themselves)
        DualStackPort = FreePort();
        _factory = Host(connectionString, uploads, loadOnStart: false, DualStackPort, await MoreSettingsAsync());
        _factory.UseKestrel();
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        BaseUri = new Uri(addresses.Single(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)));
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>Settings a collection adds to its host's, once its database copy exists (e.g. a second database to read from).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>> MoreSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    public async Task DisposeAsync()
    {
        if (_chromium.IsValueCreated) await (await _chromium.Value).DisposeAsync();
        _admin?.Dispose();
        // null when the start failed half-way
        Http?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        if (Db is not null) await Db.DisposeAsync();
    }

    /// <summary>Pages for one browser test; the first launches the collection's Chromium, which its later tests share.</summary>
    public async Task<BrowserPages> BrowserPagesAsync() => (await _chromium.Value).NewPages();

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
