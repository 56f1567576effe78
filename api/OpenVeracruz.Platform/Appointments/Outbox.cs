using System.Globalization;
using System.Net.Mail;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>
/// Messages to citizens go through a table: queued in the booking's own transaction, sent later by a job. Without SMTP
/// they stay there for staff to read; a failed send is recorded on the message and never touches the booking.
/// </summary>
public static class Outbox
{
    public static async Task QueueAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long? bookingId, string to, string subject, string body, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO appointments.outbox (booking_id, \"to\", subject, body, created, attempts) VALUES (@b, @t, @s, @m, now(), 0)", conn, tx);
        cmd.Parameters.AddWithValue("b", (object?)bookingId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("t", to);
        cmd.Parameters.AddWithValue("s", subject);
        cmd.Parameters.AddWithValue("m", body);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static readonly CultureInfo Es = CultureInfo.GetCultureInfo("es-MX");

    public static string When(DateTimeOffset t) => t.ToString("dddd d 'de' MMMM 'de' yyyy, HH:mm 'h'", Es);

    public static string Confirmation(BookingView v, string manageUrl) =>
        $"""
        Su cita quedó confirmada.

        Folio: {v.Folio}
        Trámite: {string.Join(", ", new[] { v.Service }.Concat(v.ExtraServices))}
        Cuándo: {When(v.Start)}
        Dónde: {v.Office}, {v.OfficeAddress}

        Requisitos: {v.Requirements}

        Llegue a partir de 20 minutos antes y registre su llegada en el kiosco con su folio o el código QR.
        Para ver, cambiar o cancelar su cita: {manageUrl}

        H. Ayuntamiento de Veracruz — Cero Filas
        """;

    public const string HeadsUpSubject = "Su turno está próximo / Your turn is coming up";

    /// <summary>Queued when a desk's call leaves the turn among the next few of its service: folio, turn code and office only.</summary>
    public static string HeadsUp(string folio, string code, string office) =>
        $"""
        Su turno está próximo: faltan pocos turnos para que lo llamen.

        Folio: {folio}
        Turno: {code}
        Dónde: {office}

        Esté atento a la pantalla de la sala de espera; si no acude al llamado, se llama al turno siguiente.

        Your turn is coming up: turn {code} (folio {folio}) at {office} will be called soon. Please watch the waiting-room screen.

        H. Ayuntamiento de Veracruz — Cero Filas
        """;

    public static string Reminder(BookingView v) =>
        $"""
        Le recordamos su cita de mañana.

        Folio: {v.Folio}
        Trámite: {string.Join(", ", new[] { v.Service }.Concat(v.ExtraServices))}
        Cuándo: {When(v.Start)}
        Dónde: {v.Office}, {v.OfficeAddress}

        Si ya no puede asistir, cancélela con el enlace de su confirmación para que otra persona use el horario.

        H. Ayuntamiento de Veracruz — Cero Filas
        """;
}

/// <summary>Sends what the outbox holds when SMTP is configured; each failure is written on its message.</summary>
public sealed class SendOutboxJob(NpgsqlDataSource ds, IOptions<AppointmentsOptions> opt, ILogger<SendOutboxJob> log)
{
    public async Task<int> RunAsync()
    {
        var smtp = opt.Value.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host)) return 0; // no relay: staff read the outbox
        var pending = new List<(long Id, string To, string Subject, string Body)>();
        await using (var cmd = ds.CreateCommand("SELECT id, \"to\", subject, body FROM appointments.outbox WHERE sent_at IS NULL AND attempts < 5 ORDER BY id LIMIT 200"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) pending.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)));
        using var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.Ssl, Timeout = 15_000 };
        if (smtp.User.Length > 0) client.Credentials = new System.Net.NetworkCredential(smtp.User, smtp.Password);
        var sent = 0;
        foreach (var m in pending)
        {
            string? error = null;
            try { await client.SendMailAsync(new MailMessage(smtp.From, m.To, m.Subject, m.Body)); sent++; }
            catch (Exception e) when (e is SmtpException or InvalidOperationException or FormatException)
            {
                error = e.Message;
                log.LogWarning("Outbox message {Id} not sent: {Error}", m.Id, e.Message);
            }
            await using var mark = ds.CreateCommand("UPDATE appointments.outbox SET attempts = attempts + 1, sent_at = CASE WHEN @e::text IS NULL THEN now() END, last_error = @e WHERE id = @id");
            mark.Parameters.AddWithValue("e", (object?)error ?? DBNull.Value);
            mark.Parameters.AddWithValue("id", m.Id);
            await mark.ExecuteNonQueryAsync();
        }
        return sent;
    }
}
