using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>One line of a bank file: imported (applied or listed for refund), already imported, or rejected with why.</summary>
public sealed record BankLineResult(int Line, string Status, string? Reference, decimal? Amount, string? Folio, long? PaymentId, string? PaymentStatus,
    string? Reason, string? ReasonEs);

public sealed record BankImport(long FileId, string Name, string Sha256, int Lines, int Imported, int AlreadyImported, int Rejected, IReadOnlyList<BankLineResult> Report);

/// <summary>
/// The bank's daily file of payments received at its counters, by reference. CSV in UTF-8 with the header
/// <c>fecha,referencia,importe,sucursal,folio</c>: the day paid (YYYY-MM-DD), the 20-digit reference, the amount (a dot
/// for decimals), the branch and the bank's operation folio (unique per operation). Each line is imported on its own:
/// a malformed one is reported with its line number and the rest go in; a folio already imported is reported as such,
/// so importing the same file again doubles nothing.
/// </summary>
public static class BankEndpoints
{
    public const string Header = "fecha,referencia,importe,sucursal,folio";
    public const int MaxBytes = 5 * 1024 * 1024;

    public static IEndpointRouteBuilder MapBankEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/payments/bank/files", Import).RequireAuthorization(Roles.Supervisor).WithTags("Multipagos / Payments").WithName("ImportBankFile")
            .WithSummary("Importa el archivo diario del banco (CSV: fecha,referencia,importe,sucursal,folio) / Import the bank's daily file");
        return app;
    }

    private static async Task<Results<Ok<BankImport>, ProblemHttpResult>> Import(HttpContext http, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct, string? name = null)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        return TypedResults.Ok(await ImportFileAsync(db, buffer.ToArray(), name, StaffClaims.Who(user), ct));
    }

    /// <summary>
    /// Imports one bank file, line by line, and keeps its report in payments.bank_files (who: the supervisor, or the inbox
    /// job). A file that is not a bank file at all (too large, not UTF-8, no header) is refused whole: BadRequestException.
    /// </summary>
    public static async Task<BankImport> ImportFileAsync(NpgsqlDataSource db, byte[] bytes, string? name, string who, CancellationToken ct)
    {
        if (bytes.Length > MaxBytes) throw new BadRequestException("The file is larger than 5 MB", "El archivo es mayor de 5 MB", "body", 413);
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { throw new BadRequestException("The file is not UTF-8 text", "El archivo no es texto UTF-8", "body"); }
        var lines = text.TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count == 0 || lines[0].Trim().ToLowerInvariant() != Header)
            throw new BadRequestException($"The first line must be the header {Header}", $"La primera línea debe ser el encabezado {Header}", "body");
        var fileName = StorableText.Clean(string.IsNullOrWhiteSpace(name) ? "banco.csv" : name.Length > 200 ? name[..200] : name);
        var report = new List<BankLineResult>();
        for (var i = 1; i < lines.Count; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            report.Add(await ImportLineAsync(db, i + 1, lines[i], ct));
        }
        var import = new BankImport(0, fileName, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), report.Count,
            report.Count(r => r.Status == "imported"), report.Count(r => r.Status == "already_imported"), report.Count(r => r.Status == "rejected"), report);
        await using var save = db.CreateCommand("""
            INSERT INTO payments.bank_files (sha256, name, imported_at, imported_by, lines, imported, rejected, report)
            VALUES (@h, @n, now(), @who, @lines, @imported, @rejected, @report::jsonb) RETURNING id
            """);
        save.Parameters.AddWithValue("h", import.Sha256);
        save.Parameters.AddWithValue("n", fileName);
        save.Parameters.AddWithValue("who", who);
        save.Parameters.AddWithValue("lines", import.Lines);
        save.Parameters.AddWithValue("imported", import.Imported);
        save.Parameters.AddWithValue("rejected", import.Rejected);
        save.Parameters.AddWithValue("report", JsonSerializer.Serialize(report, ReportJson));
        return import with { FileId = (long)(await save.ExecuteScalarAsync(ct))! };
    }

    internal static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web);

    private static BankLineResult Reject(int line, string en, string es, string? reference = null) => new(line, "rejected", reference, null, null, null, null, en, es);

    private static async Task<BankLineResult> ImportLineAsync(NpgsqlDataSource db, int line, string text, CancellationToken ct)
    {
        var f = text.Split(',');
        if (f.Length != 5)
            return Reject(line, $"Expected 5 fields ({Header}), found {f.Length}", $"Se esperaban 5 campos ({Header}) y hay {f.Length}");
        var (dateText, refText, amountText, branch, folio) = (f[0].Trim(), f[1].Trim(), f[2].Trim(), f[3].Trim(), f[4].Trim());
        if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) || day > PredialDebts.Today())
            return Reject(line, $"'fecha' must be a past or present date as YYYY-MM-DD, not '{Cut(dateText)}'", $"'fecha' debe ser una fecha pasada o de hoy como AAAA-MM-DD, no '{Cut(dateText)}'");
        var problem = LineaDeCaptura.TryParse(refText, out var reference);
        if (problem != LineaDeCaptura.Problem.None)
            return problem == LineaDeCaptura.Problem.CheckDigits
                ? Reject(line, "The reference's check digits do not match (mistyped or forged)", "Los dígitos verificadores de la referencia no coinciden (mal capturada o falsa)", Cut(refText))
                : Reject(line, "'referencia' must be a 20-digit reference", "'referencia' debe ser una línea de captura de 20 dígitos", Cut(refText));
        if (!decimal.TryParse(amountText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount > 10_000_000m || decimal.Round(amount, 2) != amount)
            return Reject(line, $"'importe' must be an amount greater than 0 with at most two decimals, not '{Cut(amountText)}'", $"'importe' debe ser un importe mayor que 0 con dos decimales como máximo, no '{Cut(amountText)}'", reference.Digits);
        if (folio.Length is 0 or > 40 || !folio.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            return Reject(line, "'folio' must be the bank's operation id: 1 to 40 letters, digits or hyphens", "'folio' debe ser el folio de la operación del banco: de 1 a 40 letras, dígitos o guiones", reference.Digits);
        if (branch.Length > 80)
            return Reject(line, "'sucursal' is longer than 80 characters", "'sucursal' tiene más de 80 caracteres", reference.Digits);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            // paid at the bank that day: counted as the start of the day in Veracruz, so the last valid day is still valid
            var at = DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue) - Instants.VeracruzOffset, DateTimeKind.Utc);
            var payment = await Ledger.RecordAsync(conn, tx, new PaymentClaim(Channels.Bank, "counter", reference.Digits, amount, at, ExternalId: folio), strict: false, ct);
            await tx.CommitAsync(ct);
            return new BankLineResult(line, payment.Replayed ? "already_imported" : "imported", reference.Digits, amount, folio, payment.PaymentId, payment.Status,
                payment.RefundReason, payment.RefundReason is null ? null : "Listado para devolución: " + payment.RefundReason);
        }
        catch (BadRequestException e)
        {
            return Reject(line, e.Message, e.MessageEs, reference.Digits);
        }
    }

    private static string Cut(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
