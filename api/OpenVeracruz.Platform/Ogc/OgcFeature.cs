using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>OGC API – Features (Parts 1, 2, 3's queryables and 5's schemas) at /ogc, for every registry layer.</summary>
public static class OgcFeature
{
    /// <summary>Errors on /ogc are problem details with the OGC exception code, whoever raised them.</summary>
    public static IServiceCollection AddOgc(this IServiceCollection s, IConfiguration config)
    {
        s.Configure<OgcOptions>(config.GetSection("Ogc"));
        // one limiter for the instance: queries beyond the permits wait their turn (oldest first) instead of running at once
        s.AddRateLimiter(o => o.AddPolicy(QueryLimiter, http =>
        {
            var opt = http.RequestServices.GetRequiredService<IOptions<OgcOptions>>().Value;
            return RateLimitPartition.GetConcurrencyLimiter(QueryLimiter, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = Math.Max(1, opt.ConcurrentQueries), QueueLimit = Math.Max(0, opt.QueuedQueries), QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }));
        return s.AddSingleton(new ErrorFormat(["/ogc"], (http, p) =>
        {
            p.Extensions.TryAdd("code", p.Status switch { 404 => "NotFound", < 500 => "InvalidParameterValue", _ => "NoApplicableCode" });
            return ErrorFormat.WriteProblemAsync(http, p);
        }));
    }

    /// <summary>The rate-limiter policy of the feature queries (items, item).</summary>
    public const string QueryLimiter = "ogc-queries";

    public static IEndpointRouteBuilder MapOgc(this IEndpointRouteBuilder app) => app.MapOgcEndpoints();
}

/// <summary>Settings of the OGC API – Features door (configuration section "Ogc").</summary>
public sealed class OgcOptions
{
    /// <summary>
    /// Feature queries (items, item) an instance runs at once; more wait in line. Twice the processor count by default: on
    /// a small machine shared with PostgreSQL, more queries at once only take turns on the cores and make the slowest
    /// answers slower (measured in bench/: the 99th percentile of small pages fell from ~40 ms to ~10 ms with 4 instead of 8).
    /// </summary>
    public int ConcurrentQueries { get; set; } = 2 * Environment.ProcessorCount;
    /// <summary>Queries that may wait for a turn; beyond them the door answers 429.</summary>
    public int QueuedQueries { get; set; } = 512;
}
