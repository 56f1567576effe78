using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

public sealed record OrderRequest(string? Clave);

/// <summary>A payment order as the citizen, the kiosk and the cashier see it: no owner data.</summary>
public sealed record OrderView(string Reference, string ReferenceDisplay, string Concept, string Clave, int[] Years, IReadOnlyList<PredialLine> Lines,
    decimal Amount, DateTime CreatedAt, DateOnly Expires, DateTime ExpiresAt, string State, DateTime? PaidAt);

public static class OrderEndpoints
{
    public const string Predial = "predial";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/payments").WithTags("Multipagos / Payments");
        g.MapPost("/orders", Create).WithName("CreatePaymentOrder")
            .WithSummary("Orden de pago del predial adeudado, con su línea de captura; la orden abierta del predio se reutiliza / Payment order (reused while open)");
        g.MapGet("/orders/{reference}", Get).WithName("GetPaymentOrder")
            .WithSummary("Una orden por su línea de captura (dígitos verificadores y vigencia comprobados) / An order by its reference");
        return app;
    }

    /// <summary>The last day the reference may be paid: the validity in days, never past the end of the month (discounts and surcharges change monthly).</summary>
    public static DateOnly ExpiryFor(DateOnly today, int validityDays)
    {
        var endOfMonth = new DateOnly(today.Year, today.Month, DateTime.DaysInMonth(today.Year, today.Month));
        var byDays = today.AddDays(Math.Max(1, validityDays) - 1);
        return byDays < endOfMonth ? byDays : endOfMonth;
    }

    /// <summary>The instant a reference stops being payable: the start of the day after its last day, in Veracruz.</summary>
    public static DateTime EndOf(DateOnly lastDay) => DateTime.SpecifyKind(lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue) - Instants.VeracruzOffset, DateTimeKind.Utc);

    private const string SelectOrder = """
        SELECT o.reference, o.concept_code, o.clave, o.years, o.lines::text, o.amount, o.created_at, o.expires_at, o.state, o.paid_at
        FROM payments.orders o
        """;

    private static OrderView Read(NpgsqlDataReader r)
    {
        var reference = r.GetString(0);
        LineaDeCaptura.TryParse(reference, out var parsed);
        return new OrderView(reference, parsed.Display, r.GetString(1), r.GetString(2), r.GetFieldValue<int[]>(3),
            JsonSerializer.Deserialize<List<PredialLine>>(r.GetString(4), Web)!, r.GetDecimal(5), r.GetDateTime(6), parsed.Expires, r.GetDateTime(7),
            r.GetString(8), r.IsDBNull(9) ? null : r.GetDateTime(9));
    }

    private static async Task<OrderView?> OpenOrderAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string clave, bool forUpdate, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SelectOrder + " WHERE o.clave = @c AND o.concept_code = @k AND o.state = 'open'" + (forUpdate ? " FOR UPDATE" : ""), conn, tx);
        cmd.Parameters.AddWithValue("c", clave);
        cmd.Parameters.AddWithValue("k", Predial);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    private static async Task<Results<Created<OrderView>, Ok<OrderView>>> Create(OrderRequest body, NpgsqlDataSource db, IOptions<PaymentsOptions> options, CancellationToken ct)
    {
        var clave = PredialDebts.ParseClave(body.Clave);
        var today = PredialDebts.Today();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var debt = await PredialDebts.LoadAsync(conn, clave, today, ct, tx);
        if (debt.Years.Count == 0 || debt.Total <= 0)
            throw new DomainRuleException($"Parcel {clave} owes no predial: nothing to pay", $"El predio {clave} no tiene adeudo de predial: no hay nada que pagar");
        var years = debt.Years.Select(l => l.Year).ToArray();
        if (await OpenOrderAsync(conn, tx, clave, forUpdate: true, ct) is { } open)
        {
            if (open.ExpiresAt > DateTime.UtcNow && open.Amount == debt.Total && open.Years.SequenceEqual(years))
            {
                await tx.CommitAsync(ct);
                return TypedResults.Ok(open);
            }
            // expired, or the debt changed since (a year paid, a discount verified, a new month): a new order replaces it
            await using var supersede = new NpgsqlCommand("UPDATE payments.orders SET state = 'superseded' WHERE reference = @r AND state = 'open'", conn, tx);
            supersede.Parameters.AddWithValue("r", open.Reference);
            await supersede.ExecuteNonQueryAsync(ct);
        }
        long number;
        await using (var next = new NpgsqlCommand("SELECT nextval('payments.order_numbers')", conn, tx))
            number = (long)(await next.ExecuteScalarAsync(ct))!;
        var expires = ExpiryFor(today, options.Value.OrderValidityDays);
        var reference = LineaDeCaptura.Create(PaymentsSeed.Concepts.Single(c => c.Code == Predial).Number, number, expires);
        // one open order per parcel: a concurrent request that inserted first wins, this one then reads and returns it
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO payments.orders (id, reference, concept_code, clave, years, lines, amount, created_at, expires_at, state)
            VALUES (@id, @ref, @k, @c, @years, @lines::jsonb, @amount, now(), @expires_at, 'open')
            ON CONFLICT DO NOTHING
            """, conn, tx))
        {
            insert.Parameters.AddWithValue("id", number);
            insert.Parameters.AddWithValue("ref", reference.Digits);
            insert.Parameters.AddWithValue("k", Predial);
            insert.Parameters.AddWithValue("c", clave);
            insert.Parameters.AddWithValue("years", years);
            insert.Parameters.AddWithValue("lines", JsonSerializer.Serialize(debt.Years, Web));
            insert.Parameters.AddWithValue("amount", debt.Total);
            insert.Parameters.AddWithValue("expires_at", EndOf(expires));
            var created = await insert.ExecuteNonQueryAsync(ct) == 1;
            var order = await OpenOrderAsync(conn, tx, clave, forUpdate: false, ct)
                ?? throw new DomainRuleException("The parcel's order changed while it was issued: try again", "La orden del predio cambió mientras se emitía: intente de nuevo");
            await tx.CommitAsync(ct);
            return created ? TypedResults.Created($"/api/payments/orders/{order.Reference}", order) : TypedResults.Ok(order);
        }
    }

    /// <summary>Reads a reference or explains why it cannot be one (400): bad format, bad check digits (forged or mistyped), impossible date.</summary>
    public static LineaDeCaptura ParseReference(string? text)
    {
        return LineaDeCaptura.TryParse(text, out var reference) switch
        {
            LineaDeCaptura.Problem.None => reference,
            LineaDeCaptura.Problem.CheckDigits => throw new BadRequestException(
                "The reference's check digits do not match: it was mistyped or forged", "Los dígitos verificadores de la línea de captura no coinciden: está mal escrita o es falsa", "reference"),
            LineaDeCaptura.Problem.Date => throw new BadRequestException(
                "The reference does not hold a valid expiry date", "La línea de captura no contiene una fecha de vencimiento válida", "reference"),
            _ => throw new BadRequestException(
                "A reference (línea de captura) is 20 digits, e.g. 0100 0000 0042 2612 1035", "Una línea de captura tiene 20 dígitos, p. ej. 0100 0000 0042 2612 1035", "reference"),
        };
    }

    public static async Task<OrderView?> FindAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string reference, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SelectOrder + " WHERE o.reference = @r", conn, tx);
        cmd.Parameters.AddWithValue("r", reference);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    private static async Task<Ok<OrderView>> Get(string reference, NpgsqlDataSource db, CancellationToken ct)
    {
        var parsed = ParseReference(reference);
        await using var conn = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await FindAsync(conn, null, parsed.Digits, ct)
            ?? throw new BadRequestException($"No payment order has reference {parsed.Display}", $"No existe ninguna orden de pago con la línea de captura {parsed.Display}", "reference", 404));
    }
}
