using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>One uploaded file of a resource. Versions are never overwritten: a new upload is version N+1.</summary>
public sealed class ResourceVersion
{
    public Guid ResourceId { get; set; }
    public int Version { get; set; }
    public DateTime Created { get; set; }
    /// <summary>Rows imported; null until the version has been imported.</summary>
    public long? RowCount { get; set; }
    public int? RejectedCount { get; set; }
    public required string OriginalName { get; set; }
    /// <summary>Path of the stored original, relative to the uploads root: {resource_id}/{version}/{file}.</summary>
    public required string StoredPath { get; set; }
    public required string Format { get; set; }
    public long SizeBytes { get; set; }
    /// <summary>The CRS the staff member gave for files whose own CRS could not be read (shapefile .prj, GeoPackage srs).</summary>
    public int? Epsg { get; set; }
    public string? UploadedBy { get; set; }
}

/// <summary>A row of an import report: which row (1-based line of a CSV, feature number otherwise), which field, what was wrong.</summary>
public sealed record ImportProblem(long Row, string Field, string Problem);

/// <summary>The state of the import of one version of a resource, read by the status endpoint and resource_show.</summary>
public sealed class ImportJob
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public Guid ResourceId { get; set; }
    public int Version { get; set; }
    public string State { get; private set; } = Queued;
    public long RowsDone { get; set; }
    public long? RowsTotal { get; set; }
    public int Rejected { get; set; }
    public int Repaired { get; set; }
    public string? Message { get; set; }
    /// <summary>JSON array of <see cref="ImportProblem"/> rows ({row, field, problem}).</summary>
    public string Report { get; set; } = "[]";
    public DateTime QueuedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    public static ImportJob Queue(Guid resourceId, int version, DateTime now) => new() { ResourceId = resourceId, Version = version, QueuedAt = now };

    /// <summary>Every state may be (re)started: a rerun of a version (or a retry after a crash) imports it again the same way.</summary>
    public void Start(DateTime now)
    {
        State = Running;
        StartedAt = now;
        FinishedAt = null;
        RowsDone = 0;
        RowsTotal = null;
        Message = null;
    }

    /// <summary>Back in the queue, to be imported again (e.g. with the EPSG code the staff member gave).</summary>
    public void Requeue(DateTime now)
    {
        State = Queued;
        QueuedAt = now;
        FinishedAt = null;
        Message = null;
    }

    public void Succeed(long rows, int rejected, int repaired, string report, string message, DateTime now) => Finish(Succeeded, rows, rejected, repaired, report, message, now);

    /// <summary>Failed: also from the queue, for an import that could not even start (the database was away).</summary>
    public void Fail(int rejected, string report, string message, DateTime now) => Finish(Failed, RowsDone, rejected, 0, report, message, now);

    private void Finish(string state, long rows, int rejected, int repaired, string report, string message, DateTime now)
    {
        if (State != Running && !(state == Failed && State == Queued))
            throw new DomainRuleException($"An import that is {State} cannot finish", $"Una importación en estado {State} no puede terminar");
        // the message may quote a file or an exception: PostgreSQL refuses a NUL in text, and a NUL must not lose the record
        message = StorableText.Clean(message);
        State = state;
        RowsDone = rows;
        RowsTotal ??= rows;
        Rejected = rejected;
        Repaired = repaired;
        Report = report;
        Message = message;
        FinishedAt = now;
    }
}
