namespace OpenVeracruz.Platform.Maintenance;

/// <summary>
/// Urgency and impact (1 very low … 5 very high) give the priority (1 … 5), as in GLPI's default matrix; each priority has
/// SLA targets in business hours: time to assign (GLPI's "time to own") and time to resolve.
/// </summary>
public static class Priority
{
    // rows: urgency 1..5; columns: impact 1..5
    private static readonly int[,] Matrix =
    {
        { 1, 1, 2, 2, 3 },
        { 1, 2, 2, 3, 4 },
        { 2, 2, 3, 4, 4 },
        { 2, 3, 4, 4, 5 },
        { 3, 4, 4, 5, 5 },
    };

    public static readonly string[] Names = ["", "muy baja", "baja", "media", "alta", "muy alta"];

    public static int Of(int urgency, int impact) => Matrix[urgency - 1, impact - 1];
}

/// <summary>The targets of one priority, in business hours (configuration Maintenance:Sla:N).</summary>
public sealed class SlaTarget
{
    public double AssignHours { get; set; }
    public double ResolveHours { get; set; }
}

/// <summary>Options of the maintenance feature (configuration section "Maintenance").</summary>
public sealed class MaintenanceOptions
{
    public string Opens { get; set; } = "08:00";
    public string Closes { get; set; } = "15:00";
    public double UtcOffsetHours { get; set; } = -6;
    public DayOfWeek[] Workdays { get; set; } = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
    /// <summary>Targets by priority 1 (very low) … 5 (very high).</summary>
    public Dictionary<int, SlaTarget> Sla { get; set; } = new()
    {
        [1] = new() { AssignHours = 14, ResolveHours = 70 },
        [2] = new() { AssignHours = 7, ResolveHours = 35 },
        [3] = new() { AssignHours = 4, ResolveHours = 21 },
        [4] = new() { AssignHours = 2, ResolveHours = 7 },
        [5] = new() { AssignHours = 1, ResolveHours = 4 },
    };
    /// <summary>Largest attachment accepted, in bytes (default 10 MB).</summary>
    public long MaxAttachmentBytes { get; set; } = 10L * 1024 * 1024;
    /// <summary>Where attachments are kept; empty: the uploads folder (Data:UploadsPath) + /maintenance.</summary>
    public string AttachmentsPath { get; set; } = "";
}
