using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>Keeps one recurring refresh per resource (Hangfire in the web host).</summary>
public interface IRefreshScheduler
{
    /// <summary>Schedules (or reschedules) the refresh; throws ArgumentException for a cron expression it cannot read.</summary>
    void Schedule(Guid resourceId, string cron);
    void Remove(Guid resourceId);
}

public enum RefreshOutcome { NewVersion, Unchanged, NotConfigured, Refused }

public sealed record RefreshResult(RefreshOutcome Outcome, int? Version, string Message);

/// <summary>
/// The recurring refresh of a resource from its refresh URL: the file is fetched (within the upload size limit),
/// and when its bytes differ from the latest version's it is stored as the next version and imported like an upload.
/// Takes an id, so a rerun is harmless: unchanged content makes no new version. Only addresses <see cref="RefreshSources"/>
/// allows are connected to; a refusal (address, size, file) would repeat on every run: it is the result, not retried.
/// </summary>
public sealed class RefreshResourceJob(IServiceProvider services, AppDbContext db, UploadStore store, RefreshSources sources, IOptions<UploadOptions> options,
    ILogger<RefreshResourceJob> log)
{
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(2);

    public async Task<RefreshResult> RunAsync(Guid resourceId)
    {
        var ct = CancellationToken.None;
        var res = await db.Resources.FirstOrDefaultAsync(r => r.Id == resourceId && r.State == "active", ct);
        if (res?.RefreshUrl is not { Length: > 0 } url) return new RefreshResult(RefreshOutcome.NotConfigured, null, "No refresh URL is set");
        var temp = Path.GetTempFileName();
        try
        {
            using (var http = sources.CreateClient(FetchTimeout))
            using (var response = await RefreshSources.GetAsync(http, new Uri(url), ct))
            {
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                await using var file = File.Create(temp);
                var buffer = new byte[81920];
                long total = 0;
                int n;
                while ((n = await body.ReadAsync(buffer, ct)) > 0)
                {
                    total += n;
                    if (total > options.Value.MaxUploadBytes)
                        throw new BadRequestException($"{url} is larger than the upload limit of {UploadOptions.MegaBytes(options.Value.MaxUploadBytes)}",
                            $"{url} supera el límite de carga de {UploadOptions.MegaBytes(options.Value.MaxUploadBytes)}");
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }
            var latest = await db.ResourceVersions.AsNoTracking().Where(v => v.ResourceId == res.Id).OrderByDescending(v => v.Version).FirstOrDefaultAsync(ct);
            if (latest is not null && File.Exists(store.PathOf(latest)) && await HashAsync(store.PathOf(latest)) == await HashAsync(temp))
            {
                log.LogInformation("Refresh of {Resource} from {Url}: unchanged since version {Version}", res.Id, url, latest.Version);
                return new RefreshResult(RefreshOutcome.Unchanged, latest.Version, $"Unchanged since version {latest.Version}");
            }
            var fileName = Path.GetFileName(new Uri(url).AbsolutePath) is { Length: > 0 } f ? f : "refresh";
            var version = await UploadActions.StoreVersionAsync(services, db, res, null, fileName, new FileInfo(temp).Length,
                () => File.OpenRead(temp), res.Format is { Length: > 0 } format ? format : null, latest?.Epsg, "refresh", ct);
            log.LogInformation("Refresh of {Resource} from {Url}: stored version {Version}", res.Id, url, version);
            return new RefreshResult(RefreshOutcome.NewVersion, version, $"Stored version {version}");
        }
        catch (Exception e) when (Refusal(e) is { } reason)
        {
            log.LogWarning("Refresh of {Resource} from {Url} refused: {Reason}", res.Id, url, reason);
            return new RefreshResult(RefreshOutcome.Refused, null, reason);
        }
        finally { File.Delete(temp); }
    }

    /// <summary>The reason of a failure that the next run would meet again, or null for one that may pass (the source is down).</summary>
    private static string? Refusal(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is RefreshRefusedException or BadRequestException) return x.Message;
        return null;
    }

    private static async Task<string> HashAsync(string path)
    {
        await using var s = File.OpenRead(path);
        return Convert.ToHexString(await SHA256.HashDataAsync(s));
    }
}

/// <summary>One Hangfire recurring job per refreshed resource, "refresh-{id}".</summary>
public sealed class HangfireRefreshScheduler(Hangfire.IRecurringJobManager jobs) : IRefreshScheduler
{
    public static string JobId(Guid resourceId) => $"refresh-{resourceId}";

    public void Schedule(Guid resourceId, string cron) =>
        Hangfire.RecurringJobManagerExtensions.AddOrUpdate<RefreshResourceJob>(jobs, JobId(resourceId), j => j.RunAsync(resourceId), cron, new Hangfire.RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });

    public void Remove(Guid resourceId) => jobs.RemoveIfExists(JobId(resourceId));
}
