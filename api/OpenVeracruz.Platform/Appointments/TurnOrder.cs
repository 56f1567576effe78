using Npgsql;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>
/// Who is called next: appointments that are due (their time within the next 5 minutes), then priority turns (seniors,
/// disability, pregnancy), then everyone else by when they were due (an appointment's time, a ticket's creation), oldest first.
/// </summary>
public static class TurnOrder
{
    public const int DueWithinMinutes = 5;

    /// <summary>The order as a sortable key (the queue view sorts by it).</summary>
    public static (bool NotDueAppointment, bool NotPriority, DateTime Due, long Id) Key(string kind, string? priority, DateTime dueUtc, long id, DateTime nowUtc) =>
        (!(kind == "appointment" && dueUtc <= nowUtc.AddMinutes(DueWithinMinutes)), priority is null, dueUtc, id);

    /// <summary>The same key as an SQL row value of the turn aliased <paramref name="a"/> (call next orders by it).</summary>
    public static string Sql(string a) =>
        $"(NOT ({a}.kind = 'appointment' AND {a}.due_at <= now() + interval '{DueWithinMinutes} minutes'), {a}.priority IS NULL, {a}.due_at, {a}.id)";

    public static string Spanish(string state) => state switch
    {
        "waiting" => "en espera",
        "called" => "llamado",
        "serving" => "en atención",
        "parked" => "apartado",
        "missed" => "no acudió al llamado",
        "done" => "atendido",
        "no_show" => "no se presentó",
        _ => state,
    };
}

/// <summary>Estimated waits from the live queue and the recent service times.</summary>
public static class Waits
{
    /// <summary>Minutes until called: the turns ahead, each taking the recent median service time, shared by the open desks.</summary>
    public static int Estimate(int ahead, double minutesPerTurn, int desks) => (int)Math.Ceiling(ahead * minutesPerTurn / Math.Max(1, desks));

    /// <summary>The median of the last 30 service times of a service (its nominal duration before any), and the desks open for it.</summary>
    public static async Task<(double Minutes, int Desks)> ServiceMinutesAndDesksAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, int officeId, int serviceId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.finished_at - x.started_at) / 60)
                               FROM (SELECT finished_at, started_at FROM appointments.turns WHERE service_id = @s AND state = 'done' AND started_at IS NOT NULL
                                     ORDER BY finished_at DESC LIMIT 30) x),
                            (SELECT duration_minutes FROM appointments.services WHERE id = @s)),
                   (SELECT count(*)::int FROM appointments.desks WHERE office_id = @o AND (cardinality(service_ids) = 0 OR @s = ANY(service_ids)))
            """, conn, tx);
        cmd.Parameters.AddWithValue("s", serviceId);
        cmd.Parameters.AddWithValue("o", officeId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetDouble(0), r.GetInt32(1));
    }
}
