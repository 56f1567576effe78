using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Maintenance;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

public sealed record KioskKeyView(Guid Id, string Kiosk, string Prefix, DateTime Created, string CreatedBy, DateTime? RevokedAt, string? RevokedBy);

/// <summary>The new key, shown once: only its hash is kept.</summary>
public sealed record KioskKeyIssued(Guid Id, string Kiosk, string Prefix, string Key, DateTime Created);

public sealed record KioskHeartbeat(string Kiosk, string Status, DateTime StatusSince, DateTime ReceivedAt);

/// <summary>A fault the kiosk reported: its status now and its one open maintenance ticket (new, or the one already open).</summary>
public sealed record KioskFaultReported(string Kiosk, string Status, long Ticket, bool Created);

/// <summary>Payment kiosks: supervisors issue and revoke their keys; a kiosk reports its status and the payments it takes.</summary>
public static class KioskEndpoints
{
    private const string Realm = "payment-kiosk";

    public static IEndpointRouteBuilder MapKioskEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/payments").WithTags("Multipagos / Payments");
        g.MapPost("/kiosks/{code}/keys", Issue).RequireAuthorization(Roles.Supervisor).WithName("IssueKioskKey")
            .WithSummary("Emite una clave para el módulo de pago (se muestra una vez) / Issue a kiosk key, shown once");
        g.MapGet("/kiosks/{code}/keys", List).RequireAuthorization(Roles.Supervisor).WithName("ListKioskKeys")
            .WithSummary("Claves del módulo (solo prefijo) / The kiosk's keys, prefix only");
        g.MapDelete("/kiosk-keys/{id:guid}", Revoke).RequireAuthorization(Roles.Supervisor).WithName("RevokeKioskKey")
            .WithSummary("Revoca una clave: el módulo deja de cobrar desde ese momento / Revoke a kiosk key");
        g.MapPost("/kiosk/heartbeat", Heartbeat).WithName("KioskHeartbeat")
            .WithSummary("Latido y estado del módulo (Authorization: Bearer ovk_…) / The kiosk is alive, with its status");
        g.MapPost("/kiosk/fault", Fault).WithName("KioskFault")
            .WithSummary("El módulo reporta una falla: abre su ticket de mantenimiento, o se suma al abierto (Authorization: Bearer ovk_…) / The kiosk reports a fault");
        g.MapPost("/kiosk/pay", Pay).WithName("KioskPay")
            .WithSummary("Pago en el módulo (Authorization: Bearer ovk_…, Idempotency-Key) / A payment taken at the kiosk");
        return app;
    }

    private static async Task<Kiosk> FindKioskAsync(AppDbContext db, string code, CancellationToken ct) =>
        await db.Kiosks.FirstOrDefaultAsync(k => k.Code == code, ct)
        ?? throw new BadRequestException($"No payment kiosk '{code}'", $"No existe el módulo de pago '{code}'", "code", 404);

    private static async Task<Created<KioskKeyIssued>> Issue(string code, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var kiosk = await FindKioskAsync(db, code, ct);
        var secret = KioskKey.NewSecret();
        var key = new KioskKey
        {
            Id = Guid.NewGuid(), KioskId = kiosk.Id, Hash = KioskKey.HashOf(secret), Prefix = secret[..12],
            Created = DateTime.UtcNow, CreatedBy = StaffClaims.Who(user),
        };
        db.KioskKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/payments/kiosks/{kiosk.Code}/keys", new KioskKeyIssued(key.Id, kiosk.Code, key.Prefix, secret, key.Created));
    }

    private static async Task<Ok<List<KioskKeyView>>> List(string code, AppDbContext db, CancellationToken ct)
    {
        var kiosk = await FindKioskAsync(db, code, ct);
        return TypedResults.Ok(await db.KioskKeys.AsNoTracking().Where(k => k.KioskId == kiosk.Id).OrderBy(k => k.Created)
            .Select(k => new KioskKeyView(k.Id, kiosk.Code, k.Prefix, k.Created, k.CreatedBy, k.RevokedAt, k.RevokedBy)).ToListAsync(ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (!await DeviceKeys.RevokeAsync(db.KioskKeys, id, StaffClaims.Who(user), ct))
            return Problems.NotFound($"No kiosk key {id}", $"No existe la clave de módulo {id}");
        return TypedResults.NoContent();
    }

    /// <summary>The kiosk of the request's key (id, code, methods), or null for a missing, unknown or revoked key.</summary>
    private static async Task<(int Id, string Code, string Methods)?> KioskOfAsync(HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (DeviceKeys.KeyOf(http.Request, KioskKey.Scheme) is not { } key) return null;
        await using var cmd = db.CreateCommand("""
            SELECT k.id, k.code, k.methods FROM payments.kiosk_keys kk JOIN payments.kiosks k ON k.id = kk.kiosk_id
            WHERE kk.hash = @h AND kk.revoked_at IS NULL
            """);
        cmd.Parameters.AddWithValue("h", KioskKey.HashOf(key));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt32(0), r.GetString(1), r.GetString(2)) : null;
    }

    private static ProblemHttpResult Unauthorized(HttpContext http) =>
        DeviceKeys.Unauthorized(http, Realm, KioskKey.Scheme, "kiosk", "del módulo de pago", DeviceKeys.KeyOf(http.Request, KioskKey.Scheme) is null);

    private static async Task<Results<Ok<KioskHeartbeat>, ProblemHttpResult>> Heartbeat(HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (await KioskOfAsync(http, db, ct) is not { } kiosk) return Unauthorized(http);
        var (_, json) = await Idempotency.ReadBodyAsync(http.Request, ct);
        string? status = null;
        if (json.TryGetProperty("status", out var s))
            status = s.ValueKind == JsonValueKind.String && KioskStatus.All.Contains(s.GetString()) ? s.GetString()
                : throw new BadRequestException($"'status' must be one of {string.Join(", ", KioskStatus.All)}", $"'status' debe ser uno de {string.Join(", ", KioskStatus.All)}", "status");
        await using var cmd = db.CreateCommand("""
            UPDATE payments.kiosks SET last_heartbeat_at = now(),
                status_since = CASE WHEN @s::text IS NULL OR @s = status THEN status_since ELSE now() END,
                status = coalesce(@s, status)
            WHERE id = @id RETURNING code, status, status_since, last_heartbeat_at
            """);
        cmd.Parameters.AddWithValue("s", (object?)status ?? DBNull.Value);
        cmd.Parameters.AddWithValue("id", kiosk.Id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return TypedResults.Ok(new KioskHeartbeat(r.GetString(0), r.GetString(1), r.GetDateTime(2), r.GetDateTime(3)));
    }

    /// <summary>What a kiosk may report, and the status each leaves it in (the rest: out of service).</summary>
    public static readonly IReadOnlyDictionary<string, (string Status, string Es)> FaultKinds = new Dictionary<string, (string, string)>
    {
        ["paper"] = (KioskStatus.NoPaper, "sin papel"),
        ["cash"] = (KioskStatus.NoCash, "sin efectivo"),
        ["card"] = (KioskStatus.OutOfService, "falla del lector de tarjetas"),
        ["screen"] = (KioskStatus.OutOfService, "falla de la pantalla"),
        ["network"] = (KioskStatus.OutOfService, "sin red"),
        ["other"] = (KioskStatus.OutOfService, "otra falla"),
    };

    public const int MaxFaultDetail = 500;

    /// <summary>
    /// A kiosk reports a fault: its status becomes the one the fault maps to, and IT maintenance gets one corrective
    /// ticket per kiosk while it is open (subject "kiosk:CODE"; a later fault becomes a comment on it).
    /// </summary>
    private static async Task<Results<Created<KioskFaultReported>, Ok<KioskFaultReported>, ProblemHttpResult>> Fault(
        HttpContext http, NpgsqlDataSource db, Tickets tickets, CancellationToken ct)
    {
        if (await KioskOfAsync(http, db, ct) is not { } kiosk) return Unauthorized(http);
        var (_, json) = await Idempotency.ReadBodyAsync(http.Request, ct);
        var kinds = string.Join(", ", FaultKinds.Keys);
        if (!json.TryGetProperty("kind", out var k) || k.ValueKind != JsonValueKind.String || !FaultKinds.TryGetValue(k.GetString()!, out var fault))
            throw new BadRequestException($"'kind' is required, one of {kinds}", $"Falta 'kind', uno de {kinds}", "kind");
        var detail = "";
        if (json.TryGetProperty("detail", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.String)
                throw new BadRequestException("'detail' must be text", "'detail' debe ser texto", "detail");
            detail = StorableText.Clean(d.GetString()!).Trim();
            if (detail.Length > MaxFaultDetail)
                throw new BadRequestException($"'detail' is longer than {MaxFaultDetail} characters", $"'detail' tiene más de {MaxFaultDetail} caracteres", "detail");
        }

        await using var cmd = db.CreateCommand("""
            UPDATE payments.kiosks SET last_heartbeat_at = now(),
                status_since = CASE WHEN status = @s THEN status_since ELSE now() END, status = @s
            WHERE id = @id RETURNING code, name, status, ST_X(geom), ST_Y(geom)
            """);
        cmd.Parameters.AddWithValue("s", fault.Status);
        cmd.Parameters.AddWithValue("id", kiosk.Id);
        string code, name, status;
        double lon, lat;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (code, name, status, lon, lat) = (r.GetString(0), r.GetString(1), r.GetString(2), r.GetDouble(3), r.GetDouble(4));
        }
        var opened = await tickets.OpenAsync(new NewTicket(TicketKind.Corrective, TicketSource.Kiosk, $"Módulo de pago con falla: {name} ({code})",
            $"El módulo reportó: {fault.Es}. {detail}".Trim(), 4, 3, $"kiosk:{code}", lon, lat), null, $"Módulo de pago {code}", ct);
        var result = new KioskFaultReported(code, status, opened.Id, opened.Created);
        return opened.Created ? TypedResults.Created($"/api/maintenance/tickets/{opened.Id}", result) : TypedResults.Ok(result);
    }

    public static readonly string[] Methods = ["cash", "card"];

    /// <summary>An amount in pesos: a JSON number, more than zero, at most 10 million, at most two decimals.</summary>
    public static decimal AmountOf(JsonElement body, string field = "amount")
    {
        if (!body.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var amount)
            || amount <= 0 || amount > 10_000_000m || decimal.Round(amount, 2) != amount)
            throw new BadRequestException($"'{field}' must be an amount in pesos greater than 0 and at most 10,000,000, with at most two decimals",
                $"'{field}' debe ser un importe en pesos mayor que 0 y de hasta 10,000,000, con dos decimales como máximo", field);
        return amount;
    }

    public static string TextOf(JsonElement body, string field)
    {
        if (!body.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.String || v.GetString() is not { Length: > 0 and <= 80 } text)
            throw new BadRequestException($"'{field}' is required", $"Falta '{field}'", field);
        return text;
    }

    private static async Task<IResult> Pay(HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (await KioskOfAsync(http, db, ct) is not { } kiosk) return Unauthorized(http);
        var key = Idempotency.KeyOf(http.Request);
        var (text, body) = await Idempotency.ReadBodyAsync(http.Request, ct);
        var reference = OrderEndpoints.ParseReference(TextOf(body, "reference"));
        var amount = AmountOf(body);
        var method = TextOf(body, "method");
        if (!Methods.Contains(method))
            throw new BadRequestException("'method' must be cash or card", "'method' debe ser cash (efectivo) o card (tarjeta)", "method");
        if (!kiosk.Methods.Contains(method == "cash" ? "efectivo" : "tarjeta", StringComparison.Ordinal))
            throw new BadRequestException($"Kiosk {kiosk.Code} does not take {method}", $"El módulo {kiosk.Code} no acepta {(method == "cash" ? "efectivo" : "tarjeta")}", "method");
        return await Idempotency.RunAsync(http, db, $"kiosk:{kiosk.Id}", key, text, async (conn, tx) =>
        {
            var result = await Ledger.RecordAsync(conn, tx, new PaymentClaim(Channels.Kiosk, method, reference.Digits, amount, DateTime.UtcNow, kiosk.Id), strict: true, ct);
            return (result.Status == PaymentStatus.Applied ? 201 : 200, result);
        }, ct);
    }
}
