using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>A refresh URL, or an address it leads to, that may not be fetched from; the message says why.</summary>
public sealed class RefreshRefusedException(string message) : Exception(message);

/// <summary>
/// Where a recurring refresh may fetch from: the public internet only, so that an editor cannot make the server read
/// its own loopback, the private network or a cloud's metadata service (SSRF). The URL is checked when it is set, on
/// every address its host resolves to, and again on every connection, on the address really connected to: a name
/// that resolves elsewhere later (DNS rebinding) or a redirect gains nothing. Networks listed in
/// Uploads:RefreshAllowedNetworks (an intranet source) are allowed.
/// </summary>
public sealed class RefreshSources(IOptions<UploadOptions> options)
{
    public const int MaxRedirects = 5;
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<IPNetwork> _allowed = ParseNetworks(options.Value.RefreshAllowedNetworks) ?? throw new InvalidOperationException(NetworksError);

    public const string NetworksError = "Uploads:RefreshAllowedNetworks: each entry must be a network in CIDR notation (e.g. 10.20.0.0/16) or one address";

    /// <summary>The networks of the configuration (a bare address is a network of one), or null when one cannot be read.</summary>
    public static List<IPNetwork>? ParseNetworks(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in entries.Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            if (IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            else return null;
        }
        return networks;
    }

    /// <summary>What is not the public internet, with the words that say so.</summary>
    private static readonly (IPNetwork Network, string Kind)[] Inside =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified (this host) address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (where cloud metadata services answer)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.0.0.0/24"), "a reserved address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("198.18.0.0/15"), "a reserved address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved or broadcast address"),
        (IPNetwork.Parse("::/128"), "an unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("fc00::/7"), "a unique-local (private) address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, NAT64, 6to4): it is judged as that address.</summary>
    private static IPAddress Carried(IPAddress a)
    {
        if (a.IsIPv4MappedToIPv6) return a.MapToIPv4();
        if (Nat64.Contains(a)) return new IPAddress(a.GetAddressBytes().AsSpan(12, 4));
        if (SixToFour.Contains(a)) return new IPAddress(a.GetAddressBytes().AsSpan(2, 4));
        return a;
    }

    /// <summary>Why a refresh may not connect to the address, or null when it may.</summary>
    public string? Refusal(IPAddress address)
    {
        var a = Carried(address);
        if (_allowed.Any(n => n.Contains(a) || n.Contains(address))) return null;
        foreach (var (network, kind) in Inside)
            if (network.Contains(a)) return kind;
        // of IPv6 only global unicast is the internet; the rest is reserved (site-local, discard, documentation …)
        return a.AddressFamily == AddressFamily.InterNetworkV6 && !GlobalUnicast.Contains(a) ? "a reserved address" : null;
    }

    /// <summary>Why the URL may not be refreshed from (scheme, host, an address the host resolves to), or null. When it is set.</summary>
    public async Task<string?> CheckAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")) return "Must be an http(s) URL";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ResolveTimeout);
        try
        {
            await AddressesAsync(u.IdnHost, timeout.Token);
            return null;
        }
        catch (RefreshRefusedException e) { return e.Message; }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return $"The host {u.IdnHost} could not be resolved in time"; }
    }

    /// <summary>Every address of the host, each one allowed; else a refusal naming the first that is not.</summary>
    private async Task<IPAddress[]> AddressesAsync(string host, CancellationToken ct)
    {
        host = host.Trim('[', ']');
        IPAddress[] addresses;
        var name = host.TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
        // RFC 6761: localhost names are loopback, whatever a resolver answers for them (or fails to)
        else if (name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal)) addresses = [IPAddress.Loopback, IPAddress.IPv6Loopback];
        else
        {
            try { addresses = await Dns.GetHostAddressesAsync(host, ct); }
            catch (SocketException) { addresses = []; }
            if (addresses.Length == 0) throw new RefreshRefusedException($"The host {host} cannot be resolved");
        }
        foreach (var a in addresses)
            if (Refusal(a) is { } kind)
                throw new RefreshRefusedException($"Fetching from {host} is not allowed: {a} is {kind}. A refresh URL must be on the public internet " +
                                                  "(an intranet source is allowed with Uploads:RefreshAllowedNetworks).");
        return addresses;
    }

    /// <summary>A client that connects only to allowed addresses, follows no redirect by itself and uses no proxy (the proxy would be what is checked).</summary>
    public HttpClient CreateClient(TimeSpan timeout) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await AddressesAsync(context.DnsEndPoint.Host, ct);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                // the address really connected to is what counts, whatever a resolver said before
                if (socket.RemoteEndPoint is not IPEndPoint remote || Refusal(remote.Address) is not null)
                    throw new RefreshRefusedException($"Fetching from {context.DnsEndPoint.Host} is not allowed: the connection reached {socket.RemoteEndPoint}.");
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { Timeout = timeout };

    /// <summary>GET, with the redirects followed here (at most <see cref="MaxRedirects"/>): each hop connects through the same checks.</summary>
    public static async Task<HttpResponseMessage> GetAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        for (var hops = 0; ; hops++)
        {
            var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308)) return response;
            var location = response.Headers.Location;
            response.Dispose();
            if (location is null) throw new HttpRequestException($"{url} answered a redirect without a Location");
            if (hops == MaxRedirects) throw new RefreshRefusedException($"Fetching {url} is not allowed: more than {MaxRedirects} redirects.");
            url = new Uri(url, location);
            if (url.Scheme is not ("http" or "https")) throw new RefreshRefusedException($"Fetching {url} is not allowed: a redirect may lead only to http(s).");
        }
    }
}
