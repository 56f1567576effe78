using OpenVeracruz.Platform.Appointments;

namespace OpenVeracruz.Tests.Appointments;

/// <summary>The pure rules: CURP, slots, folio, proof of work (no I/O).</summary>
public class AppointmentUnitTests
{
    [Theory]
    // RENAPO's example in its Instructivo Normativo para la Asignación de la CURP (Gloria Hernández García, born in Veracruz)
    [InlineData("HEGG560427MVZRRL04")]
    [InlineData("MAHJ280603MSPRRV09")]
    public void Published_CURPs_pass_with_their_check_digit(string curp)
    {
        Assert.Null(Curp.Problem(curp));
        Assert.Null(Curp.Problem(curp.ToLowerInvariant()));
        Assert.Equal(curp[17] - '0', Curp.CheckDigit(curp));
    }

    [Theory]
    [InlineData("HEGG560427MVZRRL05", "verificador")] // one digit off
    [InlineData("BADD110313HCMLNS09", "verificador")] // a widely copied "example" whose digit does not match
    [InlineData("HEGG561327MVZRRL04", "formato")]     // month 13
    [InlineData("HEGG560230MVZRRL04", "no existe")]   // 30 February
    [InlineData("HEGG560427MXXRRL04", "formato")]     // no such state
    [InlineData("HEGG560427", "formato")]
    [InlineData("", "Falta")]
    public void Wrong_CURPs_are_refused_with_the_reason(string curp, string reason) =>
        Assert.Contains(reason, Curp.Problem(curp)!.Value.Es);

    [Fact]
    public void Names_keep_accents_and_enye_and_refuse_digits()
    {
        Assert.Equal("José María Ñúñez", PersonName.Clean("  José   María Ñúñez "));
        Assert.Equal("O'Higgins-Peña", PersonName.Clean("O'Higgins-Peña"));
        Assert.Equal("Müller", PersonName.Clean("Mu\u0308ller")); // decomposed ü is composed
        Assert.Null(PersonName.Clean("R2D2"));
        Assert.Null(PersonName.Clean("<script>"));
    }

    private static readonly CapacityCalendar Open = new(new HashSet<DateOnly>(), [], []);
    private static readonly ScheduleRange[] Weekdays = [.. Enumerable.Range(1, 5).Select(d => new ScheduleRange(d, new TimeOnly(8, 30), new TimeOnly(15, 0), 3))];

    [Fact]
    public void Slots_follow_each_services_duration_and_the_schedules_desks()
    {
        var monday = new DateOnly(2026, 12, 7);
        var ten = Slots.For(monday, 10, 10, Weekdays, Open).ToList();
        Assert.Equal(39, ten.Count); // 6 h 30 min of 10-minute slots
        Assert.All(ten, s => Assert.Equal(3, s.Desks));
        Assert.Equal(new DateTime(2026, 12, 7, 14, 30, 0, DateTimeKind.Utc), ten[0].Start); // 08:30 in Veracruz = 14:30 UTC
        Assert.Equal(13, Slots.For(monday, 30, 30, Weekdays, Open).Count());
        // a visit of two services (30 + 20 min) steps like the first and must end by 15:00
        var visit = Slots.For(monday, 30, 50, Weekdays, Open).ToList();
        Assert.Equal(new TimeOnly(14, 0), TimeOnly.FromDateTime(Slots.LocalTime(visit[^1].Start)));
        Assert.All(visit, s => Assert.Equal(50, (s.End - s.Start).TotalMinutes));
        Assert.Empty(Slots.For(new DateOnly(2026, 12, 6), 10, 10, Weekdays, Open)); // Sunday without a schedule
        ScheduleRange[] sunday = [new(0, new TimeOnly(10, 0), new TimeOnly(11, 0), 1)];
        Assert.Equal(4, Slots.For(new DateOnly(2026, 12, 6), 15, 15, sunday, Open).Count());
    }

    [Fact]
    public void Holidays_closures_and_absences_take_capacity_away()
    {
        var monday = new DateOnly(2026, 12, 7);
        Assert.Empty(Slots.For(monday, 10, 10, Weekdays, Open with { Holidays = new HashSet<DateOnly> { monday } }));
        Assert.Empty(Slots.For(monday, 10, 10, Weekdays, Open with { Closures = [new DayOff(monday.AddDays(-2), monday)] }));
        var twoAway = Open with { Absences = [new DayOff(monday, monday.AddDays(4), 2)] };
        Assert.All(Slots.For(monday, 10, 10, Weekdays, twoAway), s => Assert.Equal(1, s.Desks));
        Assert.All(Slots.For(monday.AddDays(7), 10, 10, Weekdays, twoAway), s => Assert.Equal(3, s.Desks));
        Assert.Empty(Slots.For(monday, 10, 10, Weekdays, Open with { Absences = [new DayOff(monday, monday, 3)] }));
    }

    [Fact]
    public void Veracruz_time_is_UTC_minus_6_all_year_without_daylight_saving()
    {
        foreach (var day in new[] { new DateOnly(2026, 1, 15), new DateOnly(2026, 4, 15), new DateOnly(2026, 7, 15), new DateOnly(2026, 10, 30) })
        {
            Assert.Equal(14, Slots.Utc(day, new TimeOnly(8, 0)).Hour);
            Assert.Equal(day, Slots.LocalDay(Slots.Utc(day, new TimeOnly(23, 59))));
        }
    }

    [Fact]
    public void Free_desks_count_overlaps_not_starts()
    {
        var slot = new Slot(new DateTime(2026, 12, 7, 15, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 7, 15, 20, 0, DateTimeKind.Utc), 3);
        Occupied[] taken = [new(1, slot.Start.AddMinutes(-10), slot.Start.AddMinutes(10)), new(2, slot.End, slot.End.AddMinutes(20)), new(3, slot.Start.AddMinutes(-30), slot.Start)];
        Assert.Equal([2, 3], Slots.FreeDesks(slot, taken));
    }

    [Fact]
    public void Folios_avoid_ambiguous_characters_and_tokens_are_long()
    {
        Assert.DoesNotContain('0', Secrets.FolioAlphabet);
        Assert.DoesNotContain('O', Secrets.FolioAlphabet);
        Assert.DoesNotContain('1', Secrets.FolioAlphabet);
        Assert.DoesNotContain('I', Secrets.FolioAlphabet);
        var folios = Enumerable.Range(0, 2000).Select(_ => Secrets.NewFolio()).ToList();
        Assert.All(folios, x => Assert.True(Secrets.LooksLikeFolio(x)));
        Assert.Equal(folios.Count, folios.Distinct().Count());
        Assert.Equal("ABCD2345", Secrets.NormalizeFolio(" abcd-2345 "));
        Assert.True(Secrets.NewToken().Length >= 32);
        Assert.False(Secrets.Matches(null, Secrets.Hash("x")));
        Assert.True(Secrets.Matches("x", Secrets.Hash("x")));
    }

    [Fact]
    public void The_proof_of_work_needs_the_right_nonce()
    {
        var nonce = Secrets.Solve("reto", 12);
        Assert.True(Secrets.SolvesChallenge("reto", nonce, 12));
        Assert.False(Secrets.SolvesChallenge("otro-reto", nonce, 12) && Secrets.SolvesChallenge("otro-reto", nonce, 16));
        Assert.False(Secrets.SolvesChallenge("reto", null, 1));
    }

    [Fact]
    public void Turns_are_called_due_appointments_first_then_priority_then_oldest()
    {
        var now = new DateTime(2026, 12, 7, 16, 0, 0, DateTimeKind.Utc);
        var turns = new[]
        {
            (Code: "A-walk-old", Kind: "walkin", Priority: (string?)null, Due: now.AddMinutes(-30)),
            (Code: "A-appt-later", Kind: "appointment", Priority: null, Due: now.AddMinutes(20)),
            (Code: "A-senior", Kind: "walkin", Priority: "senior", Due: now.AddMinutes(-1)),
            (Code: "A-appt-due", Kind: "appointment", Priority: null, Due: now.AddMinutes(4)),
            (Code: "A-walk-new", Kind: "walkin", Priority: null, Due: now.AddMinutes(-2)),
            (Code: "A-pregnant", Kind: "walkin", Priority: "pregnancy", Due: now.AddMinutes(-5)),
        };
        var order = turns.Select((t, i) => (t.Code, Key: TurnOrder.Key(t.Kind, t.Priority, t.Due, i, now))).OrderBy(t => t.Key).Select(t => t.Code);
        Assert.Equal(["A-appt-due", "A-pregnant", "A-senior", "A-walk-old", "A-walk-new", "A-appt-later"], order);
    }

    [Fact]
    public void The_estimated_wait_shares_the_turns_ahead_among_the_open_desks()
    {
        Assert.Equal(0, Waits.Estimate(0, 12, 2));
        Assert.Equal(30, Waits.Estimate(5, 12, 2));
        Assert.Equal(60, Waits.Estimate(5, 12, 0)); // no desk open yet: as if one
    }
}
