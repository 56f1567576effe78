using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OpenVeracruz.Tests;

/// <summary>
/// The requests the platform's server received while this is alive, as its access log would list them (path and query),
/// read from the host's own DiagnosticListener: what a real client really asked, counted on the server side.
/// </summary>
public sealed class ServerRequests : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentQueue<string> _targets = new();
    private readonly IDisposable _subscription;

    public ServerRequests(PlatformFixture f) => _subscription = f.Services.GetRequiredService<DiagnosticListener>().Subscribe(this);

    public IReadOnlyList<string> Targets => [.. _targets];

    /// <summary>The requests whose path starts with the prefix.</summary>
    public IReadOnlyList<string> To(string pathPrefix) => Targets.Where(t => t.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key != "Microsoft.AspNetCore.Hosting.BeginRequest" || e.Value?.GetType().GetProperty("httpContext")?.GetValue(e.Value) is not HttpContext http) return;
        _targets.Enqueue(Uri.UnescapeDataString(http.Request.Path + http.Request.QueryString));
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }
    public void Dispose() => _subscription.Dispose();
}
