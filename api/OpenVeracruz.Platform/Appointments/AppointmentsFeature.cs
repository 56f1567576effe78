using System.Threading.RateLimiting;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Jobs;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>
/// Cero Filas: appointments, turns and waiting-room screens at the municipal offices. Its public layer (offices) is
/// declared in datasets/oficinas-cero-filas; see docs/APPOINTMENTS.md.
/// </summary>
public static class AppointmentsFeature
{
    public static IServiceCollection AddAppointments(this IServiceCollection s, IConfiguration config)
    {
        s.Configure<AppointmentsOptions>(config.GetSection("Appointments"));
        s.AddScoped<Housekeeping>();
        s.AddScoped<SendOutboxJob>();
        s.AddScoped<DailyStatsJob>();
        s.AddClientAddresses(config); // the per-address limits of citizen writes
        s.AddSingleton<TurnHub>();
        s.AddHostedService(sp => sp.GetRequiredService<TurnHub>());
        s.AddRateLimiter(o => o.AddPolicy(BookingEndpoints.CitizenLimiter, http => RateLimitPartition.GetFixedWindowLimiter(http.RequestServices.GetRequiredService<ClientAddresses>().KeyOf(http), _ =>
            new FixedWindowRateLimiterOptions
            {
                PermitLimit = http.RequestServices.GetRequiredService<IOptions<AppointmentsOptions>>().Value.CitizenWritesPerAddressPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })));
        return s;
    }

    public static IEndpointRouteBuilder MapAppointments(this IEndpointRouteBuilder app) => 
        app.MapBookingEndpoints().MapTurnEndpoints().MapScreenEndpoints().MapAdminEndpoints().MapReportEndpoints().MapSurveyEndpoints().MapCeroFilasPages();

    /// <summary>The seed (offices, services, schedules, holidays) and the recurring jobs.</summary>
    public static async Task PrepareAppointmentsAsync(this IServiceProvider services, IConfiguration config)
    {
        await using (var scope = services.CreateAsyncScope())
            await Seed.EnsureAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), Slots.LocalDay(DateTime.UtcNow));
        await History.EnsureAsync(services.GetRequiredService<NpgsqlDataSource>(), Slots.LocalDay(DateTime.UtcNow),
            services.GetRequiredService<IOptions<AppointmentsOptions>>().Value.HistoryPerYear);
        if (!JobsFeature.Enabled(config)) return;
        var jobs = services.GetRequiredService<IRecurringJobManager>();
        jobs.AddOrUpdate<Housekeeping>("appointments-housekeeping", j => j.RunAsync(), Cron.Minutely());
        jobs.AddOrUpdate<Housekeeping>("appointments-reminders", j => j.QueueRemindersAsync(), "0 15 * * *"); // 09:00 in Veracruz
        jobs.AddOrUpdate<SendOutboxJob>("appointments-outbox", j => j.RunAsync(), "*/5 * * * *");
        jobs.AddOrUpdate<DailyStatsJob>("appointments-daily-stats", j => j.RunAsync(), "30 6 * * *"); // 00:30 in Veracruz: yesterday's open data
    }
}

/// <summary>What keeps the appointments honest without trusting any client: holds expire, unattended times lapse, reminders are queued.</summary>
public sealed class Housekeeping(NpgsqlDataSource ds)
{
    public async Task RunAsync()
    {
        await using var cmd = ds.CreateCommand("""
            DELETE FROM appointments.bookings WHERE state = 'held' AND hold_expires_at <= now();
            UPDATE appointments.bookings SET state = 'no_show' WHERE state = 'booked' AND ends_at < now() - interval '1 hour';
            """);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>One reminder per appointment of tomorrow (Veracruz's day) that has an e-mail address.</summary>
    public async Task<int> QueueRemindersAsync()
    {
        var tomorrow = Slots.LocalDay(DateTime.UtcNow).AddDays(1);
        var ids = new List<(long Id, string To)>();
        await using var conn = await ds.OpenConnectionAsync();
        await using (var cmd = new NpgsqlCommand("SELECT id, email FROM appointments.bookings WHERE state = 'booked' AND email IS NOT NULL AND reminder_queued_at IS NULL AND starts_at >= @a AND starts_at < @b", conn))
        {
            cmd.Parameters.AddWithValue("a", Slots.Utc(tomorrow, TimeOnly.MinValue));
            cmd.Parameters.AddWithValue("b", Slots.Utc(tomorrow.AddDays(1), TimeOnly.MinValue));
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) ids.Add((r.GetInt64(0), r.GetString(1)));
        }
        foreach (var (id, to) in ids)
        {
            await using var tx = await conn.BeginTransactionAsync();
            await using var mark = new NpgsqlCommand("UPDATE appointments.bookings SET reminder_queued_at = now() WHERE id = @id AND reminder_queued_at IS NULL", conn, tx);
            mark.Parameters.AddWithValue("id", id);
            if (await mark.ExecuteNonQueryAsync() == 1)
            {
                var v = await BookingEndpoints.ViewAsync(conn, tx, id, CancellationToken.None);
                await Outbox.QueueAsync(conn, tx, id, to, $"Recordatorio: cita {v.Folio} mañana", Outbox.Reminder(v), CancellationToken.None);
            }
            await tx.CommitAsync();
        }
        return ids.Count;
    }
}
