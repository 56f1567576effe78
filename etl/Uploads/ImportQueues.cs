using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenVeracruz.Platform.Catalog.Uploads;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>Runs an import in-process, right after the upload is committed (tests, hosts without a Hangfire server).</summary>
public sealed class InlineImportQueue(IServiceScopeFactory scopes, ILogger<InlineImportQueue> log) : IImportQueue
{
    public async Task EnqueueAsync(Guid resourceId, int version, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // not the request's token: a caller that hangs up does not leave the import half-run
        try { await scope.ServiceProvider.GetRequiredService<ImportUploadJob>().ImportAsync(resourceId, version, CancellationToken.None); }
        catch (Exception e)
        {
            // the job has recorded its failure in catalog.import_jobs; the upload itself stands
            log.LogError(e, "Inline import of {Resource} version {Version} failed", resourceId, version);
        }
    }
}

/// <summary>Queues an import on Hangfire (PostgreSQL storage); a worker runs <see cref="ImportUploadJob.RunAsync"/>.</summary>
public sealed class HangfireImportQueue(IBackgroundJobClient jobs) : IImportQueue
{
    public Task EnqueueAsync(Guid resourceId, int version, CancellationToken ct)
    {
        jobs.Enqueue<ImportUploadJob>(j => j.RunAsync(resourceId, version));
        return Task.CompletedTask;
    }
}
