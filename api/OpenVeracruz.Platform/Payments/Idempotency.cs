using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>
/// Idempotency keys in Stripe's manner: every payment request carries <c>Idempotency-Key</c>; the first request's answer is
/// stored in the same transaction as its effects and replayed for every retry with that key (header
/// <c>Idempotent-Replayed: true</c>); the same key with another body is a 409. Concurrent requests with one key wait on the
/// key's row and then replay: 64 at once make one charge. A refused request stores nothing, so it can be corrected and sent again.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const int MaxBody = 64 * 1024;

    public static string KeyOf(HttpRequest req)
    {
        var key = req.Headers[Header].ToString();
        if (key.Length is 0 or > 255 || key.Any(c => c is < '!' or > '~'))
            throw new BadRequestException($"A payment request needs the header {Header}: 1 to 255 visible ASCII characters, e.g. a UUID, the same for every retry",
                $"Una solicitud de pago requiere el encabezado {Header}: de 1 a 255 caracteres ASCII visibles, p. ej. un UUID, el mismo en cada reintento", Header);
        return key;
    }

    /// <summary>The request body as text (at most 64 KB) and as JSON.</summary>
    public static async Task<(string Text, JsonElement Json)> ReadBodyAsync(HttpRequest req, CancellationToken ct)
    {
        using var reader = new StreamReader(req.Body, Encoding.UTF8);
        var buffer = new char[MaxBody + 1];
        var read = await reader.ReadBlockAsync(buffer, ct);
        if (read > MaxBody) throw new BadRequestException("The body is larger than 64 KB", "El cuerpo es mayor de 64 KB", "body", 413);
        var text = new string(buffer, 0, read);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException();
            return (text, doc.RootElement.Clone());
        }
        catch (JsonException)
        {
            throw new BadRequestException("The body must be a JSON object", "El cuerpo debe ser un objeto JSON", "body");
        }
    }

    /// <summary>Runs <paramref name="work"/> once per (scope, key) in one transaction with the stored answer.</summary>
    public static async Task<IResult> RunAsync(HttpContext http, NpgsqlDataSource db, string scope, string key, string body,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<(int Status, object Response)>> work, CancellationToken ct)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{http.Request.Method} {http.Request.Path}\n{body}")));
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var claim = new NpgsqlCommand("""
            INSERT INTO payments.idempotency_keys (scope, key, request_hash, status, response, created_at)
            VALUES (@s, @k, @h, 0, NULL, now()) ON CONFLICT DO NOTHING
            """, conn, tx))
        {
            claim.Parameters.AddWithValue("s", scope);
            claim.Parameters.AddWithValue("k", key);
            claim.Parameters.AddWithValue("h", hash);
            // a concurrent request with the same key holds the row until it commits; this insert waits for it
            if (await claim.ExecuteNonQueryAsync(ct) == 0)
            {
                await using var stored = new NpgsqlCommand("SELECT request_hash, status, response FROM payments.idempotency_keys WHERE scope = @s AND key = @k", conn, tx);
                stored.Parameters.AddWithValue("s", scope);
                stored.Parameters.AddWithValue("k", key);
                await using var r = await stored.ExecuteReaderAsync(ct);
                await r.ReadAsync(ct);
                if (r.GetString(0) != hash)
                    return TypedResults.Problem(Problems.Create(409, $"This {Header} was used for another request: a retry must send the same body; a new payment needs a new key",
                        $"Este {Header} ya se usó con otra solicitud: un reintento debe enviar el mismo cuerpo; un pago nuevo requiere una clave nueva", Header));
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return Results.Text(r.GetString(2), "application/json", Encoding.UTF8, r.GetInt32(1));
            }
        }
        var (status, response) = await work(conn, tx);
        var json = JsonSerializer.Serialize(response, response.GetType(), http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        await using (var save = new NpgsqlCommand("UPDATE payments.idempotency_keys SET status = @st, response = @r WHERE scope = @s AND key = @k", conn, tx))
        {
            save.Parameters.AddWithValue("st", status);
            save.Parameters.AddWithValue("r", json);
            save.Parameters.AddWithValue("s", scope);
            save.Parameters.AddWithValue("k", key);
            await save.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return Results.Text(json, "application/json", Encoding.UTF8, status);
    }
}
