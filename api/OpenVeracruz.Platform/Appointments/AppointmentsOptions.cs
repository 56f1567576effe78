using System.Net;
using Microsoft.AspNetCore.Http;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>Section "Appointments" of the configuration.</summary>
public sealed class AppointmentsOptions
{
    /// <summary>How long a chosen slot is kept for the person typing their data.</summary>
    public int HoldMinutes { get; set; } = 5;
    public int MinLeadMinutes { get; set; } = 60;
    public int HorizonDays { get; set; } = 60;
    public int CheckInEarlyMinutes { get; set; } = 20;
    public int CheckInLateMinutes { get; set; } = 10;
    /// <summary>Calls before a turn that does not show up becomes missed.</summary>
    public int MaxCalls { get; set; } = 3;
    /// <summary>A booked turn with an e-mail gets a heads-up when it becomes one of the next N of its service (0 turns it off); the screen shows the next N codes.</summary>
    public int HeadsUpTurnsAhead { get; set; } = 3;
    /// <summary>Leading zero bits of the proof of work asked at confirmation (0 turns it off).</summary>
    public int ChallengeBits { get; set; } = 14;
    public int MaxBookingsPerCurpPerDay { get; set; } = 5;
    /// <summary>Holds, confirmations, cancellations and reschedules per client address and minute.</summary>
    public int CitizenWritesPerAddressPerMinute { get; set; } = 30;
    /// <summary>Synthetic appointments per year in the illustrative history (the programme's goal is 13,200).</summary>
    public int HistoryPerYear { get; set; } = 13_200;
    public string PublicBaseUrl { get; set; } = "";
    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 25;
    public string From { get; set; } = "cerofilas@veracruz.gob.mx";
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
    public bool Ssl { get; set; }
}

/// <summary>Errors of this feature as RFC 9457 problems (the one exception handler writes them).</summary>
internal static class Fail
{
    public static BadRequestException Bad(string en, string es, string? parameter = null) => new(en, es, parameter);
    public static BadRequestException NotFound(string en, string es) => new(en, es, null, 404);
    public static BadRequestException Status(int status, string en, string es) => new(en, es, null, status);
    public static DomainRuleException Conflict(string en, string es) => new(en, es);
}

