using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Maintenance;

public static class TicketState
{
    public const string Reported = "reported", Assigned = "assigned", InProgress = "in_progress", Resolved = "resolved", Closed = "closed", Reopened = "reopened";
    public static readonly string[] All = [Reported, Assigned, InProgress, Resolved, Closed, Reopened];
    /// <summary>States in which a ticket still needs work (the open ones).</summary>
    public static readonly string[] Open = [Reported, Assigned, InProgress, Reopened];

    public static string Spanish(string s) => s switch
    {
        Reported => "reportado", Assigned => "asignado", InProgress => "en proceso", Resolved => "resuelto", Closed => "cerrado", Reopened => "reabierto", _ => s,
    };
}

/// <summary>The ticket's life: which action leads from which state to which. Anything else is a 409 in both languages.</summary>
public static class TicketFlow
{
    public const string Assign = "assign", Take = "take", Start = "start", Resolve = "resolve", Close = "close", Reopen = "reopen";

    public static string Next(string state, string action, bool assigned) => (action, state) switch
    {
        (Assign, TicketState.Reported or TicketState.Assigned or TicketState.Reopened or TicketState.InProgress) => TicketState.Assigned,
        (Take, TicketState.Reported or TicketState.Reopened) when !assigned => TicketState.Assigned,
        (Take, _) when assigned => throw Refused("it is already assigned; a supervisor may reassign it", "ya está asignado; un supervisor puede reasignarlo", state, action),
        (Start, TicketState.Assigned or TicketState.Reopened) when assigned => TicketState.InProgress,
        (Resolve, TicketState.InProgress) => TicketState.Resolved,
        (Close, TicketState.Resolved) => TicketState.Closed,
        (Close, _) when !assigned => throw Refused("nobody has been assigned to it: it must be assigned and resolved first", "nadie lo tiene asignado: primero debe asignarse y resolverse", state, action),
        (Reopen, TicketState.Resolved or TicketState.Closed) => TicketState.Reopened,
        _ => throw Refused($"'{action}' is not possible from '{state}'", $"'{Spanish(action)}' no es posible desde '{TicketState.Spanish(state)}'", state, action),
    };

    public static string Spanish(string action) => action switch
    {
        Assign => "asignar", Take => "tomar", Start => "iniciar", Resolve => "resolver", Close => "cerrar", Reopen => "reabrir", _ => action,
    };

    private static DomainRuleException Refused(string why, string whyEs, string state, string action) =>
        new($"The ticket cannot {action} ({state}): {why}", $"No se puede {Spanish(action)} el ticket ({TicketState.Spanish(state)}): {whyEs}");
}
