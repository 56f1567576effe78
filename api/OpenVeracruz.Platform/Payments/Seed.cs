using System.Text.Json;
using Npgsql;

namespace OpenVeracruz.Platform.Payments;

/// <summary>
/// What the payments need to start: the concepts, the predial parameters of 2024–2026 (ILLUSTRATIVE values, shaped like
/// a Ley de Ingresos municipal, not the real ones), the payment kiosks (real public places, approximate coordinates,
/// illustrative equipment) and the fiscal years settled before this system existed (decided per parcel and year by a hash
/// of the clave, so every machine seeds the same). Rows already there are left as they are.
/// </summary>
public static class PaymentsSeed
{
    public const string LegalBasisNote = "Valores ILUSTRATIVOS de demostración";

    public sealed record ConceptSeed(string Code, int Number, string Name, string LegalBasis, string Rule, decimal? Amount);

    public static readonly ConceptSeed[] Concepts =
    [
        new("predial", 1, "Impuesto predial", "Código Hacendario para el Municipio de Veracruz, impuesto predial; Ley de Ingresos del ejercicio (" + LegalBasisNote + ")", "predial", null),
        new("constancia-no-adeudo", 2, "Constancia de no adeudo predial", "Ley de Ingresos del ejercicio, derechos por certificaciones y constancias (" + LegalBasisNote + ")", "fixed", 250m),
        new("licencia-funcionamiento", 3, "Refrendo de licencia de funcionamiento", "Ley de Ingresos del ejercicio, derechos por licencias (" + LegalBasisNote + ")", "fixed", 1_180m),
    ];

    public static PredialParameters Parameters(int year) => year switch
    {
        2024 => new(2024, Rates(1.8m, 2.8m, 2.3m, 3.2m, 0.9m, 3.8m), new Dictionary<int, decimal> { [1] = 15m, [2] = 10m },
            50m, 2, 1.13m, 5m, 60, 325m, Rounding.Peso, "Ley de Ingresos del Municipio de Veracruz para el ejercicio 2024 (" + LegalBasisNote + ")", new DateOnly(2024, 1, 1)),
        2025 => new(2025, Rates(1.9m, 2.9m, 2.4m, 3.4m, 1.0m, 3.9m), new Dictionary<int, decimal> { [1] = 15m, [2] = 10m },
            50m, 2, 1.13m, 5m, 60, 340m, Rounding.Peso, "Ley de Ingresos del Municipio de Veracruz para el ejercicio 2025 (" + LegalBasisNote + ")", new DateOnly(2025, 1, 1)),
        _ => new(year, Rates(2.0m, 3.0m, 2.5m, 3.5m, 1.0m, 4.0m), new Dictionary<int, decimal> { [1] = 15m, [2] = 10m, [3] = 5m },
            50m, 3, 1.13m, 5m, 60, 350m, Rounding.Centavo, $"Ley de Ingresos del Municipio de Veracruz para el ejercicio {year} (" + LegalBasisNote + ")", new DateOnly(year, 1, 1)),
    };

    private static Dictionary<string, decimal> Rates(decimal habitacional, decimal comercial, decimal mixto, decimal industrial, decimal equipamiento, decimal baldio) => new()
    {
        ["habitacional"] = habitacional, ["comercial"] = comercial, ["mixto"] = mixto,
        ["industrial"] = industrial, ["equipamiento"] = equipamiento, ["baldio"] = baldio,
    };

    public sealed record KioskSeed(string Code, string Name, string Address, double Lon, double Lat, string Methods, string Hours);

    public static readonly KioskSeed[] Kiosks =
    [
        new("KIO-01", "Palacio Municipal (Tesorería)", "Plaza de la Constitución (Zócalo), Centro Histórico", -96.1340, 19.2008, "efectivo, tarjeta", "Lun–Vie 08:00–15:00"),
        new("KIO-02", "Parque Zamora", "Av. Independencia y Av. Zaragoza, Centro", -96.1380, 19.1915, "efectivo, tarjeta", "Lun–Dom 07:00–21:00"),
        new("KIO-03", "Mercado Hidalgo", "Calle Hernán Cortés y Av. Madero, Centro", -96.1420, 19.1905, "efectivo", "Lun–Sáb 07:00–18:00"),
        new("KIO-04", "Mercado Malibrán", "Av. Miguel Alemán, Malibrán", -96.1498, 19.1745, "efectivo, tarjeta", "Lun–Sáb 07:00–18:00"),
        new("KIO-05", "Bulevar Ávila Camacho (Villa del Mar)", "Blvd. Manuel Ávila Camacho, Villa del Mar", -96.1272, 19.1772, "tarjeta", "Lun–Dom 08:00–22:00"),
    ];

    /// <summary>Share of parcels (percent) whose year was paid before this system, by year.</summary>
    public static readonly IReadOnlyDictionary<int, int> HistoricPaidPercent = new Dictionary<int, int> { [2024] = 85, [2025] = 75 };

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var c in Concepts)
            await ExecAsync(conn, tx, """
                INSERT INTO payments.concepts (code, number, name, legal_basis, amount_rule, fixed_amount, active)
                VALUES (@code, @number, @name, @basis, @rule, @amount, true) ON CONFLICT (code) DO NOTHING
                """, ct, ("code", c.Code), ("number", c.Number), ("name", c.Name), ("basis", c.LegalBasis), ("rule", c.Rule), ("amount", (object?)c.Amount ?? DBNull.Value));
        foreach (var year in new[] { 2024, 2025, 2026 })
        {
            var p = Parameters(year);
            await ExecAsync(conn, tx, """
                INSERT INTO payments.predial_parameters (year, version, rates, early_discounts, vulnerable_discount_percent, due_month,
                    surcharge_monthly_percent, surcharge_per_year_percent, max_surcharge_months, minimum_amount, rounding, legal_basis,
                    effective_from, valid_from, changed_by, reason)
                SELECT @year, 1, @rates::jsonb, @early::jsonb, @vulnerable, @due, @monthly, @perYear, @maxMonths, @minimum, @rounding, @basis,
                    @effective, now(), 'sistema', 'Parámetros iniciales (ilustrativos)'
                WHERE NOT EXISTS (SELECT 1 FROM payments.predial_parameters WHERE year = @year)
                """, ct, ("year", year), ("rates", JsonSerializer.Serialize(p.RatePerThousand)), ("early", JsonSerializer.Serialize(p.EarlyDiscountPercent)),
                ("vulnerable", p.VulnerableDiscountPercent), ("due", p.DueMonth), ("monthly", p.SurchargeMonthlyPercent), ("perYear", p.SurchargePerYearPercent),
                ("maxMonths", p.MaxSurchargeMonths), ("minimum", p.MinimumAmount), ("rounding", p.Rounding), ("basis", p.LegalBasis), ("effective", p.EffectiveFrom));
        }
        foreach (var k in Kiosks)
            await ExecAsync(conn, tx, """
                INSERT INTO payments.kiosks (code, name, address, locality_cvegeo, status, status_since, methods, hours, location, geom)
                VALUES (@code, @name, @address, '301930001', 'operating', now(), @methods, @hours, 'aproximada', ST_SetSRID(ST_MakePoint(@lon, @lat), 4326))
                ON CONFLICT (code) DO NOTHING
                """, ct, ("code", k.Code), ("name", k.Name), ("address", k.Address), ("methods", k.Methods), ("hours", k.Hours), ("lon", k.Lon), ("lat", k.Lat));
        await tx.CommitAsync(ct);
    }

    /// <summary>The fiscal years paid before the system (after the cadastre is loaded); a year already settled is left as it is.</summary>
    public static async Task SettleHistoricYearsAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // years paid before the system: the same parcels on every machine (md5 of clave and year), never a year already settled
        foreach (var (year, percent) in HistoricPaidPercent)
            await ExecAsync(conn, tx, """
                INSERT INTO payments.settled_years (clave, year, payment_id, source, settled_at)
                SELECT p.clave, @year, NULL, 'historic', make_timestamptz(@year, 2, 28, 12, 0, 0, 'UTC')
                FROM cadastre.parcels p
                WHERE ('x' || substr(md5(p.clave || ':' || @year), 1, 7))::bit(28)::int % 100 < @percent
                ON CONFLICT DO NOTHING
                """, ct, ("year", year), ("percent", percent));
        await tx.CommitAsync(ct);
    }

    private static async Task ExecAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
