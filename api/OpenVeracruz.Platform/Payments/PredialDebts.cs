using System.Globalization;
using System.Text.Json;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>A parcel's predial debt: public to whoever knows the clave, as at a municipal cashier; no owner data exists in it.</summary>
public sealed record PredialDebt(string Clave, string LandUse, string Locality, decimal CadastralValue, DateOnly AsOf,
    IReadOnlyList<int> PaidYears, IReadOnlyList<PredialLine> Years, decimal Total, string RoundingRule);

/// <summary>Reads what the calculator needs from the database: the parcel, its settled years, its verified discounts, the parameters.</summary>
public static class PredialDebts
{
    public static DateOnly Today() => DateOnly.FromDateTime(DateTime.UtcNow + Instants.VeracruzOffset);

    /// <summary>The clave in its canonical form, or a 400.</summary>
    public static string ParseClave(string? clave) =>
        ClaveCatastral.TryParse(clave, out var parsed) ? parsed.Value.ToString()
        : throw new BadRequestException($"'{clave}' is not a clave catastral: expected zone-block-lot as 000-0000-000",
            $"'{clave}' no es una clave catastral: se espera zona-manzana-lote como 000-0000-000", "clave");

    /// <summary>The current parameters of every year.</summary>
    public static async Task<List<PredialParameters>> ParametersAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT year, rates::text, early_discounts::text, vulnerable_discount_percent, due_month, surcharge_monthly_percent,
                   surcharge_per_year_percent, max_surcharge_months, minimum_amount, rounding, legal_basis, effective_from
            FROM payments.predial_parameters WHERE valid_to IS NULL ORDER BY year
            """, conn);
        var all = new List<PredialParameters>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            all.Add(new PredialParameters(r.GetInt32(0), JsonSerializer.Deserialize<Dictionary<string, decimal>>(r.GetString(1))!,
                JsonSerializer.Deserialize<Dictionary<string, decimal>>(r.GetString(2))!.ToDictionary(e => int.Parse(e.Key, CultureInfo.InvariantCulture), e => e.Value),
                r.GetDecimal(3), r.GetInt32(4), r.GetDecimal(5), r.GetDecimal(6), r.GetInt32(7), r.GetDecimal(8), r.GetString(9), r.GetString(10),
                r.GetFieldValue<DateOnly>(11)));
        return all;
    }

    /// <summary>The debt of a parcel on a day; 404 for a clave never seen, 410 for a retired parcel.</summary>
    public static async Task<PredialDebt> LoadAsync(NpgsqlConnection conn, string clave, DateOnly on, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        string landUse, locality;
        decimal value;
        await using (var cmd = new NpgsqlCommand("SELECT land_use, locality, cadastral_value FROM cadastre.parcels WHERE clave = @c", conn, tx))
        {
            cmd.Parameters.AddWithValue("c", clave);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
            {
                await r.DisposeAsync();
                await using var retired = new NpgsqlCommand("SELECT max(valid_to) FROM cadastre.parcel_versions WHERE clave = @c", conn, tx);
                retired.Parameters.AddWithValue("c", clave);
                if (await retired.ExecuteScalarAsync(ct) is DateTime at)
                    throw new BadRequestException(
                        $"Parcel {clave} was retired from the cadastre on {at.Add(Instants.VeracruzOffset):yyyy-MM-dd} (merged or subdivided): it owes no predial of its own; see its history at /api/cadastre/parcels/{clave}/history, or ask at the Tesorería about earlier debts",
                        $"El predio {clave} fue dado de baja del catastro el {at.Add(Instants.VeracruzOffset):yyyy-MM-dd} (fusión o subdivisión): ya no genera predial propio; consulte su historia en /api/cadastre/parcels/{clave}/history o acuda a la Tesorería por adeudos anteriores",
                        "clave", 410);
                throw new BadRequestException($"No parcel has clave catastral {clave}", $"No existe ningún predio con la clave catastral {clave}.", "clave", 404);
            }
            (landUse, locality, value) = (r.GetString(0), r.GetString(1), r.GetDecimal(2));
        }
        var settled = new HashSet<int>();
        var vulnerable = new HashSet<int>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT year, true FROM payments.settled_years WHERE clave = @c
            UNION ALL SELECT year, false FROM payments.vulnerable_discounts WHERE clave = @c
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("c", clave);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) (r.GetBoolean(1) ? settled : vulnerable).Add(r.GetInt32(0));
        }
        var parameters = await ParametersAsync(conn, ct);
        var lines = PredialCalculator.Debt(value, landUse, parameters, settled, vulnerable, on);
        return new PredialDebt(clave, landUse, locality, value, on, settled.Order().ToList(), lines, lines.Sum(l => l.Total),
            "Cada renglón: impuesto, descuento y recargo redondeados según la regla del ejercicio (peso o centavo, mitad hacia arriba); el total es la suma de los renglones. / Each line's tax, discount and surcharge are rounded by the year's rule (peso or centavo, half away from zero); the total is the sum of the lines.");
    }
}
