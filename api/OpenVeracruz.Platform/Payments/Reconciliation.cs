using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>A difference the daily reconciliation found; supervisors resolve it with a reason (it is never deleted).</summary>
public sealed class ReconciliationItem
{
    public long Id { get; set; }
    public DateOnly Day { get; set; }
    public required string Channel { get; set; }
    /// <summary>paid_without_receipt, receipt_without_settlement, amount_differs, settled_without_payment.</summary>
    public required string Kind { get; set; }
    /// <summary>The payment id or the gateway's intent id the difference is about.</summary>
    public required string Subject { get; set; }
    public decimal? Expected { get; set; }
    public decimal? Actual { get; set; }
    public DateTime DetectedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    public string? Resolution { get; set; }
}

/// <summary>The totals of one channel on one day, as the last run found them.</summary>
public sealed class ReconciliationDay
{
    public DateOnly Day { get; set; }
    public required string Channel { get; set; }
    public int ReceivedCount { get; set; }
    public decimal ReceivedTotal { get; set; }
    public int AppliedCount { get; set; }
    public decimal AppliedTotal { get; set; }
    public int RefundCount { get; set; }
    public decimal RefundTotal { get; set; }
    public int SettledCount { get; set; }
    public decimal SettledTotal { get; set; }
    public int OpenDifferences { get; set; }
    public DateTime RunAt { get; set; }
}

public sealed class ReconciliationConfig : IEntityTypeConfiguration<ReconciliationItem>, IEntityTypeConfiguration<ReconciliationDay>
{
    public void Configure(EntityTypeBuilder<ReconciliationItem> b)
    {
        b.ToTable("reconciliation_items", PaymentsConfig.Schema, t => t.HasCheckConstraint("ck_reconciliation_items_kind",
            "kind IN ('paid_without_receipt', 'receipt_without_settlement', 'amount_differs', 'settled_without_payment')"));
        b.HasKey(i => i.Id);
        b.Property(i => i.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(i => i.Day).HasColumnName("day");
        b.Property(i => i.Channel).HasColumnName("channel").HasMaxLength(10);
        b.Property(i => i.Kind).HasColumnName("kind").HasMaxLength(30);
        b.Property(i => i.Subject).HasColumnName("subject").HasMaxLength(40);
        // a run again finds the same difference: one row
        b.HasIndex(i => new { i.Day, i.Channel, i.Kind, i.Subject }).IsUnique();
        b.Property(i => i.Expected).HasColumnName("expected").HasPrecision(14, 2);
        b.Property(i => i.Actual).HasColumnName("actual").HasPrecision(14, 2);
        b.Property(i => i.DetectedAt).HasColumnName("detected_at");
        b.Property(i => i.ResolvedAt).HasColumnName("resolved_at");
        b.Property(i => i.ResolvedBy).HasColumnName("resolved_by");
        b.Property(i => i.Resolution).HasColumnName("resolution");
    }

    public void Configure(EntityTypeBuilder<ReconciliationDay> b)
    {
        b.ToTable("reconciliation_days", PaymentsConfig.Schema);
        b.HasKey(d => new { d.Day, d.Channel });
        b.Property(d => d.Day).HasColumnName("day");
        b.Property(d => d.Channel).HasColumnName("channel").HasMaxLength(10);
        b.Property(d => d.ReceivedCount).HasColumnName("received_count");
        b.Property(d => d.ReceivedTotal).HasColumnName("received_total").HasPrecision(16, 2);
        b.Property(d => d.AppliedCount).HasColumnName("applied_count");
        b.Property(d => d.AppliedTotal).HasColumnName("applied_total").HasPrecision(16, 2);
        b.Property(d => d.RefundCount).HasColumnName("refund_count");
        b.Property(d => d.RefundTotal).HasColumnName("refund_total").HasPrecision(16, 2);
        b.Property(d => d.SettledCount).HasColumnName("settled_count");
        b.Property(d => d.SettledTotal).HasColumnName("settled_total").HasPrecision(16, 2);
        b.Property(d => d.OpenDifferences).HasColumnName("open_differences");
        b.Property(d => d.RunAt).HasColumnName("run_at");
    }
}

public sealed record ChannelDay(string Channel, int ReceivedCount, decimal ReceivedTotal, int AppliedCount, decimal AppliedTotal,
    int RefundCount, decimal RefundTotal, int SettledCount, decimal SettledTotal, int OpenDifferences);

public sealed record DifferenceView(long Id, string Channel, string Kind, string Subject, decimal? Expected, decimal? Actual, DateTime DetectedAt,
    DateTime? ResolvedAt, string? ResolvedBy, string? Resolution);

public sealed record ReconciliationReport(DateOnly Day, IReadOnlyList<ChannelDay> Channels, ChannelDay Total, IReadOnlyList<DifferenceView> Differences);

public sealed record RunRequest(DateOnly? Day);

public sealed record ResolveRequest(string? Reason);

public sealed record RefundView(long PaymentId, string Reference, string Channel, string Method, decimal Amount, DateTime ReceivedAt, string Reason);

/// <summary>
/// The daily reconciliation per channel (GovPay's "riconciliazione"): our payments against the gateway's settlement (its
/// succeeded intents) and the bank's file; it lists payments without a receipt, receipts without settlement, amounts that
/// differ and settlements without a payment (a lost webhook). A difference that no longer holds on a later run is closed
/// as "auto"; the others wait for a supervisor's reason. Totals are kept per channel and day: received = applied + refund.
/// </summary>
public sealed class ReconciliationJob(NpgsqlDataSource db)
{
    /// <summary>Yesterday in Veracruz (the recurring job); a day may also be run again at any time.</summary>
    public Task RunYesterdayAsync() => RunAsync(PredialDebts.Today().AddDays(-1));

    private const string DayOf = "(({0}) AT TIME ZONE 'America/Mexico_City')::date";

    public async Task RunAsync(DateOnly day)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var pDay = string.Format(System.Globalization.CultureInfo.InvariantCulture, DayOf, "p.received_at");
        var iDay = string.Format(System.Globalization.CultureInfo.InvariantCulture, DayOf, "i.confirmed_at");
        await using (var cmd = new NpgsqlCommand($"""
            CREATE TEMP TABLE found ON COMMIT DROP AS
            SELECT p.channel, 'paid_without_receipt'::text AS kind, p.id::text AS subject, p.amount AS expected, NULL::numeric AS actual
            FROM payments.payments p WHERE {pDay} = @d AND p.status = 'applied' AND NOT EXISTS (SELECT 1 FROM payments.receipts r WHERE r.payment_id = p.id)
            UNION ALL
            SELECT 'online', 'receipt_without_settlement', p.id::text, p.amount, NULL
            FROM payments.payments p JOIN payments.receipts r ON r.payment_id = p.id
            WHERE {pDay} = @d AND p.channel = 'online' AND NOT EXISTS (SELECT 1 FROM payments.gateway_intents i WHERE i.id = p.external_id AND i.status = 'succeeded')
            UNION ALL
            SELECT 'online', 'amount_differs', p.id::text, i.amount, p.amount
            FROM payments.payments p JOIN payments.gateway_intents i ON i.id = p.external_id
            WHERE {pDay} = @d AND p.channel = 'online' AND i.amount <> p.amount
            UNION ALL
            SELECT 'online', 'settled_without_payment', i.id, i.amount, NULL
            FROM payments.gateway_intents i
            WHERE {iDay} = @d AND i.status = 'succeeded' AND NOT EXISTS (SELECT 1 FROM payments.payments p WHERE p.channel = 'online' AND p.external_id = i.id);

            INSERT INTO payments.reconciliation_items (day, channel, kind, subject, expected, actual, detected_at)
            SELECT @d, channel, kind, subject, expected, actual, now() FROM found ON CONFLICT DO NOTHING;
            UPDATE payments.reconciliation_items it SET resolved_at = now(), resolved_by = 'auto', resolution = 'Ya no se presenta en la conciliación / no longer found'
            WHERE it.day = @d AND it.resolved_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM found f WHERE (f.channel, f.kind, f.subject) = (it.channel, it.kind, it.subject));

            INSERT INTO payments.reconciliation_days AS t (day, channel, received_count, received_total, applied_count, applied_total,
                refund_count, refund_total, settled_count, settled_total, open_differences, run_at)
            SELECT @d, c.channel,
                   count(p.id)::int, coalesce(sum(p.amount), 0),
                   count(p.id) FILTER (WHERE p.status = 'applied')::int, coalesce(sum(p.amount) FILTER (WHERE p.status = 'applied'), 0),
                   count(p.id) FILTER (WHERE p.status = 'refund')::int, coalesce(sum(p.amount) FILTER (WHERE p.status = 'refund'), 0),
                   CASE WHEN c.channel = 'online' THEN (SELECT count(*) FROM payments.gateway_intents i WHERE {iDay} = @d AND i.status = 'succeeded')::int
                        ELSE count(p.id)::int END,
                   CASE WHEN c.channel = 'online' THEN (SELECT coalesce(sum(i.amount), 0) FROM payments.gateway_intents i WHERE {iDay} = @d AND i.status = 'succeeded')
                        ELSE coalesce(sum(p.amount), 0) END,
                   (SELECT count(*) FROM payments.reconciliation_items it WHERE it.day = @d AND it.channel = c.channel AND it.resolved_at IS NULL)::int,
                   now()
            FROM unnest(ARRAY['kiosk', 'online', 'bank']) c(channel)
            LEFT JOIN payments.payments p ON p.channel = c.channel AND {pDay} = @d
            GROUP BY c.channel
            ON CONFLICT (day, channel) DO UPDATE SET received_count = excluded.received_count, received_total = excluded.received_total,
                applied_count = excluded.applied_count, applied_total = excluded.applied_total, refund_count = excluded.refund_count,
                refund_total = excluded.refund_total, settled_count = excluded.settled_count, settled_total = excluded.settled_total,
                open_differences = excluded.open_differences, run_at = excluded.run_at;
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("d", day);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }
}

public static class ReconciliationEndpoints
{
    public static IEndpointRouteBuilder MapReconciliationEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/payments").WithTags("Multipagos / Payments");
        g.MapPost("/reconciliation/run", Run).RequireAuthorization(Roles.Supervisor).WithName("RunReconciliation")
            .WithSummary("Concilia un día ahora (por omisión ayer) / Reconcile a day now (yesterday by default)");
        g.MapGet("/reconciliation", Report).RequireAuthorization(Roles.Supervisor).WithName("ReconciliationReport")
            .WithSummary("Totales por canal y diferencias de un día / Totals per channel and differences of a day");
        g.MapPost("/reconciliation/items/{id:long}/resolve", Resolve).RequireAuthorization(Roles.Supervisor).WithName("ResolveDifference")
            .WithSummary("Resuelve una diferencia con motivo / Resolve a difference with a reason");
        g.MapGet("/refunds", Refunds).RequireAuthorization(Roles.Supervisor).WithName("ListRefunds")
            .WithSummary("Pagos recibidos que no pagan nada: a devolver / Money received that pays nothing: to refund");
        return app;
    }

    /// <summary>A day as YYYY-MM-DD (2000–2100), or <paramref name="fallback"/> (yesterday) when absent; otherwise a 400.</summary>
    public static DateOnly ParseDay(string? day, DateOnly? fallback = null) =>
        string.IsNullOrEmpty(day) ? fallback ?? PredialDebts.Today().AddDays(-1)
        : DateOnly.TryParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) && d.Year is >= 2000 and <= 2100 ? d
        : throw new BadRequestException("'day' must be a date as YYYY-MM-DD", "'day' debe ser una fecha como AAAA-MM-DD", "day");

    private static async Task<Ok<ReconciliationReport>> Run(RunRequest? body, ReconciliationJob job, NpgsqlDataSource db, CancellationToken ct)
    {
        var day = body?.Day ?? PredialDebts.Today().AddDays(-1);
        if (day.Year is < 2000 or > 2100) throw new BadRequestException("'day' must be between 2000 and 2100", "'day' debe estar entre 2000 y 2100", "day");
        await job.RunAsync(day);
        return TypedResults.Ok(await ReadAsync(db, day, ct));
    }

    private static async Task<Ok<ReconciliationReport>> Report(NpgsqlDataSource db, CancellationToken ct, string? day = null) =>
        TypedResults.Ok(await ReadAsync(db, ParseDay(day), ct));

    private static async Task<ReconciliationReport> ReadAsync(NpgsqlDataSource db, DateOnly day, CancellationToken ct)
    {
        var channels = new List<ChannelDay>();
        await using (var cmd = db.CreateCommand("""
            SELECT channel, received_count, received_total, applied_count, applied_total, refund_count, refund_total, settled_count, settled_total, open_differences
            FROM payments.reconciliation_days WHERE day = @d ORDER BY array_position(ARRAY['kiosk', 'online', 'bank'], channel::text)
            """))
        {
            cmd.Parameters.AddWithValue("d", day);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                channels.Add(new ChannelDay(r.GetString(0), r.GetInt32(1), r.GetDecimal(2), r.GetInt32(3), r.GetDecimal(4), r.GetInt32(5), r.GetDecimal(6),
                    r.GetInt32(7), r.GetDecimal(8), r.GetInt32(9)));
        }
        var total = new ChannelDay("total", channels.Sum(c => c.ReceivedCount), channels.Sum(c => c.ReceivedTotal), channels.Sum(c => c.AppliedCount),
            channels.Sum(c => c.AppliedTotal), channels.Sum(c => c.RefundCount), channels.Sum(c => c.RefundTotal), channels.Sum(c => c.SettledCount),
            channels.Sum(c => c.SettledTotal), channels.Sum(c => c.OpenDifferences));
        var items = new List<DifferenceView>();
        await using (var cmd = db.CreateCommand("""
            SELECT id, channel, kind, subject, expected, actual, detected_at, resolved_at, resolved_by, resolution
            FROM payments.reconciliation_items WHERE day = @d ORDER BY resolved_at IS NULL DESC, id
            """))
        {
            cmd.Parameters.AddWithValue("d", day);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) items.Add(Difference(r));
        }
        return new ReconciliationReport(day, channels, total, items);
    }

    private static async Task<Results<Ok<DifferenceView>, ProblemHttpResult>> Resolve(long id, ResolveRequest body, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > 1000)
            throw new BadRequestException("'reason' is required (at most 1000 characters)", "Falta 'reason' (máximo 1000 caracteres)", "reason");
        await using var cmd = db.CreateCommand("""
            UPDATE payments.reconciliation_items SET resolved_at = now(), resolved_by = @who, resolution = @why WHERE id = @id AND resolved_at IS NULL
            RETURNING id, channel, kind, subject, expected, actual, detected_at, resolved_at, resolved_by, resolution
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("who", StaffClaims.Who(user));
        cmd.Parameters.AddWithValue("why", StorableText.Clean(body.Reason.Trim()));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
            return Problems.NotFound($"No open difference {id}", $"No existe la diferencia pendiente {id}");
        return TypedResults.Ok(Difference(r));
    }

    /// <summary>id, channel, kind, subject, expected, actual, detected_at, resolved_at, resolved_by, resolution.</summary>
    private static DifferenceView Difference(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetDecimal(4), r.IsDBNull(5) ? null : r.GetDecimal(5),
            r.GetDateTime(6), r.IsDBNull(7) ? null : r.GetDateTime(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9));

    private static async Task<Ok<List<RefundView>>> Refunds(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, reference, channel, method, amount, received_at, refund_reason FROM payments.payments WHERE status = 'refund' ORDER BY received_at DESC LIMIT 1000
            """);
        var list = new List<RefundView>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new RefundView(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDecimal(4), r.GetDateTime(5), r.GetString(6)));
        return TypedResults.Ok(list);
    }
}
