using OpenVeracruz.Platform.Payments;

namespace OpenVeracruz.Tests.Payments;

/// <summary>The línea de captura's check digits and the predial calculator, with worked examples written out.</summary>
public class PaymentUnitTests
{
    [Fact]
    public void The_worked_example_of_the_reference_has_check_digits_35()
    {
        // payload 01 (predial) 0000000042 (order 42) 261210 (last day 2026-12-10); 01000000004226121000 mod 97 = 63; 98 − 63 = 35
        var r = LineaDeCaptura.Create(1, 42, new DateOnly(2026, 12, 10));
        Assert.Equal("01000000004226121035", r.Digits);
        Assert.Equal("0100 0000 0042 2612 1035", r.Display);
        Assert.Equal(LineaDeCaptura.Problem.None, LineaDeCaptura.TryParse("0100 0000 0042 2612 1035", out var back));
        Assert.Equal(r, back);
        Assert.Equal(new DateOnly(2026, 12, 10), back.Expires);
    }

    [Fact]
    public void Every_single_digit_change_and_every_swap_of_neighbours_is_caught()
    {
        var digits = LineaDeCaptura.Create(1, 123456, new DateOnly(2026, 11, 30)).Digits;
        var caught = 0;
        for (var i = 0; i < digits.Length; i++)
            for (var d = '0'; d <= '9'; d++)
            {
                if (d == digits[i]) continue;
                var forged = digits[..i] + d + digits[(i + 1)..];
                Assert.NotEqual(LineaDeCaptura.Problem.None, LineaDeCaptura.TryParse(forged, out _));
                caught++;
            }
        for (var i = 0; i + 1 < digits.Length; i++)
        {
            if (digits[i] == digits[i + 1]) continue;
            var swapped = digits[..i] + digits[i + 1] + digits[i] + digits[(i + 2)..];
            Assert.Equal(LineaDeCaptura.Problem.CheckDigits, LineaDeCaptura.TryParse(swapped, out _));
        }
        Assert.Equal(180, caught);
        Assert.Equal(LineaDeCaptura.Problem.Format, LineaDeCaptura.TryParse("0100 0000 0042 2612 103", out _));
        Assert.Equal(LineaDeCaptura.Problem.Format, LineaDeCaptura.TryParse("0100-0000-0042-2612-103X", out _));
        Assert.Equal(LineaDeCaptura.Problem.Format, LineaDeCaptura.TryParse(null, out _));
        // check digits right but 31 February: a forger who knows MOD 97 still needs a real date
        var payload = "010000000042260231";
        Assert.Equal(LineaDeCaptura.Problem.Date, LineaDeCaptura.TryParse(payload + LineaDeCaptura.CheckDigits(payload), out _));
    }

    private static readonly PredialParameters P2024 = PaymentsSeed.Parameters(2024), P2025 = PaymentsSeed.Parameters(2025), P2026 = PaymentsSeed.Parameters(2026);

    [Fact]
    public void Early_payment_in_January_of_the_year_takes_15_percent()
    {
        // 850,000 × 2.0 ‰ = 1,700.00; January: 15 % = 255.00; not late (due end of March) → 1,445.00
        var l = PredialCalculator.Line(2026, 850_000m, "habitacional", P2026, false, new DateOnly(2026, 1, 20));
        Assert.Equal((1700.00m, 15m, "early", 255.00m, 0, 0m, 1445.00m), (l.Tax, l.DiscountPercent, l.DiscountKind, l.Discount, l.MonthsLate, l.Surcharge, l.Total));
    }

    [Fact]
    public void Late_in_the_year_it_pays_monthly_surcharges()
    {
        // November, due March: 8 months × 1.13 % = 9.04 %; 1,700.00 × 9.04 % = 153.68 → 1,853.68
        var l = PredialCalculator.Line(2026, 850_000m, "habitacional", P2026, false, new DateOnly(2026, 11, 28));
        Assert.Equal((8, 0, 9.04m, 153.68m, 1853.68m), (l.MonthsLate, l.YearsBehind, l.SurchargePercent, l.Surcharge, l.Total));
    }

    [Fact]
    public void An_earlier_year_adds_the_per_year_surcharge_and_rounds_to_the_peso()
    {
        // 2025: 850,000 × 1.9 ‰ = 1,615; due February 2025, paid November 2026: 21 months × 1.13 % + 1 year × 5 % = 28.73 %;
        // 1,615 × 28.73 % = 463.9895 → 464 (2025 rounds to the peso) → 2,079
        var l = PredialCalculator.Line(2025, 850_000m, "habitacional", P2025, false, new DateOnly(2026, 11, 28));
        Assert.Equal((1615m, 21, 1, 28.73m, 464m, 2079m), (l.Tax, l.MonthsLate, l.YearsBehind, l.SurchargePercent, l.Surcharge, l.Total));
    }

    [Fact]
    public void The_minimum_applies_before_the_discount()
    {
        // a vacant lot worth 50,000 × 4.0 ‰ = 200.00, under the 350.00 minimum: tax 350.00; February 10 % = 35.00 → 315.00
        var l = PredialCalculator.Line(2026, 50_000m, "baldio", P2026, false, new DateOnly(2026, 2, 10));
        Assert.True(l.MinimumApplied);
        Assert.Equal((200.00m, 350.00m, 35.00m, 315.00m), (l.Computed, l.Tax, l.Discount, l.Total));
    }

    [Fact]
    public void Rounding_is_to_the_centavo_or_to_the_peso_half_away_from_zero()
    {
        // centavo: 123,456.78 × 3.0 ‰ = 370.37034 → 370.37; April: 1 month × 1.13 % = 4.185181 → 4.19 → 374.56
        var c = PredialCalculator.Line(2026, 123_456.78m, "comercial", P2026, false, new DateOnly(2026, 4, 15));
        Assert.Equal((370.37m, 4.19m, 374.56m), (c.Tax, c.Surcharge, c.Total));
        // peso: 500,500 × 1.0 ‰ = 500.5 → 501 (half away from zero; banker's rounding would give 500); 501 × 28.73 % = 143.9373 → 144 → 645
        var p = PredialCalculator.Line(2025, 500_500m, "equipamiento", P2025, false, new DateOnly(2026, 11, 28));
        Assert.Equal((501m, 144m, 645m), (p.Tax, p.Surcharge, p.Total));
    }

    [Fact]
    public void The_verified_discount_is_for_homes_and_is_not_added_to_the_early_one()
    {
        // January: early 15 % and vulnerable 50 %: the larger, 50 %, not 65 % → 850.00
        var home = PredialCalculator.Line(2026, 850_000m, "habitacional", P2026, true, new DateOnly(2026, 1, 20));
        Assert.Equal((50m, "vulnerable", 850.00m, 850.00m), (home.DiscountPercent, home.DiscountKind, home.Discount, home.Total));
        // a shop gets the early discount only
        var shop = PredialCalculator.Line(2026, 850_000m, "comercial", P2026, true, new DateOnly(2026, 1, 20));
        Assert.Equal((15m, "early"), (shop.DiscountPercent, shop.DiscountKind));
    }

    [Fact]
    public void The_debt_covers_every_unsettled_year_and_adds_up()
    {
        // 2025 settled; 2024: 850,000 × 1.8 ‰ = 1,530; 33 months × 1.13 % + 2 years × 5 % = 47.29 %; 1,530 × 47.29 % = 723.537 → 724 → 2,254
        // 2026 as above: 1,853.68; total 4,107.68
        var lines = PredialCalculator.Debt(850_000m, "habitacional", [P2024, P2025, P2026], new HashSet<int> { 2025 }, new HashSet<int>(), new DateOnly(2026, 11, 28));
        Assert.Equal([2024, 2026], lines.Select(l => l.Year));
        Assert.Equal(2254m, lines[0].Total);
        Assert.Equal(4107.68m, lines.Sum(l => l.Total));
        // a year without parameters of its own carries the latest over; the surcharge months stop at the maximum (60)
        var later = PredialCalculator.Debt(850_000m, "habitacional", [P2024], new HashSet<int>(), new HashSet<int>(), new DateOnly(2031, 6, 1));
        Assert.Equal(8, later.Count);
        Assert.Equal(60, later[0].MonthsLate);
    }

    [Fact]
    public void An_order_expires_after_its_days_but_never_past_the_end_of_its_month()
    {
        Assert.Equal(new DateOnly(2026, 11, 10), OrderEndpoints.ExpiryFor(new DateOnly(2026, 11, 1), 10));
        Assert.Equal(new DateOnly(2026, 11, 30), OrderEndpoints.ExpiryFor(new DateOnly(2026, 11, 28), 10));
        Assert.Equal(new DateTime(2026, 12, 1, 6, 0, 0, DateTimeKind.Utc), OrderEndpoints.EndOf(new DateOnly(2026, 11, 30)));
    }

    [Fact]
    public void A_webhook_signature_is_checked_in_time_and_content()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        var body = "{\"id\":\"evt_1\"}";
        var good = $"t={now.ToUnixTimeSeconds()},v1={OnlineEndpoints.Sign("s3cret", now.ToUnixTimeSeconds(), body)}";
        Assert.True(OnlineEndpoints.Verify(good, body, "s3cret", now, 300));
        Assert.False(OnlineEndpoints.Verify(good, body + " ", "s3cret", now, 300));
        Assert.False(OnlineEndpoints.Verify(good, body, "other", now, 300));
        Assert.False(OnlineEndpoints.Verify(good, body, "s3cret", now.AddSeconds(301), 300));
        Assert.False(OnlineEndpoints.Verify(null, body, "s3cret", now, 300));
        Assert.False(OnlineEndpoints.Verify("v1=abc", body, "s3cret", now, 300));
    }
}
