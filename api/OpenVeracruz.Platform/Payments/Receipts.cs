using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
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

/// <summary>
/// The official receipt (recibo oficial) of an applied payment: one per payment, numbered without gaps (folio), with a
/// verification code printed and in its QR. A supervisor may cancel it with a reason; it is never deleted.
/// </summary>
public sealed class Receipt
{
    public long Id { get; set; }
    public required string Folio { get; set; }
    public long PaymentId { get; set; }
    public required string Code { get; set; }
    public decimal Amount { get; set; }
    public required string ConceptName { get; set; }
    public DateTime IssuedAt { get; set; }
    public DateTime? CancelledAt { get; set; }
    public string? CancelledBy { get; set; }
    public string? CancelReason { get; set; }
}

public sealed class ReceiptConfig : IEntityTypeConfiguration<Receipt>
{
    public void Configure(EntityTypeBuilder<Receipt> b)
    {
        b.ToTable("receipts", PaymentsConfig.Schema, t => t.HasCheckConstraint("ck_receipts_cancel",
            "(cancelled_at IS NULL) = (cancel_reason IS NULL) AND (cancelled_at IS NULL) = (cancelled_by IS NULL)"));
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(r => r.Folio).HasColumnName("folio").HasMaxLength(20);
        b.HasIndex(r => r.Folio).IsUnique();
        b.Property(r => r.PaymentId).HasColumnName("payment_id");
        // one receipt per payment, whatever the number of requests
        b.HasIndex(r => r.PaymentId).IsUnique();
        b.Property(r => r.Code).HasColumnName("code").HasMaxLength(16);
        b.Property(r => r.Amount).HasColumnName("amount").HasPrecision(14, 2);
        b.Property(r => r.ConceptName).HasColumnName("concept_name");
        b.Property(r => r.IssuedAt).HasColumnName("issued_at");
        b.Property(r => r.CancelledAt).HasColumnName("cancelled_at");
        b.Property(r => r.CancelledBy).HasColumnName("cancelled_by");
        b.Property(r => r.CancelReason).HasColumnName("cancel_reason");
        b.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Restrict);
    }
}

public sealed record ReceiptRequest(string? Reference);

public sealed record CancelRequest(string? Reason);

/// <summary>The receipt for whoever holds its folio and code (printed, and in the QR). No owner data exists in it.</summary>
public sealed record ReceiptView(string Folio, string Code, string Status, string Reference, string Clave, string Concept, int[] Years, decimal Amount,
    string Channel, string Method, DateTime PaidAt, DateTime IssuedAt, DateTime? CancelledAt, string? CancelReason, string VerifyUrl, string PrintUrl, string PdfUrl);

/// <summary>What the public verification shows: only the folio, the amount, the date and the concept, and whether it stands.</summary>
public sealed record ReceiptVerification(string Folio, decimal Amount, DateOnly Date, string Concept, string Status);

public static class ReceiptEndpoints
{
    public static IEndpointRouteBuilder MapReceiptEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/payments/receipts").WithTags("Multipagos / Payments");
        g.MapPost("", Issue).WithName("IssueReceipt")
            .WithSummary("Recibo oficial del pago aplicado de una línea de captura (uno por pago) / The receipt of a reference's payment");
        g.MapGet("/{folio}", Get).WithName("GetReceipt").WithSummary("El recibo (folio y código) / The receipt, by folio and code");
        g.MapGet("/{folio}/print", Print).WithName("PrintReceipt").WithSummary("Recibo imprimible (HTML) / Printable receipt");
        g.MapGet("/{folio}/pdf", Pdf).WithName("ReceiptPdf").WithSummary("Recibo en PDF / The receipt as PDF");
        g.MapGet("/{folio}/verify", Verify).WithName("VerifyReceipt")
            .WithSummary("Verificación pública del QR: folio, importe, fecha y concepto / Public verification");
        g.MapPost("/{folio}/cancel", Cancel).RequireAuthorization(Roles.Supervisor).WithName("CancelReceipt")
            .WithSummary("Cancela un recibo con motivo (nunca se borra) / Cancel a receipt with a reason");
        return app;
    }

    private const string Select = """
        SELECT r.folio, r.code, r.cancelled_at IS NULL, o.reference, o.clave, r.concept_name, o.years, r.amount, p.channel, p.method,
               p.received_at, r.issued_at, r.cancelled_at, r.cancel_reason
        FROM payments.receipts r JOIN payments.payments p ON p.id = r.payment_id JOIN payments.orders o ON o.id = p.order_id
        """;

    private static string Base(HttpRequest req) => $"{req.Scheme}://{req.Host}";

    private static async Task<ReceiptView?> FindAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string where, (string, object) arg, HttpRequest req, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(Select + " WHERE " + where, conn, tx);
        cmd.Parameters.AddWithValue(arg.Item1, arg.Item2);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var (folio, code) = (r.GetString(0), r.GetString(1));
        LineaDeCaptura.TryParse(r.GetString(3), out var reference);
        var path = $"/api/payments/receipts/{folio}";
        return new ReceiptView(folio, code, r.GetBoolean(2) ? "valid" : "cancelled", reference.Display, r.GetString(4), r.GetString(5), r.GetFieldValue<int[]>(6),
            r.GetDecimal(7), r.GetString(8), r.GetString(9), r.GetDateTime(10), r.GetDateTime(11), r.IsDBNull(12) ? null : r.GetDateTime(12),
            r.IsDBNull(13) ? null : r.GetString(13), $"{Base(req)}{path}/verify?code={code}", $"{path}/print?code={code}", $"{path}/pdf?code={code}");
    }

    private static async Task<Results<Created<ReceiptView>, Ok<ReceiptView>>> Issue(ReceiptRequest body, HttpRequest req, NpgsqlDataSource db, CancellationToken ct)
    {
        var reference = OrderEndpoints.ParseReference(body.Reference);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // the applied payment is locked: parallel requests for its receipt wait here, then find the one issued (no gaps in folios)
        await using var pay = new NpgsqlCommand("""
            SELECT p.id, p.amount, c.name FROM payments.payments p JOIN payments.orders o ON o.id = p.order_id JOIN payments.concepts c ON c.code = o.concept_code
            WHERE p.reference = @r AND p.status = 'applied' FOR UPDATE OF p
            """, conn, tx);
        pay.Parameters.AddWithValue("r", reference.Digits);
        long id;
        decimal amount;
        string concept;
        await using (var r = await pay.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
                throw new BadRequestException($"The reference {reference.Display} has no payment applied: a receipt is issued once it is paid",
                    $"La línea de captura {reference.Display} no tiene un pago aplicado: el recibo se emite una vez pagada", "reference", 404);
            (id, amount, concept) = (r.GetInt64(0), r.GetDecimal(1), r.GetString(2));
        }
        if (await FindAsync(conn, tx, "r.payment_id = @p", ("p", id), req, ct) is { } existing)
        {
            await tx.CommitAsync(ct);
            return TypedResults.Ok(existing);
        }
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO payments.receipts (folio, payment_id, code, amount, concept_name, issued_at)
            VALUES ('RO-' || to_char(now() AT TIME ZONE 'America/Mexico_City', 'YYYY') || '-' || lpad(nextval('payments.receipt_numbers')::text, 8, '0'),
                    @p, @code, @amount, @concept, now())
            """, conn, tx))
        {
            insert.Parameters.AddWithValue("p", id);
            insert.Parameters.AddWithValue("code", Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant());
            insert.Parameters.AddWithValue("amount", amount);
            insert.Parameters.AddWithValue("concept", concept);
            await insert.ExecuteNonQueryAsync(ct);
        }
        var receipt = (await FindAsync(conn, tx, "r.payment_id = @p", ("p", id), req, ct))!;
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/payments/receipts/{receipt.Folio}?code={receipt.Code}", receipt);
    }

    /// <summary>The receipt of a folio whose code matches; an unknown folio and a wrong code answer alike (404).</summary>
    private static async Task<ReceiptView> ByFolioAsync(string folio, string? code, HttpRequest req, NpgsqlDataSource db, CancellationToken ct)
    {
        var missing = new BadRequestException($"No receipt {Cut(folio)} with this code", $"No existe el recibo {Cut(folio)} con este código", "folio", 404);
        if (folio.Length > 20 || code is null || code.Length > 16) throw missing;
        await using var conn = await db.OpenConnectionAsync(ct);
        var receipt = await FindAsync(conn, null, "r.folio = @f", ("f", folio), req, ct);
        return receipt is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(receipt.Code), Encoding.ASCII.GetBytes(code)) ? receipt : throw missing;
    }

    private static string Cut(string s) => s.Length > 20 ? s[..20] + "…" : s;

    private static async Task<Ok<ReceiptView>> Get(string folio, string? code, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
        TypedResults.Ok(await ByFolioAsync(folio, code, req, db, ct));

    private static async Task<IResult> Verify(string folio, string? code, HttpRequest req, NpgsqlDataSource db, CancellationToken ct)
    {
        var r = await ByFolioAsync(folio, code, req, db, ct);
        var v = new ReceiptVerification(r.Folio, r.Amount, DateOnly.FromDateTime(r.PaidAt + Instants.VeracruzOffset), r.Concept, r.Status);
        if (!req.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)) return TypedResults.Ok(v);
        var ok = v.Status == "valid";
        return Results.Content($"""
            <!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>Verificación de recibo {H(v.Folio)}</title><link rel="stylesheet" href="/common.css"></head>
            <body><main style="max-width:28rem;margin:2rem auto;padding:1rem"><h1>Recibo oficial {H(v.Folio)}</h1>
            <p><strong>{(ok ? "Recibo válido" : "Recibo CANCELADO")}</strong></p>
            <dl><dt>Importe</dt><dd>{Money(v.Amount)}</dd><dt>Fecha de pago</dt><dd>{v.Date:dd/MM/yyyy}</dd><dt>Concepto</dt><dd>{H(v.Concept)}</dd></dl>
            <p>H. Ayuntamiento de Veracruz · Tesorería Municipal</p></main></body></html>
            """, "text/html; charset=utf-8");
    }

    private static string H(string s) => WebUtility.HtmlEncode(s);

    public static string Money(decimal amount) => amount.ToString("$#,##0.00", CultureInfo.InvariantCulture);

    private static string[] Lines(ReceiptView r) =>
    [
        $"Folio: {r.Folio}    Código de verificación: {r.Code}",
        $"Estado: {(r.Status == "valid" ? "válido" : "CANCELADO: " + r.CancelReason)}",
        $"Concepto: {r.Concept}",
        $"Clave catastral: {r.Clave}    Ejercicios: {string.Join(", ", r.Years)}",
        $"Línea de captura: {r.Reference}",
        $"Importe: {Money(r.Amount)} MXN",
        $"Pagado: {(r.PaidAt + Instants.VeracruzOffset):dd/MM/yyyy HH:mm} ({r.Channel}, {r.Method})",
        $"Emitido: {(r.IssuedAt + Instants.VeracruzOffset):dd/MM/yyyy HH:mm}",
    ];

    private static async Task<ContentHttpResult> Print(string folio, string? code, HttpRequest req, NpgsqlDataSource db, CancellationToken ct)
    {
        var r = await ByFolioAsync(folio, code, req, db, ct);
        var rows = string.Join("", Lines(r).Select(l => $"<p>{H(l)}</p>"));
        return TypedResults.Content($"""
            <!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>Recibo oficial {H(r.Folio)}</title>
            <style>body{"{"}font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:1rem{"}"} svg{"{"}width:10rem;height:10rem{"}"} @media print{"{"}button{"{"}display:none{"}"}{"}"}</style></head>
            <body><h1>H. Ayuntamiento de Veracruz — Recibo oficial</h1>{rows}
            <figure>{QrSvg(r.VerifyUrl)}<figcaption>Verifique este recibo: {H(r.VerifyUrl)}</figcaption></figure>
            <button onclick="print()">Imprimir</button></body></html>
            """, "text/html; charset=utf-8");
    }

    private static async Task<FileContentHttpResult> Pdf(string folio, string? code, HttpRequest req, NpgsqlDataSource db, CancellationToken ct)
    {
        var r = await ByFolioAsync(folio, code, req, db, ct);
        return TypedResults.File(ReceiptPdf.Write("H. Ayuntamiento de Veracruz - Recibo oficial", Lines(r), Qr(r.VerifyUrl), r.VerifyUrl), "application/pdf", $"recibo-{r.Folio}.pdf");
    }

    public static bool[,] Qr(string text)
    {
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCoder.QRCodeGenerator.ECCLevel.M);
        var n = data.ModuleMatrix.Count;
        var m = new bool[n, n];
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n; x++) m[x, y] = data.ModuleMatrix[y][x];
        return m;
    }

    private static string QrSvg(string text)
    {
        var m = Qr(text);
        var n = m.GetLength(0);
        var sb = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\" role=\"img\" aria-label=\"Código QR de verificación\"><rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path d=\"");
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n; x++)
                if (m[x, y]) sb.Append(CultureInfo.InvariantCulture, $"M{x} {y}h1v1h-1z");
        return sb.Append("\" fill=\"#000\"/></svg>").ToString();
    }

    private static async Task<Results<Ok<ReceiptView>, ProblemHttpResult>> Cancel(string folio, CancelRequest body, ClaimsPrincipal user, HttpRequest req, NpgsqlDataSource db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > 500)
            throw new BadRequestException("'reason' is required (at most 500 characters): a receipt is cancelled with its reason, never deleted",
                "Falta 'reason' (máximo 500 caracteres): un recibo se cancela con su motivo, nunca se borra", "reason");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            UPDATE payments.receipts SET cancelled_at = now(), cancelled_by = @who, cancel_reason = @why WHERE folio = @f AND cancelled_at IS NULL
            """, conn);
        cmd.Parameters.AddWithValue("who", StaffClaims.Who(user));
        cmd.Parameters.AddWithValue("why", StorableText.Clean(body.Reason.Trim()));
        cmd.Parameters.AddWithValue("f", folio.Length > 20 ? "" : folio);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            return await FindAsync(conn, null, "r.folio = @f", ("f", folio.Length > 20 ? "" : folio), req, ct) is null
                ? Problems.NotFound($"No receipt {Cut(folio)}", $"No existe el recibo {Cut(folio)}")
                : TypedResults.Problem(Problems.Create(409, $"Receipt {folio} is already cancelled", $"El recibo {folio} ya está cancelado"));
        return TypedResults.Ok((await FindAsync(conn, null, "r.folio = @f", ("f", folio), req, ct))!);
    }
}

/// <summary>
/// A one-page PDF 1.4 written here: Helvetica in WinAnsi (Latin-1 covers Spanish), the lines of text and the QR drawn
/// as filled squares. No library: the format needs a catalog, a page tree, a page, a font, a content stream and the
/// byte offsets of each object (the xref table).
/// </summary>
public static class ReceiptPdf
{
    public static byte[] Write(string title, IReadOnlyList<string> lines, bool[,] qr, string url)
    {
        var content = new StringBuilder();
        content.Append(CultureInfo.InvariantCulture, $"BT /F1 15 Tf 56 736 Td ({Escape(title)}) Tj ET\n");
        for (var i = 0; i < lines.Count; i++)
            content.Append(CultureInfo.InvariantCulture, $"BT /F1 11 Tf 56 {700 - i * 18} Td ({Escape(lines[i])}) Tj ET\n");
        var n = qr.GetLength(0);
        const double size = 150, left = 56, top = 520;
        var cell = size / n;
        content.Append("0 g\n");
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n; x++)
                if (qr[x, y]) content.Append(CultureInfo.InvariantCulture, $"{left + x * cell:0.###} {top - (y + 1) * cell:0.###} {cell:0.###} {cell:0.###} re\n");
        content.Append("f\n");
        content.Append(CultureInfo.InvariantCulture, $"BT /F1 9 Tf 56 {top - size - 16} Td ({Escape("Verifique este recibo: " + url)}) Tj ET\n");
        var stream = Encoding.Latin1.GetBytes(content.ToString());

        var objects = new List<byte[]>
        {
            Encoding.Latin1.GetBytes("<< /Type /Catalog /Pages 2 0 R >>"),
            Encoding.Latin1.GetBytes("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Encoding.Latin1.GetBytes("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
            Encoding.Latin1.GetBytes("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
            Encoding.Latin1.GetBytes($"<< /Length {stream.Length} >>\nstream\n").Concat(stream).Concat(Encoding.Latin1.GetBytes("\nendstream")).ToArray(),
        };
        using var pdf = new MemoryStream();
        void Put(string s) { var b = Encoding.Latin1.GetBytes(s); pdf.Write(b); }
        Put("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<long>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Position);
            Put($"{i + 1} 0 obj\n");
            pdf.Write(objects[i]);
            Put("\nendobj\n");
        }
        var xref = pdf.Position;
        Put($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var o in offsets) Put($"{o:D10} 00000 n \n");
        Put($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    /// <summary>Text for a PDF string: Latin-1 only (others become '?'), with \, ( and ) escaped.</summary>
    private static string Escape(string s) =>
        new string(s.Select(c => c > 0xFF || char.IsControl(c) ? '?' : c).ToArray()).Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)");
}
