using OpenVeracruz.Platform.Maintenance;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Wifi;

namespace OpenVeracruz.Tests.Maintenance;

/// <summary>SLA deadlines in business hours (08:00–15:00 local, UTC−6, Monday to Friday, minus holidays), the priority matrix and the ticket's life.</summary>
public class BusinessCalendarTests
{
    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static BusinessCalendar Calendar(params DateOnly[] holidays) =>
        new(new TimeOnly(8, 0), new TimeOnly(15, 0), TimeSpan.FromHours(-6), Weekdays.ToHashSet(), holidays.ToHashSet());

    /// <summary>A local time (UTC−6) as UTC.</summary>
    private static DateTime Local(int month, int day, int hour, int minute = 0) => new DateTime(2026, month, day, hour, minute, 0, DateTimeKind.Utc).AddHours(6);

    [Fact]
    public void Within_a_working_day_the_deadline_is_the_same_day()
    {
        // Tuesday 10 November 2026, 09:00 + 4 h = 13:00
        Assert.Equal(Local(11, 10, 13), Calendar().Add(Local(11, 10, 9), TimeSpan.FromHours(4)));
    }

    [Fact]
    public void A_report_at_night_starts_counting_at_eight_the_next_morning()
    {
        // Tuesday 22:30 + 2 h → Wednesday 10:00; and at 06:00 the same morning → 10:00 too
        Assert.Equal(Local(11, 11, 10), Calendar().Add(Local(11, 10, 22, 30), TimeSpan.FromHours(2)));
        Assert.Equal(Local(11, 11, 10), Calendar().Add(Local(11, 11, 6), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void Time_left_at_closing_carries_over_the_weekend_to_monday()
    {
        // Friday 13 November 14:00 + 3 h: 1 h on Friday, 2 h on Monday 16 (not a holiday here) → Monday 10:00
        Assert.Equal(Local(11, 16, 10), Calendar().Add(Local(11, 13, 14), TimeSpan.FromHours(3)));
        // reported on Saturday: Monday 08:00 + 1 h
        Assert.Equal(Local(11, 16, 9), Calendar().Add(Local(11, 14, 11), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Holidays_are_skipped()
    {
        // Monday 16 November 2026 is the Revolution holiday (third Monday of November): Friday 14:00 + 3 h → Tuesday 10:00
        var holiday = new DateOnly(2026, 11, 16);
        Assert.Equal(Local(11, 17, 10), Calendar(holiday).Add(Local(11, 13, 14), TimeSpan.FromHours(3)));
        Assert.Equal(TimeSpan.FromHours(1 + 2), Calendar(holiday).Between(Local(11, 13, 14), Local(11, 17, 10)));
    }

    [Fact]
    public void Business_time_between_counts_only_open_hours()
    {
        var c = Calendar();
        Assert.Equal(TimeSpan.Zero, c.Between(Local(11, 10, 16), Local(11, 11, 7)));          // a night
        Assert.Equal(TimeSpan.Zero, c.Between(Local(11, 14, 9), Local(11, 15, 14)));         // a weekend
        Assert.Equal(TimeSpan.FromHours(7 * 5), c.Between(Local(11, 9, 0), Local(11, 16, 0))); // a whole week
        Assert.Equal(TimeSpan.FromMinutes(90), c.Between(Local(11, 10, 14, 30), Local(11, 11, 9)));
        Assert.Equal(TimeSpan.Zero, c.Between(Local(11, 11, 9), Local(11, 10, 9)));          // backwards
        // Add and Between agree
        var due = c.Add(Local(11, 12, 11, 17), TimeSpan.FromHours(21));
        Assert.Equal(TimeSpan.FromHours(21), c.Between(Local(11, 12, 11, 17), due));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 3, 3)]
    [InlineData(5, 5, 5)]
    [InlineData(5, 1, 3)]
    [InlineData(1, 5, 3)]
    [InlineData(4, 3, 4)]
    public void Urgency_and_impact_give_the_priority(int urgency, int impact, int priority) => Assert.Equal(priority, Priority.Of(urgency, impact));

    [Fact]
    public void The_ticket_life_allows_the_documented_transitions_only()
    {
        Assert.Equal(TicketState.Assigned, TicketFlow.Next(TicketState.Reported, TicketFlow.Take, assigned: false));
        Assert.Equal(TicketState.Assigned, TicketFlow.Next(TicketState.Reported, TicketFlow.Assign, assigned: false));
        Assert.Equal(TicketState.InProgress, TicketFlow.Next(TicketState.Assigned, TicketFlow.Start, assigned: true));
        Assert.Equal(TicketState.Resolved, TicketFlow.Next(TicketState.InProgress, TicketFlow.Resolve, assigned: true));
        Assert.Equal(TicketState.Closed, TicketFlow.Next(TicketState.Resolved, TicketFlow.Close, assigned: true));
        Assert.Equal(TicketState.Reopened, TicketFlow.Next(TicketState.Closed, TicketFlow.Reopen, assigned: true));
        Assert.Equal(TicketState.InProgress, TicketFlow.Next(TicketState.Reopened, TicketFlow.Start, assigned: true));

        var unassigned = Assert.Throws<DomainRuleException>(() => TicketFlow.Next(TicketState.Reported, TicketFlow.Close, assigned: false));
        Assert.Contains("nadie lo tiene asignado", unassigned.MessageEs);
        Assert.Throws<DomainRuleException>(() => TicketFlow.Next(TicketState.Assigned, TicketFlow.Resolve, assigned: true));
        Assert.Throws<DomainRuleException>(() => TicketFlow.Next(TicketState.Assigned, TicketFlow.Take, assigned: true));
        Assert.Throws<DomainRuleException>(() => TicketFlow.Next(TicketState.InProgress, TicketFlow.Reopen, assigned: true));
        Assert.Throws<DomainRuleException>(() => TicketFlow.Next(TicketState.Closed, TicketFlow.Close, assigned: true));
    }

    [Fact]
    public void Attachments_are_typed_by_their_content_and_must_match_their_name()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0 };
        var pdf = "%PDF-1.7\n"u8.ToArray();
        Assert.Equal("image/png", AttachmentEndpoints.Check("foto.PNG", png).ContentType);
        Assert.Equal("application/pdf", AttachmentEndpoints.Check("orden.pdf", pdf).ContentType);
        Assert.Null(AttachmentEndpoints.Check("foto.png", pdf).ContentType);
        Assert.Contains("application/pdf", AttachmentEndpoints.Check("foto.png", pdf).Error);
        Assert.Null(AttachmentEndpoints.Check("virus.exe", "MZ\x90\0"u8.ToArray()).ContentType);
        Assert.Null(AttachmentEndpoints.Check("foto.jpg", "<html>"u8.ToArray()).ContentType);
    }
}

/// <summary>The WiFi health rule: a problem must last the tolerance before the site fails (once), and its end brings it back.</summary>
public class WifiHealthRuleTests
{
    private static readonly DateTime Now = new(2026, 11, 10, 18, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(15);

    [Fact]
    public void A_problem_shorter_than_the_tolerance_changes_nothing_but_is_remembered()
    {
        var first = HealthRules.Next(SiteStatus.Operating, null, problem: true, Now, Tolerance);
        Assert.Equal(new HealthStep(SiteStatus.Operating, Now, HealthAction.None), first);
        var later = HealthRules.Next(SiteStatus.Operating, Now, problem: true, Now.AddMinutes(10), Tolerance);
        Assert.Equal(new HealthStep(SiteStatus.Operating, Now, HealthAction.None), later);
    }

    [Fact]
    public void After_the_tolerance_the_site_fails_once_and_stays_failing_without_more_tickets()
    {
        var fail = HealthRules.Next(SiteStatus.Operating, Now, problem: true, Now.AddMinutes(15), Tolerance);
        Assert.Equal(new HealthStep(SiteStatus.Failing, Now, HealthAction.OpenTicket), fail);
        var next = HealthRules.Next(SiteStatus.Failing, Now, problem: true, Now.AddMinutes(20), Tolerance);
        Assert.Equal(HealthAction.None, next.Action);
        Assert.Equal(SiteStatus.Failing, next.Status);
    }

    [Fact]
    public void When_the_problem_ends_a_failing_site_operates_again_and_a_short_blip_is_forgotten()
    {
        Assert.Equal(new HealthStep(SiteStatus.Operating, null, HealthAction.Recovered), HealthRules.Next(SiteStatus.Failing, Now, false, Now.AddHours(1), Tolerance));
        Assert.Equal(new HealthStep(SiteStatus.Operating, null, HealthAction.None), HealthRules.Next(SiteStatus.Operating, Now, false, Now.AddMinutes(5), Tolerance));
    }

    [Fact]
    public void A_site_in_maintenance_is_left_alone()
    {
        Assert.Equal(HealthAction.None, HealthRules.Next(SiteStatus.Maintenance, Now.AddDays(-1), true, Now, Tolerance).Action);
        Assert.Equal(SiteStatus.Maintenance, HealthRules.Next(SiteStatus.Maintenance, null, false, Now, Tolerance).Status);
    }

    [Fact]
    public void Connections_are_low_below_the_fraction_of_a_usual_level_large_enough_to_judge()
    {
        var o = new WifiOptions { LowFraction = 0.3, MinUsualSessions = 4 };
        Assert.True(HealthRules.Low(2, 10, o));
        Assert.True(HealthRules.Low(null, 10, o)); // no report for the hour
        Assert.False(HealthRules.Low(3, 10, o));
        Assert.False(HealthRules.Low(0, 3, o));   // too quiet an hour to judge
        Assert.False(HealthRules.Low(0, null, o));
        // the hour judged at 10:10 is 08:00–09:00 (its report is due by 09:15)
        Assert.Equal(new DateTime(2026, 11, 10, 8, 0, 0, DateTimeKind.Utc), HealthRules.HourToJudge(new DateTime(2026, 11, 10, 10, 10, 0, DateTimeKind.Utc), o));
    }
}
