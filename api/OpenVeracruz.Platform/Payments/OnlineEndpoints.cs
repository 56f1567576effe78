using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

public sealed record IntentView(string IntentId, string Reference, decimal Amount, string Currency, string Status, string ConfirmUrl);

public sealed record WebhookAccepted(string EventId, bool Duplicate, PaymentResult? Payment);

/// <summary>
/// Online payment through a card gateway. The gateway here is SIMULATED but has a real one's shape: the platform creates a
/// payment intent for an order's amount; the citizen confirms it on the gateway (here an endpoint taking a test card
/// number); the gateway then sends an asynchronous webhook, signed with HMAC-SHA256 over "timestamp.body"
/// (<c>Gateway-Signature: t=…,v1=…</c>), which the platform verifies, refusing stale timestamps and processing each event
/// once. A bank's adapter replaces <see cref="SimulatedGateway"/> and the confirm endpoint; the webhook stays.
/// </summary>
public static class OnlineEndpoints
{
    public const string SignatureHeader = "Gateway-Signature";
    public const string DeclinedCard = "4000000000000002";

    public static IEndpointRouteBuilder MapOnlineEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/payments").WithTags("Multipagos / Payments");
        g.MapPost("/online/intents", CreateIntent).WithName("CreatePaymentIntent")
            .WithSummary("Inicia un pago en línea de una línea de captura (Idempotency-Key) / Start an online payment");
        g.MapPost("/gateway/intents/{id}/confirm", Confirm).WithName("SimulatedGatewayConfirm")
            .WithSummary("Pasarela SIMULADA: confirma el pago con una tarjeta de prueba / Simulated gateway: confirm with a test card");
        g.MapPost("/online/webhook", Webhook).WithName("GatewayWebhook")
            .WithSummary("Aviso firmado de la pasarela (Gateway-Signature: t=…,v1=…) / The gateway's signed webhook");
        return app;
    }

    private static async Task<IResult> CreateIntent(HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        var key = Idempotency.KeyOf(http.Request);
        var (text, body) = await Idempotency.ReadBodyAsync(http.Request, ct);
        var reference = OrderEndpoints.ParseReference(KioskEndpoints.TextOf(body, "reference"));
        return await Idempotency.RunAsync(http, db, "online", key, text, async (conn, tx) =>
        {
            var order = await OrderEndpoints.FindAsync(conn, tx, reference.Digits, ct)
                ?? throw new BadRequestException($"No payment order has reference {reference.Display}", $"No existe ninguna orden de pago con la línea de captura {reference.Display}", "reference", 404);
            if (order.State == OrderState.Paid)
                throw new DomainRuleException($"The reference {reference.Display} is already paid", $"La línea de captura {reference.Display} ya está pagada");
            if (order.ExpiresAt <= DateTime.UtcNow)
                throw new BadRequestException($"The reference expired on {order.Expires:yyyy-MM-dd}: ask for a new payment order", $"La línea de captura venció el {order.Expires:yyyy-MM-dd}: solicite una nueva orden de pago", "reference");
            var intent = await SimulatedGateway.CreateIntentAsync(conn, tx, order.Reference, order.Amount, ct);
            return (201, intent);
        }, ct);
    }

    private static async Task<Results<Ok<IntentView>, ProblemHttpResult>> Confirm(string id, HttpContext http, NpgsqlDataSource db, IOptions<PaymentsOptions> options, CancellationToken ct)
    {
        var (_, body) = await Idempotency.ReadBodyAsync(http.Request, ct);
        var card = KioskEndpoints.TextOf(body, "card").Replace(" ", "", StringComparison.Ordinal);
        if (card.Length is < 12 or > 19 || !card.All(char.IsAsciiDigit))
            throw new BadRequestException("'card' must be a card number of 12 to 19 digits (test cards only: this gateway is simulated)",
                "'card' debe ser un número de tarjeta de 12 a 19 dígitos (solo tarjetas de prueba: esta pasarela es simulada)", "card");
        return await SimulatedGateway.ConfirmAsync(db, id, card != DeclinedCard, ct) is { } intent
            ? TypedResults.Ok(intent)
            : Problems.NotFound($"No payment intent {id}", $"No existe la intención de pago {id}");
    }

    /// <summary>"t=…,v1=…" checked against HMAC-SHA256(secret, "t.body") in constant time, within the tolerance.</summary>
    public static bool Verify(string? header, string body, string secret, DateTimeOffset now, int toleranceSeconds)
    {
        if (string.IsNullOrEmpty(header) || header.Length > 500) return false;
        long? t = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) continue;
            if (kv[0].Trim() == "t" && long.TryParse(kv[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ts)) t = ts;
            else if (kv[0].Trim() == "v1") signatures.Add(kv[1].Trim());
        }
        if (t is null || Math.Abs(now.ToUnixTimeSeconds() - t.Value) > toleranceSeconds) return false;
        var expected = Sign(secret, t.Value, body);
        return signatures.Any(s => s.Length == expected.Length
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s.ToLowerInvariant()), Encoding.ASCII.GetBytes(expected)));
    }

    public static string Sign(string secret, long timestamp, string body) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body))).ToLowerInvariant();

    private static async Task<Results<Ok<WebhookAccepted>, ProblemHttpResult>> Webhook(HttpContext http, NpgsqlDataSource db, IOptions<PaymentsOptions> options, CancellationToken ct)
    {
        var (text, body) = await Idempotency.ReadBodyAsync(http.Request, ct);
        var o = options.Value.Gateway;
        if (!Verify(http.Request.Headers[SignatureHeader].ToString(), text, o.WebhookSecret, DateTimeOffset.UtcNow, o.ToleranceSeconds))
        {
            var p = Problems.Create(401, $"Missing, wrong or stale {SignatureHeader}: t=<unix time>,v1=<HMAC-SHA256 of \"t.body\">, within {o.ToleranceSeconds} s",
                $"Falta {SignatureHeader}, es incorrecta o es antigua: t=<tiempo unix>,v1=<HMAC-SHA256 de \"t.cuerpo\">, dentro de {o.ToleranceSeconds} s");
            return TypedResults.Problem(p);
        }
        var eventId = KioskEndpoints.TextOf(body, "id");
        var type = KioskEndpoints.TextOf(body, "type");
        if (!body.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            throw new BadRequestException("'data' is required", "Falta 'data'", "data");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var seen = new NpgsqlCommand("INSERT INTO payments.webhook_receipts (event_id, received_at) VALUES (@e, now()) ON CONFLICT DO NOTHING", conn, tx))
        {
            seen.Parameters.AddWithValue("e", eventId);
            // a second delivery of one event waits for the first, then changes nothing
            if (await seen.ExecuteNonQueryAsync(ct) == 0)
            {
                await tx.RollbackAsync(ct);
                return TypedResults.Ok(new WebhookAccepted(eventId, true, null));
            }
        }
        PaymentResult? payment = null;
        if (type == "payment_intent.succeeded")
        {
            var reference = OrderEndpoints.ParseReference(KioskEndpoints.TextOf(data, "reference"));
            var created = body.TryGetProperty("created", out var c) && c.TryGetInt64(out var unix) && unix is > 0 and < 4_102_444_800
                ? DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime : DateTime.UtcNow;
            payment = await Ledger.RecordAsync(conn, tx, new PaymentClaim(Channels.Online, "card", reference.Digits, KioskEndpoints.AmountOf(data),
                created, ExternalId: KioskEndpoints.TextOf(data, "intentId")), strict: false, ct);
            await using var link = new NpgsqlCommand("UPDATE payments.webhook_receipts SET payment_id = @p WHERE event_id = @e", conn, tx);
            link.Parameters.AddWithValue("p", payment.PaymentId);
            link.Parameters.AddWithValue("e", eventId);
            await link.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return TypedResults.Ok(new WebhookAccepted(eventId, false, payment));
    }
}

/// <summary>The simulated card gateway: intents, confirmation with a test card, and its outbox of events to deliver.</summary>
public static class SimulatedGateway
{
    private static string NewId(string prefix) => prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();

    public static async Task<IntentView> CreateIntentAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string reference, decimal amount, CancellationToken ct)
    {
        var id = NewId("pi_");
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO payments.gateway_intents (id, reference, amount, status, created_at) VALUES (@id, @r, @a, 'requires_confirmation', now())
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("r", reference);
        cmd.Parameters.AddWithValue("a", amount);
        await cmd.ExecuteNonQueryAsync(ct);
        return new IntentView(id, reference, amount, "MXN", "requires_confirmation", $"/api/payments/gateway/intents/{id}/confirm");
    }

    /// <summary>Confirms once: a second confirmation answers the intent's state and queues nothing.</summary>
    public static async Task<IntentView?> ConfirmAsync(NpgsqlDataSource db, string id, bool approved, CancellationToken ct)
    {
        if (id.Length > 40) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var update = new NpgsqlCommand("""
            UPDATE payments.gateway_intents SET status = @s, confirmed_at = now() WHERE id = @id AND status = 'requires_confirmation'
            RETURNING reference, amount, confirmed_at
            """, conn, tx))
        {
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("s", approved ? "succeeded" : "declined");
            await using var r = await update.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct) && approved)
            {
                var (reference, amount, at) = (r.GetString(0), r.GetDecimal(1), r.GetDateTime(2));
                await r.DisposeAsync();
                var eventId = NewId("evt_");
                var payload = JsonSerializer.Serialize(new
                {
                    id = eventId, type = "payment_intent.succeeded", created = new DateTimeOffset(at).ToUnixTimeSeconds(),
                    data = new { intentId = id, reference, amount, currency = "MXN" },
                });
                await using var outbox = new NpgsqlCommand("""
                    INSERT INTO payments.gateway_events (id, intent_id, type, payload, created_at, attempts) VALUES (@e, @i, 'payment_intent.succeeded', @p, now(), 0)
                    """, conn, tx);
                outbox.Parameters.AddWithValue("e", eventId);
                outbox.Parameters.AddWithValue("i", id);
                outbox.Parameters.AddWithValue("p", payload);
                await outbox.ExecuteNonQueryAsync(ct);
            }
        }
        await using var read = new NpgsqlCommand("SELECT reference, amount, status FROM payments.gateway_intents WHERE id = @id", conn, tx);
        read.Parameters.AddWithValue("id", id);
        await using var s = await read.ExecuteReaderAsync(ct);
        if (!await s.ReadAsync(ct)) return null;
        var view = new IntentView(id, s.GetString(0), s.GetDecimal(1), "MXN", s.GetString(2), $"/api/payments/gateway/intents/{id}/confirm");
        await s.DisposeAsync();
        await tx.CommitAsync(ct);
        return view;
    }
}

/// <summary>The simulated gateway's delivery job: posts each pending event, signed, to the platform's webhook; retried until delivered.</summary>
public sealed class GatewayWebhookJob(NpgsqlDataSource db, IHttpClientFactory clients, IOptions<PaymentsOptions> options)
{
    public async Task RunAsync()
    {
        var o = options.Value.Gateway;
        var pending = new List<(string Id, string Payload)>();
        await using (var cmd = db.CreateCommand("SELECT id, payload FROM payments.gateway_events WHERE delivered_at IS NULL AND attempts < 20 ORDER BY created_at LIMIT 100"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) pending.Add((r.GetString(0), r.GetString(1)));
        using var http = clients.CreateClient();
        foreach (var (id, payload) in pending)
        {
            var ok = false;
            try
            {
                using var request = SignedRequest(o.WebhookUrl, payload, o.WebhookSecret, DateTimeOffset.UtcNow);
                ok = (await http.SendAsync(request)).IsSuccessStatusCode;
            }
            catch (HttpRequestException) { }
            await using var mark = db.CreateCommand("UPDATE payments.gateway_events SET attempts = attempts + 1, delivered_at = CASE WHEN @ok THEN now() END WHERE id = @id");
            mark.Parameters.AddWithValue("ok", ok);
            mark.Parameters.AddWithValue("id", id);
            await mark.ExecuteNonQueryAsync();
        }
    }

    public static HttpRequestMessage SignedRequest(string url, string payload, string secret, DateTimeOffset at)
    {
        var t = at.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation(OnlineEndpoints.SignatureHeader, $"t={t},v1={OnlineEndpoints.Sign(secret, t, payload)}");
        return request;
    }
}
