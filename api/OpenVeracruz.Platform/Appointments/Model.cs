using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>A municipal office that receives citizens (public: the <c>offices</c> layer).</summary>
public sealed class Office
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Dependency { get; set; }
    public required string Address { get; set; }
    public string? Phone { get; set; }
    public string? Accessibility { get; set; }
    /// <summary>Placed by hand from public references, not surveyed.</summary>
    public bool Approximate { get; set; }
    public required Point Geom { get; set; }
    public bool Active { get; set; } = true;
}

/// <summary>A procedure as one office offers it, from a date: its duration sizes that office's slots.</summary>
public sealed class Service
{
    public int Id { get; set; }
    public int OfficeId { get; set; }
    /// <summary>The procedure's code, the same at every office that offers it (predial, constancia-catastral, …).</summary>
    public required string Procedure { get; set; }
    public required string Name { get; set; }
    /// <summary>Turn prefix at the office (C in C-017).</summary>
    public required string Prefix { get; set; }
    public int DurationMinutes { get; set; }
    public string Requirements { get; set; } = "";
    public decimal Cost { get; set; }
    public string LegalBasis { get; set; } = "";
    public bool Online { get; set; }
    public DateOnly ValidFrom { get; set; }
    public bool Active { get; set; } = true;
}

/// <summary>Staff time for a service: weekday (0 = Sunday), local time range (UTC−6) and desks.</summary>
public sealed class Schedule
{
    public int Id { get; set; }
    public int ServiceId { get; set; }
    public int Weekday { get; set; }
    public TimeOnly Starts { get; set; }
    public TimeOnly Ends { get; set; }
    public int Desks { get; set; }
}

/// <summary>Desks of a service missing on some days (leave, training).</summary>
public sealed class Absence
{
    public int Id { get; set; }
    public int ServiceId { get; set; }
    public DateOnly FromDay { get; set; }
    public DateOnly ToDay { get; set; }
    public int Desks { get; set; }
    public string Reason { get; set; } = "";
}

/// <summary>An office closed on some days.</summary>
public sealed class Closure
{
    public int Id { get; set; }
    public int OfficeId { get; set; }
    public DateOnly FromDay { get; set; }
    public DateOnly ToDay { get; set; }
    public string Reason { get; set; } = "";
}

/// <summary>A municipal holiday: no office gives appointments.</summary>
public sealed class Holiday
{
    public DateOnly Day { get; set; }
    public required string Name { get; set; }
}

/// <summary>
/// An appointment, from its hold to its end. A hold occupies a desk like a booking (the exclusion constraint counts both)
/// and carries no personal data; the person is written at confirmation. States: held, booked, checked_in, attended,
/// cancelled, no_show.
/// </summary>
public sealed class Booking
{
    public long Id { get; set; }
    public string? Folio { get; set; }
    public string? TokenHash { get; set; }
    public string? HoldKey { get; set; }
    public string? Challenge { get; set; }
    public DateTime? HoldExpiresAt { get; set; }
    public int OfficeId { get; set; }
    public int ServiceId { get; set; }
    public required string Procedure { get; set; }
    public int[] ExtraServiceIds { get; set; } = [];
    public int Desk { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    public required string State { get; set; }
    public string? Curp { get; set; }
    public string? GivenNames { get; set; }
    public string? Surname1 { get; set; }
    public string? Surname2 { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public bool Synthetic { get; set; }
    public DateTime Created { get; set; }
    public DateTime? ConfirmedAt { get; set; }
    public DateTime? CancelledAt { get; set; }
    public DateTime? CheckedInAt { get; set; }
    public DateTime? ReminderQueuedAt { get; set; }
}

/// <summary>A turn in an office's queue: from a checked-in appointment or a walk-in ticket.</summary>
public sealed class Turn
{
    public long Id { get; set; }
    public int OfficeId { get; set; }
    public int ServiceId { get; set; }
    public DateOnly Day { get; set; }
    public required string Prefix { get; set; }
    public int Number { get; set; }
    public required string Code { get; set; }
    /// <summary>appointment or walkin.</summary>
    public required string Kind { get; set; }
    /// <summary>null, or senior, disability, pregnancy.</summary>
    public string? Priority { get; set; }
    public long? BookingId { get; set; }
    /// <summary>When the turn is due: the appointment's time, or the ticket's creation.</summary>
    public DateTime DueAt { get; set; }
    /// <summary>waiting, called, serving, parked, missed, done, no_show.</summary>
    public required string State { get; set; }
    public string? Desk { get; set; }
    public string? DeskUserId { get; set; }
    public int CallCount { get; set; }
    public DateTime Created { get; set; }
    public DateTime? CalledAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string? Notes { get; set; }
    public string? SurveyKey { get; set; }
    /// <summary>When the "your turn is coming up" message was queued (once per turn, set under the row lock).</summary>
    public DateTime? HeadsUpAt { get; set; }
    public bool Synthetic { get; set; }
}

/// <summary>The last turn number given per office, prefix and day: the row lock that keeps numbers unique and consecutive.</summary>
public sealed class TurnCounter
{
    public int OfficeId { get; set; }
    public required string Prefix { get; set; }
    public DateOnly Day { get; set; }
    public int Last { get; set; }
}

/// <summary>A desk opened by a staff member: where they call turns from, and for which services (empty: all).</summary>
public sealed class Desk
{
    public required string UserId { get; set; }
    public int OfficeId { get; set; }
    public required string Name { get; set; }
    public int[] ServiceIds { get; set; } = [];
    public DateTime OpenedAt { get; set; }
}

/// <summary>Which offices a staff account works at (kiosks included): their turns are the only ones it may act on.</summary>
public sealed class StaffOffice
{
    public required string UserId { get; set; }
    public int OfficeId { get; set; }
}

/// <summary>One satisfaction answer per visit.</summary>
public sealed class Survey
{
    public long TurnId { get; set; }
    public int Score { get; set; }
    public string? Comment { get; set; }
    public DateTime Created { get; set; }
}

/// <summary>Messages to citizens (confirmations, reminders), sent by the mail job or read by staff when no SMTP is configured.</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public long? BookingId { get; set; }
    public required string To { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DateTime Created { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

/// <summary>Open data: one row per office, service and day, aggregated so that no person can be identified.</summary>
public sealed class DailyStat
{
    public required string Id { get; set; }
    public DateOnly Day { get; set; }
    public required string Office { get; set; }
    public required string OfficeName { get; set; }
    public required string Procedure { get; set; }
    public required string ServiceName { get; set; }
    public int Booked { get; set; }
    public int Attended { get; set; }
    public int NoShow { get; set; }
    public int Cancelled { get; set; }
    public int WalkIns { get; set; }
    public double? WaitMedianMin { get; set; }
    public double? WaitP90Min { get; set; }
    public double? ServiceMedianMin { get; set; }
    public double? ServiceP90Min { get; set; }
    public int Surveys { get; set; }
    public double? SurveyMean { get; set; }
    /// <summary>registrado (computed from the office's turns and appointments) or ilustrativo (the synthetic history).</summary>
    public string Origin { get; set; } = "registrado";
    public required Point Geom { get; set; }
}

/// <summary>One change staff made to offices, services, schedules, absences, closures or holidays: who, when, before and after (JSON).</summary>
public sealed class AdminChange
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public required string UserId { get; set; }
    public required string UserName { get; set; }
    /// <summary>office, service, schedules, absence, closure, holiday.</summary>
    public required string Entity { get; set; }
    public required string EntityKey { get; set; }
    /// <summary>create, update, delete (or deactivate).</summary>
    public required string Action { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
}
