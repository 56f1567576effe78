using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>
/// The open data of the payments, refreshed by a job (every 10 minutes, on start, and after a reconciliation):
/// <list type="bullet">
/// <item><c>payments.daily_collection</c> (layer payments_daily): applied payments and amounts per day, channel and kiosk
/// or locality — counts and sums only, no reference, clave or person; the point is the kiosk's or the locality's;</item>
/// <item><c>payments.block_collection</c> (layer predial_blocks): each block of the cadastre for the current fiscal year as
/// paid (every parcel), partly paid or owing (none), with parcel counts only — no amount of any parcel.</item>
/// </list>
/// Tables rather than views: the localities layer is swapped by its loader, which a view on it would block.
/// </summary>
public sealed class OpenDataJob(NpgsqlDataSource db)
{
    public async Task RunAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("""
            DELETE FROM payments.daily_collection;
            INSERT INTO payments.daily_collection (id, day, channel, kiosk_code, locality_cvegeo, locality, transactions, amount, geom)
            SELECT to_char(a.day, 'YYYYMMDD') || '-' || a.channel || '-' || coalesce(a.kiosk_code, a.cvegeo, 'sin-localidad'),
                   a.day, a.channel, a.kiosk_code, a.cvegeo, coalesce(a.locality, 'Sin localidad'), a.n, a.amount,
                   coalesce(k.geom, (SELECT ST_PointOnSurface(l.geom) FROM layers.localities l WHERE l.cvegeo = a.cvegeo),
                            ST_SetSRID(ST_MakePoint(-96.1342, 19.1738), 4326))
            FROM (SELECT (p.received_at AT TIME ZONE 'America/Mexico_City')::date AS day, p.channel, kk.code AS kiosk_code,
                         CASE WHEN p.kiosk_id IS NULL THEN par.locality_cvegeo END AS cvegeo, CASE WHEN p.kiosk_id IS NULL THEN par.locality END AS locality,
                         count(*)::int AS n, sum(p.amount) AS amount
                  FROM payments.payments p JOIN payments.orders o ON o.id = p.order_id
                  LEFT JOIN cadastre.parcels par ON par.clave = o.clave LEFT JOIN payments.kiosks kk ON kk.id = p.kiosk_id
                  WHERE p.status = 'applied'
                  GROUP BY 1, 2, 3, 4, 5) a
            LEFT JOIN payments.kiosks k ON k.code = a.kiosk_code;

            DELETE FROM payments.block_collection;
            INSERT INTO payments.block_collection (id, zone, block, locality, fiscal_year, parcels, paid, status, geom)
            SELECT lpad(b.zone::text, 3, '0') || '-' || lpad(b.block::text, 4, '0'), b.zone, b.block, b.locality, b.y, b.parcels, b.paid,
                   CASE WHEN b.paid = b.parcels THEN 'paid' WHEN b.paid = 0 THEN 'owing' ELSE 'partly_paid' END, b.geom
            FROM (SELECT p.zone, p.block, min(p.locality) AS locality, @y AS y, count(*)::int AS parcels,
                         count(s.clave)::int AS paid, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(p.geom)), 3)) AS geom
                  FROM cadastre.parcels p LEFT JOIN payments.settled_years s ON s.clave = p.clave AND s.year = @y
                  GROUP BY p.zone, p.block) b;
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("y", PredialDebts.Today().Year);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }
}

public sealed record KioskTransactions(string Kiosk, string Name, long Transactions);

public sealed record Phase(string Code, string Name, bool Operating);

/// <summary>C1A2 (kiosk transactions against 16,500 a year, per kiosk) and C3A3 (the phases of the Multipagos system).</summary>
public sealed record PaymentsIndicator(int Year, string Activity, long KioskTransactions, int Goal, double Percent, IReadOnlyList<KioskTransactions> PerKiosk,
    string SystemActivity, IReadOnlyList<Phase> Phases);

public static class IndicatorEndpoints
{
    public const int KioskGoal = 16_500;

    public static IEndpointRouteBuilder MapPaymentsIndicator(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/payments/indicator", Indicator).WithTags("Multipagos / Payments").WithName("PaymentsIndicator")
            .WithSummary("Indicadores C1A2 (transacciones por módulo contra 16,500) y C3A3 (fases del sistema) / C1A2 and C3A3 indicators");
        return app;
    }

    private static async Task<Ok<PaymentsIndicator>> Indicator(NpgsqlDataSource db, CancellationToken ct, int? year = null)
    {
        var y = year ?? PredialDebts.Today().Year;
        if (y is < 2000 or > 2100) throw new BadRequestException("'year' must be between 2000 and 2100", "'year' debe estar entre 2000 y 2100", "year");
        var perKiosk = new List<KioskTransactions>();
        var byChannel = new Dictionary<string, long>();
        long receipts, reconciled;
        await using (var cmd = db.CreateCommand("""
            SELECT k.code, k.name, count(p.id) FROM payments.kiosks k
            LEFT JOIN payments.payments p ON p.kiosk_id = k.id AND p.status = 'applied'
                 AND extract(year FROM p.received_at AT TIME ZONE 'America/Mexico_City') = @y
            GROUP BY k.code, k.name ORDER BY k.code;
            SELECT channel, count(*) FROM payments.payments WHERE status = 'applied' AND extract(year FROM received_at AT TIME ZONE 'America/Mexico_City') = @y GROUP BY channel;
            SELECT (SELECT count(*) FROM payments.receipts WHERE extract(year FROM issued_at AT TIME ZONE 'America/Mexico_City') = @y),
                   (SELECT count(*) FROM payments.reconciliation_days WHERE extract(year FROM day) = @y);
            """))
        {
            cmd.Parameters.AddWithValue("y", y);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) perKiosk.Add(new KioskTransactions(r.GetString(0), r.GetString(1), r.GetInt64(2)));
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) byChannel[r.GetString(0)] = r.GetInt64(1);
            await r.NextResultAsync(ct);
            await r.ReadAsync(ct);
            (receipts, reconciled) = (r.GetInt64(0), r.GetInt64(1));
        }
        var total = perKiosk.Sum(k => k.Transactions);
        Phase[] phases =
        [
            new("calculo", "Cálculo del predial y órdenes de pago con línea de captura", true),
            new("modulos", "Pago en módulos (kioscos)", byChannel.ContainsKey(Channels.Kiosk)),
            new("en-linea", "Pago en línea (pasarela)", byChannel.ContainsKey(Channels.Online)),
            new("banco", "Pago en ventanilla bancaria (archivo del banco)", byChannel.ContainsKey(Channels.Bank)),
            new("recibos", "Recibos oficiales con QR de verificación", receipts > 0),
            new("conciliacion", "Conciliación diaria por canal", reconciled > 0),
            new("app-movil", "Aplicación móvil (PWA) del ciudadano", false),
        ];
        return TypedResults.Ok(new PaymentsIndicator(y, "C1A2", total, KioskGoal, Math.Round(100.0 * total / KioskGoal, 1), perKiosk, "C3A3", phases));
    }
}
