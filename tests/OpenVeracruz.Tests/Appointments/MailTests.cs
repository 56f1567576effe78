using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Appointments;
using static OpenVeracruz.Tests.Appointments.CitasKit;

namespace OpenVeracruz.Tests.Appointments;

/// <summary>
/// A real SMTP server on a loopback port, small enough to read: it speaks the protocol's replies (220, 250, 354, 221)
/// and records each message's recipients and data, or refuses every sender with the reply it is given (554).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _refusal;
    private readonly List<(string[] To, string Data)> _messages = [];

    public SmtpSink(string? refusal = null)
    {
        _refusal = refusal;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public IReadOnlyList<(string[] To, string Data)> Messages { get { lock (_messages) return [.. _messages]; } }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 sink.test ESMTP");
        var to = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', ':')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO": await writer.WriteLineAsync("250 sink.test"); break;
                case "MAIL": to.Clear(); await writer.WriteLineAsync(_refusal ?? "250 2.1.0 OK"); break;
                case "RCPT": to.Add(line[(line.IndexOf(':') + 1)..].Trim(' ', '<', '>')); await writer.WriteLineAsync("250 2.1.5 OK"); break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } l && l != ".") data.AppendLine(l);
                    lock (_messages) _messages.Add(([.. to], data.ToString()));
                    await writer.WriteLineAsync("250 2.0.0 Queued");
                    break;
                case "QUIT": await writer.WriteLineAsync("221 2.0.0 Bye"); return;
                default: await writer.WriteLineAsync("250 OK"); break; // RSET, NOOP
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The reminder the day before and the mail job: through a real SMTP conversation, a refusing server, a closed port, or no SMTP at all.</summary>
[Collection(nameof(CeroFilasBackOffice))]
public class MailTests(CeroFilasBackOffice fixture) : CitasTests(fixture)
{
    private static SendOutboxJob Job(PlatformFixture f, int? port) => new(f.Db,
        Options.Create(new AppointmentsOptions { Smtp = new SmtpOptions { Host = port is null ? "" : "127.0.0.1", Port = port ?? 25 } }), NullLogger<SendOutboxJob>.Instance);

    private async Task<(long Booking, string Email)> BookWithEmailAsync()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var email = $"cita.{Guid.NewGuid():N}@example.mx";
        var (status, conf) = await BookAsync(Citizen(f), svc.ServiceId, At(await FreeDayAsync(f, ahead: 6), "11:00"), NewCurp(), email);
        Assert.Equal(HttpStatusCode.Created, status);
        return (await f.ScalarAsync<long>("SELECT id FROM appointments.bookings WHERE folio = @f", ("f", conf.GetProperty("folio").GetString()!)), email);
    }

    private Task<long> MessagesAsync(long booking, string where = "true") =>
        f.ScalarAsync<long>($"SELECT count(*) FROM appointments.outbox WHERE booking_id = @b AND {where}", ("b", booking));

    [Fact]
    public async Task The_reminder_of_tomorrows_appointment_is_queued_once_however_often_the_job_runs()
    {
        var (booking, _) = await BookWithEmailAsync();
        var tomorrow = Slots.LocalDay(DateTime.UtcNow).AddDays(1);
        await using (var move = f.Db.CreateCommand("UPDATE appointments.bookings SET ends_at = @t + (ends_at - starts_at), starts_at = @t WHERE id = @b"))
        {
            move.Parameters.AddWithValue("t", Slots.Utc(tomorrow, new TimeOnly(10, 0)));
            move.Parameters.AddWithValue("b", booking);
            await move.ExecuteNonQueryAsync();
        }
        await using (var scope = f.Services.CreateAsyncScope())
        {
            var housekeeping = scope.ServiceProvider.GetRequiredService<Housekeeping>();
            await Task.WhenAll(housekeeping.QueueRemindersAsync(), scope.ServiceProvider.GetRequiredService<Housekeeping>().QueueRemindersAsync());
            await housekeeping.QueueRemindersAsync();
        }
        Assert.Equal(1L, await MessagesAsync(booking, "subject LIKE 'Recordatorio%'"));
        Assert.Equal(1L, await MessagesAsync(booking, "subject NOT LIKE 'Recordatorio%'")); // the confirmation
    }

    [Fact]
    public async Task With_SMTP_configured_the_job_sends_through_a_real_conversation_and_marks_the_message_sent()
    {
        var (booking, email) = await BookWithEmailAsync();
        await using var sink = new SmtpSink();
        Assert.True(await Job(f, sink.Port).RunAsync() >= 1);
        var message = Assert.Single(sink.Messages, m => m.To.Contains(email));
        Assert.Contains("Subject:", message.Data);
        Assert.Equal(1L, await MessagesAsync(booking, "sent_at IS NOT NULL AND attempts = 1 AND last_error IS NULL"));
        // sent once: the next run has nothing of it to send
        await Job(f, sink.Port).RunAsync();
        Assert.Single(sink.Messages, m => m.To.Contains(email));
    }

    [Fact]
    public async Task A_refusing_server_or_a_closed_port_is_recorded_on_the_message_and_the_booking_stays()
    {
        var (booking, email) = await BookWithEmailAsync();
        await using (var refusing = new SmtpSink("554 5.7.1 Relay access denied"))
        {
            await Job(f, refusing.Port).RunAsync();
            Assert.Empty(refusing.Messages);
        }
        Assert.Equal(1L, await MessagesAsync(booking, "sent_at IS NULL AND attempts = 1 AND last_error IS NOT NULL"));
        int closed;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        await Job(f, closed).RunAsync();
        Assert.Equal(1L, await MessagesAsync(booking, "sent_at IS NULL AND attempts = 2 AND last_error IS NOT NULL"));
        Assert.Equal("booked", await f.ScalarAsync<string>("SELECT state FROM appointments.bookings WHERE id = @b", ("b", booking)));

        // without SMTP nothing is sent and supervisors read the outbox; a kiosk account does not
        Assert.Equal(0, await Job(f, null).RunAsync());
        var (_, _, supervisor) = await f.StaffAsync("supervisor");
        var (status, outbox, _) = await SendAsync(supervisor, HttpMethod.Get, "/api/appointments/admin/outbox?pending=true&limit=1000");
        Assert.Equal(HttpStatusCode.OK, status);
        var mine = Assert.Single(outbox.EnumerateArray(), m => m.GetProperty("to").GetString() == email);
        Assert.Equal(2, mine.GetProperty("attempts").GetInt32());
        Assert.False(string.IsNullOrEmpty(mine.GetProperty("lastError").GetString()));
        var (_, _, viewer) = await f.StaffAsync("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/appointments/admin/outbox")).StatusCode);
    }
}
