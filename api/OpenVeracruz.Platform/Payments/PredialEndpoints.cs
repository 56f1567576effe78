using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

public sealed record ConceptView(string Code, int Number, string Name, string LegalBasis, string AmountRule, decimal? FixedAmount);

public sealed record ParametersView(int Year, int Version, IReadOnlyDictionary<string, decimal> RatePerThousand, IReadOnlyDictionary<int, decimal> EarlyDiscountPercent,
    decimal VulnerableDiscountPercent, int DueMonth, decimal SurchargeMonthlyPercent, decimal SurchargePerYearPercent, int MaxSurchargeMonths,
    decimal MinimumAmount, string Rounding, string LegalBasis, DateOnly EffectiveFrom, DateTime ValidFrom, DateTime? ValidTo, string ChangedBy, string Reason);

/// <summary>A new version of a year's parameters: every field is required (a version is complete), with the reason of the change.</summary>
public sealed record ParametersChange(Dictionary<string, decimal>? RatePerThousand, Dictionary<string, decimal>? EarlyDiscountPercent,
    decimal? VulnerableDiscountPercent, int? DueMonth, decimal? SurchargeMonthlyPercent, decimal? SurchargePerYearPercent, int? MaxSurchargeMonths,
    decimal? MinimumAmount, string? Rounding, string? LegalBasis, DateOnly? EffectiveFrom, string? Reason);

public sealed record DiscountRequest(int? Year, string? Kind);

public sealed record DiscountView(string Clave, int Year, string Kind, string VerifiedBy, DateTime VerifiedAt);

/// <summary>The predial: a parcel's debt (public), the concepts, the parameters per fiscal year and their audited changes.</summary>
public static class PredialEndpoints
{
    public static readonly string[] LandUses = ["habitacional", "comercial", "mixto", "industrial", "equipamiento", "baldio"];
    public static readonly string[] DiscountKinds = ["senior", "retiree", "disability"];

    public static IEndpointRouteBuilder MapPredialEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/payments").WithTags("Multipagos / Payments");
        g.MapGet("/predial/{clave}", Debt).WithName("GetPredialDebt")
            .WithSummary("Predial adeudado del año y de años anteriores, renglón por renglón / Predial owed, line by line (no owner data)");
        g.MapGet("/concepts", Concepts).WithName("ListPaymentConcepts").WithSummary("Conceptos de pago y su fundamento legal / Payable concepts");
        g.MapGet("/predial/parameters", Parameters).WithName("ListPredialParameters")
            .WithSummary("Parámetros vigentes del predial por ejercicio / Current predial parameters per fiscal year");
        g.MapGet("/predial/parameters/{year:int}/history", History).WithName("PredialParametersHistory")
            .WithSummary("Versiones de los parámetros de un ejercicio, con quién y por qué / Versions of a year's parameters");
        g.MapPut("/predial/parameters/{year:int}", Change).RequireAuthorization(Roles.Supervisor).WithName("ChangePredialParameters")
            .WithSummary("Nueva versión de los parámetros de un ejercicio (auditada) / A new, audited version of a year's parameters");
        g.MapPost("/predial/{clave}/discounts", Discount).RequireAuthorization(Roles.Supervisor).WithName("RecordVulnerableDiscount")
            .WithSummary("Registra el descuento verificado (adulto mayor, jubilado, discapacidad) de un ejercicio / Record a verified discount");
        return app;
    }


    private static async Task<Ok<PredialDebt>> Debt(string clave, NpgsqlDataSource db, CancellationToken ct)
    {
        var key = PredialDebts.ParseClave(clave);
        await using var conn = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await PredialDebts.LoadAsync(conn, key, PredialDebts.Today(), ct));
    }

    private static async Task<Ok<List<ConceptView>>> Concepts(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT code, number, name, legal_basis, amount_rule, fixed_amount FROM payments.concepts WHERE active ORDER BY number");
        var list = new List<ConceptView>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ConceptView(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetDecimal(5)));
        return TypedResults.Ok(list);
    }

    private const string ViewColumns = """
        year, version, rates::text, early_discounts::text, vulnerable_discount_percent, due_month, surcharge_monthly_percent, surcharge_per_year_percent,
        max_surcharge_months, minimum_amount, rounding, legal_basis, effective_from, valid_from, valid_to, changed_by, reason
        """;

    private static async Task<List<ParametersView>> ReadViewsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<ParametersView>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ParametersView(r.GetInt32(0), r.GetInt32(1), JsonSerializer.Deserialize<Dictionary<string, decimal>>(r.GetString(2))!,
                JsonSerializer.Deserialize<Dictionary<string, decimal>>(r.GetString(3))!.ToDictionary(e => int.Parse(e.Key, CultureInfo.InvariantCulture), e => e.Value),
                r.GetDecimal(4), r.GetInt32(5), r.GetDecimal(6), r.GetDecimal(7), r.GetInt32(8), r.GetDecimal(9), r.GetString(10), r.GetString(11),
                r.GetFieldValue<DateOnly>(12), r.GetDateTime(13), r.IsDBNull(14) ? null : r.GetDateTime(14), r.GetString(15), r.GetString(16)));
        return list;
    }

    private static int CheckYear(int year) => year is >= 2000 and <= 2100 ? year
        : throw new BadRequestException("'year' must be between 2000 and 2100", "'year' debe estar entre 2000 y 2100", "year");

    private static async Task<Ok<List<ParametersView>>> Parameters(NpgsqlDataSource db, CancellationToken ct, int? year = null)
    {
        await using var cmd = db.CreateCommand($"SELECT {ViewColumns} FROM payments.predial_parameters WHERE valid_to IS NULL AND (@y::int IS NULL OR year = @y) ORDER BY year");
        cmd.Parameters.AddWithValue("y", year is { } y ? CheckYear(y) : DBNull.Value);
        return TypedResults.Ok(await ReadViewsAsync(cmd, ct));
    }

    private static async Task<Results<Ok<List<ParametersView>>, ProblemHttpResult>> History(int year, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {ViewColumns} FROM payments.predial_parameters WHERE year = @y ORDER BY version");
        cmd.Parameters.AddWithValue("y", CheckYear(year));
        var list = await ReadViewsAsync(cmd, ct);
        return list.Count == 0 ? Problems.NotFound($"No predial parameters for {year}", $"No hay parámetros del predial para {year}") : TypedResults.Ok(list);
    }

    private static BadRequestException Bad(string en, string es, string field) => new(en, es, field);

    private static decimal Percent(decimal? v, string field) => v is >= 0 and <= 100 ? v.Value
        : throw Bad($"'{field}' is required: a percent from 0 to 100", $"Falta '{field}': un porcentaje de 0 a 100", field);

    /// <summary>Checks a complete set of parameters; the database's check constraints repeat the ranges.</summary>
    internal static PredialParameters Validate(int year, ParametersChange c)
    {
        if (c.RatePerThousand is null || LandUses.Any(u => !c.RatePerThousand.ContainsKey(u)) || c.RatePerThousand.Keys.Any(k => !LandUses.Contains(k))
            || c.RatePerThousand.Values.Any(v => v is < 0 or > 100))
            throw Bad($"'ratePerThousand' must give a rate from 0 to 100 per thousand for exactly these land uses: {string.Join(", ", LandUses)}",
                $"'ratePerThousand' debe dar una tasa de 0 a 100 al millar para exactamente estos usos de suelo: {string.Join(", ", LandUses)}", "ratePerThousand");
        var early = new Dictionary<int, decimal>();
        foreach (var (month, pct) in c.EarlyDiscountPercent ?? [])
        {
            if (!int.TryParse(month, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m is < 1 or > 12 || pct is < 0 or > 100)
                throw Bad("'earlyDiscountPercent' maps month numbers 1 to 12 to a percent from 0 to 100", "'earlyDiscountPercent' asocia meses del 1 al 12 con un porcentaje de 0 a 100", "earlyDiscountPercent");
            early[m] = pct;
        }
        if (c.DueMonth is not (>= 1 and <= 12)) throw Bad("'dueMonth' is required: 1 to 12", "Falta 'dueMonth': de 1 a 12", "dueMonth");
        if (c.MaxSurchargeMonths is not (>= 0 and <= 600)) throw Bad("'maxSurchargeMonths' is required: 0 to 600", "Falta 'maxSurchargeMonths': de 0 a 600", "maxSurchargeMonths");
        if (c.MinimumAmount is not (>= 0 and <= 1_000_000)) throw Bad("'minimumAmount' is required: 0 to 1,000,000 pesos", "Falta 'minimumAmount': de 0 a 1,000,000 pesos", "minimumAmount");
        if (c.Rounding is null || !Rounding.All.Contains(c.Rounding)) throw Bad("'rounding' must be peso or centavo", "'rounding' debe ser peso o centavo", "rounding");
        if (string.IsNullOrWhiteSpace(c.LegalBasis) || c.LegalBasis.Length > 2000) throw Bad("'legalBasis' is required (at most 2000 characters)", "Falta 'legalBasis' (máximo 2000 caracteres)", "legalBasis");
        if (string.IsNullOrWhiteSpace(c.Reason) || c.Reason.Length > 1000) throw Bad("'reason' is required (at most 1000 characters)", "Falta 'reason' (máximo 1000 caracteres)", "reason");
        if (c.EffectiveFrom is not { } from || from.Year != year) throw Bad($"'effectiveFrom' is required: a date in {year}", $"Falta 'effectiveFrom': una fecha de {year}", "effectiveFrom");
        return new PredialParameters(year, c.RatePerThousand, early, Percent(c.VulnerableDiscountPercent, "vulnerableDiscountPercent"), c.DueMonth.Value,
            Percent(c.SurchargeMonthlyPercent, "surchargeMonthlyPercent"), Percent(c.SurchargePerYearPercent, "surchargePerYearPercent"), c.MaxSurchargeMonths.Value,
            c.MinimumAmount.Value, c.Rounding, StorableText.Clean(c.LegalBasis), from);
    }

    private static async Task<Ok<ParametersView>> Change(int year, ParametersChange body, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        var p = Validate(CheckYear(year), body);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // the current version is locked, closed and followed by the next one: two changes at once are applied one after the other
        await using (var close = new NpgsqlCommand("""
            WITH cur AS (SELECT id, version FROM payments.predial_parameters WHERE year = @y AND valid_to IS NULL FOR UPDATE),
                 closed AS (UPDATE payments.predial_parameters t SET valid_to = now() FROM cur WHERE t.id = cur.id RETURNING cur.version)
            INSERT INTO payments.predial_parameters (year, version, rates, early_discounts, vulnerable_discount_percent, due_month,
                surcharge_monthly_percent, surcharge_per_year_percent, max_surcharge_months, minimum_amount, rounding, legal_basis,
                effective_from, valid_from, changed_by, reason)
            SELECT @y, coalesce((SELECT version FROM closed), 0) + 1, @rates::jsonb, @early::jsonb, @vulnerable, @due, @monthly, @perYear, @maxMonths,
                   @minimum, @rounding, @basis, @effective, now(), @who, @reason
            """, conn, tx))
        {
            close.Parameters.AddWithValue("y", year);
            close.Parameters.AddWithValue("rates", JsonSerializer.Serialize(p.RatePerThousand));
            close.Parameters.AddWithValue("early", JsonSerializer.Serialize(p.EarlyDiscountPercent));
            close.Parameters.AddWithValue("vulnerable", p.VulnerableDiscountPercent);
            close.Parameters.AddWithValue("due", p.DueMonth);
            close.Parameters.AddWithValue("monthly", p.SurchargeMonthlyPercent);
            close.Parameters.AddWithValue("perYear", p.SurchargePerYearPercent);
            close.Parameters.AddWithValue("maxMonths", p.MaxSurchargeMonths);
            close.Parameters.AddWithValue("minimum", p.MinimumAmount);
            close.Parameters.AddWithValue("rounding", p.Rounding);
            close.Parameters.AddWithValue("basis", p.LegalBasis);
            close.Parameters.AddWithValue("effective", p.EffectiveFrom);
            close.Parameters.AddWithValue("who", StaffClaims.Who(user));
            close.Parameters.AddWithValue("reason", StorableText.Clean(body.Reason!));
            await close.ExecuteNonQueryAsync(ct);
        }
        await using var read = new NpgsqlCommand($"SELECT {ViewColumns} FROM payments.predial_parameters WHERE year = @y AND valid_to IS NULL", conn, tx);
        read.Parameters.AddWithValue("y", year);
        var view = (await ReadViewsAsync(read, ct)).Single();
        await tx.CommitAsync(ct);
        return TypedResults.Ok(view);
    }

    private static async Task<Results<Created<DiscountView>, ProblemHttpResult>> Discount(string clave, DiscountRequest body, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        var key = PredialDebts.ParseClave(clave);
        if (body.Kind is null || !DiscountKinds.Contains(body.Kind))
            throw Bad("'kind' must be senior, retiree or disability", "'kind' debe ser senior (adulto mayor), retiree (jubilado) o disability (discapacidad)", "kind");
        var year = CheckYear(body.Year ?? PredialDebts.Today().Year);
        await using var conn = await db.OpenConnectionAsync(ct);
        var debt = await PredialDebts.LoadAsync(conn, key, PredialDebts.Today(), ct);
        if (!PredialCalculator.HomeLandUses.Contains(debt.LandUse))
            throw new DomainRuleException($"The discount is for homes: parcel {key} is '{debt.LandUse}'", $"El descuento es para casa habitación: el predio {key} es '{debt.LandUse}'");
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO payments.vulnerable_discounts (clave, year, kind, verified_by, verified_at) VALUES (@c, @y, @k, @who, now())
            ON CONFLICT (clave, year) DO NOTHING RETURNING verified_at
            """, conn);
        cmd.Parameters.AddWithValue("c", key);
        cmd.Parameters.AddWithValue("y", year);
        cmd.Parameters.AddWithValue("k", body.Kind);
        cmd.Parameters.AddWithValue("who", StaffClaims.Who(user));
        if (await cmd.ExecuteScalarAsync(ct) is not DateTime at)
            return TypedResults.Problem(Problems.Create(409, $"Parcel {key} already has a verified discount for {year}", $"El predio {key} ya tiene un descuento verificado para {year}"));
        return TypedResults.Created($"/api/payments/predial/{key}", new DiscountView(key, year, body.Kind, StaffClaims.Who(user), at));
    }
}
