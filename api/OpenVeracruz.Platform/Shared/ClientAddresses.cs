using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OpenVeracruz.Platform.Shared;

/// <summary>
/// The address a request really comes from, the one key for every per-client limit (sign-in, and any feature that
/// limits clients). It is the connection's peer, unless the peer is one of <c>Network:TrustedProxies</c> (addresses or
/// CIDR ranges): then <c>X-Forwarded-For</c> is read from the right, past the trusted hops, and the first untrusted hop
/// is the client — what a client wrote further left is never believed, nor the header of an untrusted peer.
/// Forms of one address count once: <c>::ffff:a.b.c.d</c> is a.b.c.d and <c>::1</c> is 127.0.0.1.
/// </summary>
public sealed class ClientAddresses
{
    public const string TrustedProxiesKey = "Network:TrustedProxies";

    private readonly IPNetwork[] _trusted;

    public ClientAddresses(IEnumerable<string> trustedProxies) => _trusted = trustedProxies.Select(ParseNetwork).ToArray();

    public static ClientAddresses FromConfiguration(IConfiguration config) => new(ConfigList.Read(config, TrustedProxiesKey));

    /// <summary>The client's address, normalised; <see cref="IPAddress.None"/> when the connection has none (a Unix socket).</summary>
    public IPAddress Of(HttpContext http)
    {
        var client = http.Connection.RemoteIpAddress is { } peer ? Normalize(peer) : IPAddress.None;
        if (!IsTrusted(client)) return client;
        var hops = http.Request.Headers["X-Forwarded-For"].SelectMany(v => (v ?? "").Split(',')).ToArray();
        for (var i = hops.Length - 1; i >= 0 && IsTrusted(client); i--)
        {
            // a hop that is no address (garbage, "unknown"): the last trusted hop is as far as anything can be believed
            if (ParseHop(hops[i]) is not { } hop) break;
            client = hop;
        }
        return client;
    }

    /// <summary>
    /// The key a per-client limit counts under: the IPv4 address, or the /64 network of an IPv6 address (one subscriber
    /// holds a whole /64, and must not get a fresh allowance from each of its addresses).
    /// </summary>
    public string KeyOf(HttpContext http)
    {
        var a = Of(http);
        if (a.AddressFamily != AddressFamily.InterNetworkV6) return a.ToString();
        var bytes = a.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    public static IPAddress Normalize(IPAddress a)
    {
        if (a.IsIPv4MappedToIPv6) return a.MapToIPv4();
        if (IPAddress.IPv6Loopback.Equals(a)) return IPAddress.Loopback;
        return a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId != 0 ? new IPAddress(a.GetAddressBytes()) : a;
    }

    private bool IsTrusted(IPAddress a) => _trusted.Any(n => n.Contains(a));

    private static IPAddress? ParseHop(string text)
    {
        var t = text.Trim();
        if (IPAddress.TryParse(t, out var a)) return Normalize(a);
        return IPEndPoint.TryParse(t, out var e) ? Normalize(e.Address) : null; // "203.0.113.7:4711", "[2001:db8::7]:443"
    }

    private static IPNetwork ParseNetwork(string text)
    {
        if (IPAddress.TryParse(text, out var single))
        {
            var a = Normalize(single);
            return new IPNetwork(a, a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        return IPNetwork.TryParse(text, out var network) ? network
            : throw new InvalidOperationException($"{TrustedProxiesKey}: '{text}' is neither an address nor a CIDR range such as 10.0.0.0/8");
    }
}

/// <summary>A configured list: an array (<c>Key:0</c>, <c>Key:1</c>, …) or one comma-separated value (an environment variable).</summary>
public static class ConfigList
{
    public static string[] Read(IConfiguration config, string key)
    {
        var section = config.GetSection(key);
        return section.GetChildren().Select(c => c.Value).Append(section.Value)
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
    }
}

public static class ClientAddressesRegistration
{
    /// <summary>Registers <see cref="ClientAddresses"/> once; every feature that limits clients calls it.</summary>
    public static IServiceCollection AddClientAddresses(this IServiceCollection s, IConfiguration config)
    {
        s.TryAddSingleton(_ => ClientAddresses.FromConfiguration(config));
        return s;
    }
}
