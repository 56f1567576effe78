namespace OpenVeracruz.Platform.Payments;

/// <summary>How amounts are rounded: each line's tax, discount and surcharge to the peso or to the centavo, half away from zero.</summary>
public static class Rounding
{
    public const string Peso = "peso", Centavo = "centavo";
    public static readonly string[] All = [Peso, Centavo];

    public static decimal Apply(decimal amount, string rule) => rule switch
    {
        Peso => Math.Round(amount, 0, MidpointRounding.AwayFromZero),
        Centavo => Math.Round(amount, 2, MidpointRounding.AwayFromZero),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "peso or centavo"),
    };
}

/// <summary>
/// The predial parameters of one fiscal year, as the Ley de Ingresos of that year sets them (illustrative values in the seed).
/// Percentages are percent (15 = 15 %); the rate is per thousand of the cadastral value.
/// </summary>
public sealed record PredialParameters(
    int Year,
    IReadOnlyDictionary<string, decimal> RatePerThousand,
    IReadOnlyDictionary<int, decimal> EarlyDiscountPercent,
    decimal VulnerableDiscountPercent,
    int DueMonth,
    decimal SurchargeMonthlyPercent,
    decimal SurchargePerYearPercent,
    int MaxSurchargeMonths,
    decimal MinimumAmount,
    string Rounding,
    string LegalBasis,
    DateOnly EffectiveFrom);

/// <summary>One fiscal year of a parcel's predial, each step shown.</summary>
public sealed record PredialLine(
    int Year, decimal Base, string LandUse, decimal RatePerThousand, decimal Computed, decimal MinimumAmount, bool MinimumApplied, decimal Tax,
    decimal DiscountPercent, string? DiscountKind, decimal Discount,
    int MonthsLate, int YearsBehind, decimal SurchargePercent, decimal Surcharge,
    decimal Total, string Rounding, string LegalBasis);

/// <summary>
/// The predial calculator. For each owed fiscal year Y, on date D (Veracruz's calendar), with Y's parameters:
/// <list type="number">
/// <item>computed = cadastral value × rate per thousand of the land use / 1000; tax = max(computed, minimum), rounded;</item>
/// <item>discount % = the larger (they are not added) of the early-payment discount of D's month when D is in Y, and the
/// verified senior/retiree/disability discount of Y for a home (habitacional or mixto); discount = tax × % rounded;</item>
/// <item>months late = whole months from the end of Y's due month to D's month (D in March, due February: 1), at most the
/// year's maximum; years behind = D's year − Y; surcharge % = monthly % × months late + per-year % × years behind;
/// surcharge = (tax − discount) × surcharge % rounded;</item>
/// <item>total = tax − discount + surcharge; the debt is the sum of the lines, so every shown figure adds up.</item>
/// </list>
/// Rounding is the year's rule (peso or centavo, half away from zero), applied to tax, discount and surcharge.
/// </summary>
public static class PredialCalculator
{
    public static readonly string[] HomeLandUses = ["habitacional", "mixto"];

    public static PredialLine Line(int year, decimal cadastralValue, string landUse, PredialParameters p, bool vulnerableVerified, DateOnly on)
    {
        if (!p.RatePerThousand.TryGetValue(landUse, out var rate))
            throw new InvalidOperationException($"no predial rate for land use '{landUse}' in {p.Year}");
        var computed = cadastralValue * rate / 1000m;
        var minimumApplied = computed < p.MinimumAmount;
        var tax = Rounding.Apply(minimumApplied ? p.MinimumAmount : computed, p.Rounding);

        decimal early = on.Year == year && p.EarlyDiscountPercent.TryGetValue(on.Month, out var e) ? e : 0m;
        decimal vulnerable = vulnerableVerified && HomeLandUses.Contains(landUse) ? p.VulnerableDiscountPercent : 0m;
        var (percent, kind) = vulnerable > early ? (vulnerable, "vulnerable") : early > 0 ? (early, "early") : (0m, (string?)null);
        var discount = Rounding.Apply(tax * percent / 100m, p.Rounding);

        var monthsLate = Math.Clamp((on.Year - year) * 12 + on.Month - p.DueMonth, 0, p.MaxSurchargeMonths);
        var yearsBehind = Math.Max(0, on.Year - year);
        var surchargePercent = p.SurchargeMonthlyPercent * monthsLate + p.SurchargePerYearPercent * yearsBehind;
        var surcharge = Rounding.Apply((tax - discount) * surchargePercent / 100m, p.Rounding);

        return new PredialLine(year, cadastralValue, landUse, rate, Math.Round(computed, 4), p.MinimumAmount, minimumApplied, tax,
            percent, kind, discount, monthsLate, yearsBehind, surchargePercent, surcharge, tax - discount + surcharge, p.Rounding, p.LegalBasis);
    }

    /// <summary>The parameters that govern a year: its own, else the latest earlier year's (a year not yet legislated carries the last over).</summary>
    public static PredialParameters? For(int year, IReadOnlyList<PredialParameters> all) =>
        all.Where(p => p.Year <= year).MaxBy(p => p.Year);

    /// <summary>The lines of every owed year: from the first year with parameters to D's year, less the settled ones.</summary>
    public static List<PredialLine> Debt(decimal cadastralValue, string landUse, IReadOnlyList<PredialParameters> all,
        IReadOnlySet<int> settled, IReadOnlySet<int> vulnerableYears, DateOnly on)
    {
        var lines = new List<PredialLine>();
        if (all.Count == 0) return lines;
        for (var y = all.Min(p => p.Year); y <= on.Year; y++)
            if (!settled.Contains(y) && For(y, all) is { } p)
                lines.Add(Line(y, cadastralValue, landUse, p, vulnerableYears.Contains(y), on));
        return lines;
    }
}
