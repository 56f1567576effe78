using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using NpgsqlTypes;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>One payment as the staff's search shows it, with its receipt (if any). Payments hold no personal data.</summary>
public sealed record PaymentFound(long Id, string Reference, string ReferenceDisplay, string Clave, int[] Years, string Channel, string Method, decimal Amount,
    string Status, string? RefundReason, DateTime ReceivedAt, string? Kiosk, string? Folio, string? ReceiptStatus, DateTime? CancelledAt, string? CancelledBy,
    string? CancelReason);

/// <summary>
/// One row of the daily cash report: a kiosk (channel kiosk) or the online / bank channel on one day. Received = applied +
/// listed for refund (the money came in either way); cash + card + other methods (the bank's counter) = received.
/// </summary>
public sealed record CashRow(string Channel, string? Kiosk, string? KioskName, int Count, decimal Total, int CashCount, decimal CashTotal, int CardCount,
    decimal CardTotal, int OtherCount, decimal OtherTotal, int AppliedCount, decimal AppliedTotal, int RefundCount, decimal RefundTotal);

public sealed record CashReport(DateOnly Day, IReadOnlyList<CashRow> Rows, CashRow Total);

/// <summary>
/// The staff's reads of Multipagos: the payments and receipts search, and the daily cash report per kiosk and channel
/// (JSON, and CSV for a spreadsheet). Any staff account (viewer and above) reads them; cancelling a receipt stays a
/// supervisor's (<see cref="ReceiptEndpoints"/>). Also the payment order's QR (public: the reference only).
/// </summary>
public static class StaffEndpoints
{
    public static IEndpointRouteBuilder MapPaymentStaffEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/payments").WithTags("Multipagos / Payments");
        g.MapGet("/search", Search).RequireAuthorization(Roles.Viewer).WithName("SearchPayments")
            .WithSummary("Pagos y recibos por línea de captura, folio, clave catastral o día (q, day) / Payments and receipts by reference, folio, clave or day");
        g.MapGet("/reports/daily", Daily).RequireAuthorization(Roles.Viewer).WithName("DailyCashReport")
            .WithSummary("Corte de caja del día por módulo y canal: cantidad, total, efectivo y tarjeta (day) / Daily cash report per kiosk and channel");
        g.MapGet("/reports/daily.csv", DailyCsv).RequireAuthorization(Roles.Viewer).WithName("DailyCashReportCsv").Produces(200, contentType: "text/csv")
            .WithSummary("El corte de caja en CSV para Excel (UTF-8 con BOM) / The daily cash report as CSV for Excel");
        g.MapGet("/orders/{reference}/qr.png", OrderQr).WithName("PaymentOrderQr").Produces(200, contentType: "image/png")
            .WithSummary("Código QR de la línea de captura (solo la referencia) / QR code of the order's reference only");
        return app;
    }

    private const string DayOf = "(p.received_at AT TIME ZONE 'America/Mexico_City')::date";

    private static async Task<Ok<List<PaymentFound>>> Search(HttpRequest request, NpgsqlDataSource db, CancellationToken ct)
    {
        var q = QueryArgs.Get(request, "q")?.Trim() ?? "";
        var dayText = QueryArgs.Get(request, "day");
        DateOnly? day = string.IsNullOrEmpty(dayText) ? (q.Length == 0 ? PredialDebts.Today() : null) : ReconciliationEndpoints.ParseDay(dayText);
        string? reference = null, folio = null, clave = null;
        if (q.Length > 40)
            throw new BadRequestException("'q' is a reference, a receipt folio or a clave catastral", "'q' es una línea de captura, un folio de recibo o una clave catastral", "q");
        if (q.Length > 0)
        {
            var compact = q.Replace(" ", "", StringComparison.Ordinal);
            if (compact.Length == 20 && compact.All(char.IsAsciiDigit)) reference = OrderEndpoints.ParseReference(compact).Digits;
            else if (compact.StartsWith("RO-", StringComparison.OrdinalIgnoreCase) && compact.Length <= 20) folio = compact.ToUpperInvariant();
            else if (ClaveCatastral.TryParse(q, out var parsed)) clave = parsed.Value.ToString();
            else
                throw new BadRequestException($"'{q}' is not a reference (20 digits), a receipt folio (RO-2026-00000001) or a clave catastral (000-0000-000)",
                    $"'{q}' no es una línea de captura (20 dígitos), un folio de recibo (RO-2026-00000001) ni una clave catastral (000-0000-000)", "q");
        }
        await using var cmd = db.CreateCommand($"""
            SELECT p.id, p.reference, o.clave, o.years, p.channel, p.method, p.amount, p.status, p.refund_reason, p.received_at, k.code,
                   r.folio, CASE WHEN r.id IS NULL THEN NULL WHEN r.cancelled_at IS NULL THEN 'valid' ELSE 'cancelled' END, r.cancelled_at, r.cancelled_by, r.cancel_reason
            FROM payments.payments p JOIN payments.orders o ON o.id = p.order_id
            LEFT JOIN payments.kiosks k ON k.id = p.kiosk_id LEFT JOIN payments.receipts r ON r.payment_id = p.id
            WHERE (@ref::text IS NULL OR p.reference = @ref) AND (@folio::text IS NULL OR r.folio = @folio) AND (@clave::text IS NULL OR o.clave = @clave)
              AND (@day::date IS NULL OR {DayOf} = @day)
            ORDER BY p.received_at DESC, p.id DESC LIMIT 200
            """);
        cmd.Parameters.Add(new NpgsqlParameter("ref", NpgsqlDbType.Text) { Value = (object?)reference ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("folio", NpgsqlDbType.Text) { Value = (object?)folio ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("clave", NpgsqlDbType.Text) { Value = (object?)clave ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("day", NpgsqlDbType.Date) { Value = (object?)day ?? DBNull.Value });
        var list = new List<PaymentFound>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        while (await r.ReadAsync(ct))
        {
            LineaDeCaptura.TryParse(r.GetString(1), out var parsed);
            list.Add(new PaymentFound(r.GetInt64(0), r.GetString(1), parsed.Display, r.GetString(2), r.GetFieldValue<int[]>(3), r.GetString(4), r.GetString(5),
                r.GetDecimal(6), r.GetString(7), S(8), r.GetDateTime(9), S(10), S(11), S(12), r.IsDBNull(13) ? null : r.GetDateTime(13), S(14), S(15)));
        }
        return TypedResults.Ok(list);
    }

    /// <summary>Every kiosk (a day without payments is a row of zeros), then the online and bank channels, in that order.</summary>
    public static async Task<CashReport> ReadDailyAsync(NpgsqlDataSource db, DateOnly day, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            WITH day_payments AS (SELECT p.* FROM payments.payments p WHERE {DayOf} = @d),
            slots AS (
                SELECT 'kiosk'::text AS channel, k.id AS kiosk_id, k.code, k.name, 0 AS ord FROM payments.kiosks k
                UNION ALL SELECT 'online', NULL, NULL, NULL, 1
                UNION ALL SELECT 'bank', NULL, NULL, NULL, 2)
            SELECT s.channel, s.code, s.name, count(p.id)::int, coalesce(sum(p.amount), 0),
                   count(p.id) FILTER (WHERE p.method = 'cash')::int, coalesce(sum(p.amount) FILTER (WHERE p.method = 'cash'), 0),
                   count(p.id) FILTER (WHERE p.method = 'card')::int, coalesce(sum(p.amount) FILTER (WHERE p.method = 'card'), 0),
                   count(p.id) FILTER (WHERE p.method NOT IN ('cash', 'card'))::int, coalesce(sum(p.amount) FILTER (WHERE p.method NOT IN ('cash', 'card')), 0),
                   count(p.id) FILTER (WHERE p.status = 'applied')::int, coalesce(sum(p.amount) FILTER (WHERE p.status = 'applied'), 0),
                   count(p.id) FILTER (WHERE p.status = 'refund')::int, coalesce(sum(p.amount) FILTER (WHERE p.status = 'refund'), 0)
            FROM slots s LEFT JOIN day_payments p ON p.channel = s.channel AND (s.kiosk_id IS NULL OR p.kiosk_id = s.kiosk_id)
            GROUP BY s.ord, s.channel, s.code, s.name ORDER BY s.ord, s.code
            """);
        cmd.Parameters.AddWithValue("d", day);
        var rows = new List<CashRow>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rows.Add(new CashRow(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3), r.GetDecimal(4),
                    r.GetInt32(5), r.GetDecimal(6), r.GetInt32(7), r.GetDecimal(8), r.GetInt32(9), r.GetDecimal(10), r.GetInt32(11), r.GetDecimal(12),
                    r.GetInt32(13), r.GetDecimal(14)));
        var total = new CashRow("total", null, null, rows.Sum(x => x.Count), rows.Sum(x => x.Total), rows.Sum(x => x.CashCount), rows.Sum(x => x.CashTotal),
            rows.Sum(x => x.CardCount), rows.Sum(x => x.CardTotal), rows.Sum(x => x.OtherCount), rows.Sum(x => x.OtherTotal), rows.Sum(x => x.AppliedCount),
            rows.Sum(x => x.AppliedTotal), rows.Sum(x => x.RefundCount), rows.Sum(x => x.RefundTotal));
        return new CashReport(day, rows, total);
    }

    private static DateOnly ReportDay(HttpRequest request) => ReconciliationEndpoints.ParseDay(QueryArgs.Get(request, "day"), PredialDebts.Today());

    private static async Task<Ok<CashReport>> Daily(HttpRequest request, NpgsqlDataSource db, CancellationToken ct) =>
        TypedResults.Ok(await ReadDailyAsync(db, ReportDay(request), ct));

    private static readonly string[] CsvHeader =
    [
        "dia", "canal", "modulo", "nombre_modulo", "operaciones", "total", "efectivo_operaciones", "efectivo_total", "tarjeta_operaciones", "tarjeta_total",
        "otros_operaciones", "otros_total", "aplicados_operaciones", "aplicados_total", "a_devolver_operaciones", "a_devolver_total",
    ];

    private static async Task DailyCsv(HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        var day = ReportDay(http.Request);
        var report = await ReadDailyAsync(db, day, ct);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"corte-de-caja-{day:yyyyMMdd}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var h in CsvHeader) csv.WriteField(h);
        await csv.NextRecordAsync();
        static string M(decimal v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        foreach (var x in report.Rows.Append(report.Total))
        {
            foreach (var field in new[]
            {
                $"{day:yyyy-MM-dd}", x.Channel, SpreadsheetText.Neutralise(x.Kiosk ?? ""), SpreadsheetText.Neutralise(x.KioskName ?? ""),
                $"{x.Count}", M(x.Total), $"{x.CashCount}", M(x.CashTotal), $"{x.CardCount}", M(x.CardTotal), $"{x.OtherCount}", M(x.OtherTotal),
                $"{x.AppliedCount}", M(x.AppliedTotal), $"{x.RefundCount}", M(x.RefundTotal),
            })
                csv.WriteField(field);
            await csv.NextRecordAsync();
        }
    }

    /// <summary>The QR of a well-formed reference (its 20 digits only: what a kiosk's camera or a bank reads); an unknown one is a 404.</summary>
    private static async Task<IResult> OrderQr(string reference, NpgsqlDataSource db, CancellationToken ct)
    {
        var parsed = OrderEndpoints.ParseReference(reference);
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await OrderEndpoints.FindAsync(conn, null, parsed.Digits, ct) is null)
            throw new BadRequestException($"No payment order has reference {parsed.Display}", $"No existe ninguna orden de pago con la línea de captura {parsed.Display}", "reference", 404);
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode(parsed.Digits, QRCoder.QRCodeGenerator.ECCLevel.M);
        return Results.File(new QRCoder.PngByteQRCode(data).GetGraphic(8), "image/png");
    }
}
