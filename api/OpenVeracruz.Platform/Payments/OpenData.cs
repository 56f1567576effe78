using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>
/// The open data of the payments:
/// <list type="bullet">
/// <item><c>payments.daily_collection</c> (layer payments_daily), refreshed by this job (every 10 minutes and on start):
/// applied payments and amounts per day, channel and kiosk or locality — counts and sums only, no reference, clave or
/// person; the point is the kiosk's, or the centre of the locality's parcels; a kiosk's day without payments is a 0 row;</item>
/// <item>the view <c>payments.block_layer</c> (layer predial_blocks), live: each block for the current fiscal year as
/// paid (every parcel), partly paid or owing (none), with parcel counts only — no amount of any parcel.</item>
/// </list>
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
                   a.day, a.channel, a.kiosk_code, a.cvegeo,
                   coalesce(a.locality, (SELECT min(x.locality) FROM cadastre.parcels x WHERE x.locality_cvegeo = a.cvegeo), 'Sin localidad'), a.n, a.amount,
                   coalesce(k.geom, (SELECT ST_SetSRID(ST_Centroid(ST_Extent(x.geom)), 4326) FROM cadastre.parcels x WHERE x.locality_cvegeo = a.cvegeo),
                            ST_SetSRID(ST_MakePoint(-96.1342, 19.1738), 4326))
            FROM (SELECT (p.received_at AT TIME ZONE 'America/Mexico_City')::date AS day, p.channel, kk.code AS kiosk_code,
                         coalesce(kk.locality_cvegeo, par.locality_cvegeo) AS cvegeo, CASE WHEN p.kiosk_id IS NULL THEN par.locality END AS locality,
                         count(*)::int AS n, sum(p.amount) AS amount
                  FROM payments.payments p JOIN payments.orders o ON o.id = p.order_id
                  LEFT JOIN cadastre.parcels par ON par.clave = o.clave LEFT JOIN payments.kiosks kk ON kk.id = p.kiosk_id
                  WHERE p.status = 'applied'
                  GROUP BY 1, 2, 3, 4, 5) a
            LEFT JOIN payments.kiosks k ON k.code = a.kiosk_code;
            -- a kiosk's day without payments is a row too (0): C1A2 counts per kiosk, and a day of silence is data
            INSERT INTO payments.daily_collection (id, day, channel, kiosk_code, locality_cvegeo, locality, transactions, amount, geom)
            SELECT to_char(d, 'YYYYMMDD') || '-kiosk-' || k.code, d::date, 'kiosk', k.code, k.locality_cvegeo,
                   coalesce((SELECT min(x.locality) FROM cadastre.parcels x WHERE x.locality_cvegeo = k.locality_cvegeo), 'Veracruz'), 0, 0, k.geom
            FROM payments.kiosks k
            CROSS JOIN generate_series(least(coalesce((SELECT min(day) FROM payments.daily_collection), @today), @today), @today, interval '1 day') d
            ON CONFLICT (id) DO NOTHING;

            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("today", PredialDebts.Today());
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

    private static async Task<Ok<PaymentsIndicator>> Indicator(NpgsqlDataSource db, IWebHostEnvironment env, CancellationToken ct, int? year = null)
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
            new("app-movil", "Aplicación móvil (PWA) del ciudadano", InstallablePages(env)),
        ];
        return TypedResults.Ok(new PaymentsIndicator(y, "C1A2", total, KioskGoal, Math.Round(100.0 * total / KioskGoal, 1), perKiosk, "C3A3", phases));
    }

    /// <summary>The citizen pages are installable when this host serves their manifest and service worker.</summary>
    private static bool InstallablePages(IWebHostEnvironment env) =>
        RepositoryFolders.Web(env) is { } web && File.Exists(Path.Combine(web, "pagos", "manifest.webmanifest")) && File.Exists(Path.Combine(web, "pagos", "sw.js"));
}
