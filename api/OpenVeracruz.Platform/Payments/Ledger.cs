using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>Money a channel received for a reference. <see cref="ExternalId"/> is the channel's own id of the operation (unique per channel).</summary>
public sealed record PaymentClaim(string Channel, string Method, string Reference, decimal Amount, DateTime ReceivedAt, int? KioskId = null, string? ExternalId = null);

public sealed record PaymentResult(long PaymentId, string Status, string? RefundReason, string Reference, string Clave, string Concept, int[] Years,
    decimal Amount, string Channel, string Method, DateTime ReceivedAt, bool Replayed);

/// <summary>
/// The one interface every channel (kiosk, online gateway, bank file) pays through, inside the caller's transaction.
/// A reference is applied at most once (a unique index on applied payments per order); whatever else is received for it —
/// a second channel at the same moment, a reference already paid, an expired one or another amount taken by the bank or
/// the gateway, a debt already paid through another reference — is kept and listed for refund, never dropped or applied twice.
/// A channel that can still refuse before taking the money (the kiosk) asks for <paramref name="strict"/>: then an
/// expired reference or another amount is a 400 and nothing is written.
/// </summary>
public static class Ledger
{
    public const string AlreadyPaid = "reference_already_paid", DebtAlreadyPaid = "debt_already_paid", AmountDiffers = "amount_differs", Expired = "expired";

    public static async Task<PaymentResult> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PaymentClaim claim, bool strict, CancellationToken ct)
    {
        var order = await OrderEndpoints.FindAsync(conn, tx, claim.Reference, ct)
            ?? throw new BadRequestException($"No payment order has reference {claim.Reference}", $"No existe ninguna orden de pago con la línea de captura {claim.Reference}", "reference", 404);
        if (claim.ExternalId is not null && await ExistingAsync(conn, tx, claim, order, ct) is { } seen) return seen;

        string? reason = null;
        if (claim.ReceivedAt >= order.ExpiresAt) reason = Expired;
        else if (claim.Amount != order.Amount) reason = AmountDiffers;
        if (strict && reason == Expired)
            throw new BadRequestException($"The reference expired on {order.Expires:yyyy-MM-dd}: ask for a new payment order", $"La línea de captura venció el {order.Expires:yyyy-MM-dd}: solicite una nueva orden de pago", "reference");
        if (strict && reason == AmountDiffers)
            throw new BadRequestException($"The amount {claim.Amount:0.00} differs from the order's {order.Amount:0.00}", $"El importe {claim.Amount:0.00} no coincide con el de la orden, {order.Amount:0.00}", "amount");

        long? id = null;
        if (reason is null)
        {
            id = await InsertAsync(conn, tx, claim, order, PaymentStatus.Applied, null, ct);
            if (id is null)
            {
                if (claim.ExternalId is not null && await ExistingAsync(conn, tx, claim, order, ct) is { } raced) return raced;
                reason = AlreadyPaid;
            }
        }
        if (reason is not null)
        {
            id = await InsertAsync(conn, tx, claim, order, PaymentStatus.Refund, reason, ct);
            if (id is null) return (await ExistingAsync(conn, tx, claim, order, ct))!;
            return Result(id.Value, PaymentStatus.Refund, reason, claim, order, false);
        }

        // the years the order covers become paid; one already paid through another reference makes this payment a refund
        await using var settle = new NpgsqlCommand("""
            INSERT INTO payments.settled_years (clave, year, payment_id, source, settled_at)
            SELECT @c, y, @p, 'payment', now() FROM unnest(@years) y ON CONFLICT DO NOTHING
            """, conn, tx);
        settle.Parameters.AddWithValue("c", order.Clave);
        settle.Parameters.AddWithValue("p", id!.Value);
        settle.Parameters.AddWithValue("years", order.Years);
        var settled = await settle.ExecuteNonQueryAsync(ct);
        var status = settled == order.Years.Length ? PaymentStatus.Applied : PaymentStatus.Refund;
        await using var finish = new NpgsqlCommand(status == PaymentStatus.Applied
            ? "UPDATE payments.orders SET state = 'paid', paid_at = @at WHERE reference = @r"
            : """
              DELETE FROM payments.settled_years WHERE payment_id = @p;
              UPDATE payments.payments SET status = 'refund', refund_reason = 'debt_already_paid' WHERE id = @p;
              UPDATE payments.orders SET state = 'superseded' WHERE reference = @r AND state = 'open';
              """, conn, tx);
        finish.Parameters.AddWithValue("at", claim.ReceivedAt);
        finish.Parameters.AddWithValue("r", order.Reference);
        finish.Parameters.AddWithValue("p", id.Value);
        await finish.ExecuteNonQueryAsync(ct);
        return Result(id.Value, status, status == PaymentStatus.Refund ? DebtAlreadyPaid : null, claim, order, false);
    }

    private static PaymentResult Result(long id, string status, string? reason, PaymentClaim claim, OrderView order, bool replayed) =>
        new(id, status, reason, order.Reference, order.Clave, order.Concept, order.Years, claim.Amount, claim.Channel, claim.Method, claim.ReceivedAt, replayed);

    /// <summary>Inserts the payment unless a unique index stops it (the order already has an applied payment, or the channel's id was recorded).</summary>
    private static async Task<long?> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PaymentClaim claim, OrderView order, string status, string? reason, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO payments.payments (order_id, reference, channel, method, amount, received_at, recorded_at, kiosk_id, external_id, status, refund_reason)
            SELECT o.id, o.reference, @channel, @method, @amount, @received, now(), @kiosk, @external, @status, @reason
            FROM payments.orders o WHERE o.reference = @r
            ON CONFLICT DO NOTHING RETURNING id
            """, conn, tx);
        cmd.Parameters.AddWithValue("channel", claim.Channel);
        cmd.Parameters.AddWithValue("method", claim.Method);
        cmd.Parameters.AddWithValue("amount", claim.Amount);
        cmd.Parameters.AddWithValue("received", claim.ReceivedAt);
        cmd.Parameters.AddWithValue("kiosk", (object?)claim.KioskId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("external", (object?)claim.ExternalId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("status", status);
        cmd.Parameters.AddWithValue("reason", (object?)reason ?? DBNull.Value);
        cmd.Parameters.AddWithValue("r", order.Reference);
        return await cmd.ExecuteScalarAsync(ct) as long?;
    }

    /// <summary>The payment already recorded for this channel operation (a webhook or a bank line delivered again).</summary>
    private static async Task<PaymentResult?> ExistingAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PaymentClaim claim, OrderView order, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT id, status, refund_reason, amount, method, received_at FROM payments.payments WHERE channel = @channel AND external_id = @external
            """, conn, tx);
        cmd.Parameters.AddWithValue("channel", claim.Channel);
        cmd.Parameters.AddWithValue("external", claim.ExternalId!);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new PaymentResult(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), order.Reference, order.Clave, order.Concept, order.Years,
            r.GetDecimal(3), claim.Channel, r.GetString(4), r.GetDateTime(5), Replayed: true);
    }
}
