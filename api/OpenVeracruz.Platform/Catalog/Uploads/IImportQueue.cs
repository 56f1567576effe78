namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>Starts the import of an uploaded version: Hangfire in the web host, in-process in tests and the ETL CLI.</summary>
public interface IImportQueue
{
    Task EnqueueAsync(Guid resourceId, int version, CancellationToken ct);
}
