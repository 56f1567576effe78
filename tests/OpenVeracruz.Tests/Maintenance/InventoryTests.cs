using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Maintenance;

namespace OpenVeracruz.Tests.Maintenance;

/// <summary>Recurrence rules of preventive plans ("every N months", "the first Monday").</summary>
public class RecurrenceTests
{
    private static PreventivePlan Plan(DateOnly starts, int every = 1, int? day = null, int? nth = null, DayOfWeek? weekday = null) =>
        new() { EquipmentType = "switch", Title = "t", CreatedBy = "t", StartsOn = starts, EveryMonths = every, DayOfMonth = day, Nth = nth, Weekday = weekday };

    [Fact]
    public void The_first_monday_and_the_last_friday_of_each_month()
    {
        var firstMonday = Plan(new DateOnly(2026, 11, 1), nth: 1, weekday: DayOfWeek.Monday);
        Assert.Equal([new DateOnly(2026, 11, 2), new DateOnly(2026, 12, 7), new DateOnly(2027, 1, 4)],
            Recurrence.Between(firstMonday, new DateOnly(2026, 11, 1), new DateOnly(2027, 1, 31)));
        var lastFriday = Plan(new DateOnly(2026, 11, 1), nth: -1, weekday: DayOfWeek.Friday);
        Assert.Equal([new DateOnly(2026, 11, 27), new DateOnly(2026, 12, 25)], Recurrence.Between(lastFriday, new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 31)));
    }

    [Fact]
    public void Every_three_months_on_the_31st_falls_on_the_last_day_of_shorter_months_and_never_before_the_start()
    {
        var p = Plan(new DateOnly(2026, 1, 31), every: 3, day: 31);
        Assert.Equal([new DateOnly(2026, 1, 31), new DateOnly(2026, 4, 30), new DateOnly(2026, 7, 31), new DateOnly(2026, 10, 31)],
            Recurrence.Between(p, new DateOnly(2025, 1, 1), new DateOnly(2026, 12, 31)));
        var late = Plan(new DateOnly(2026, 11, 20), day: 5);
        Assert.Equal([new DateOnly(2026, 12, 5)], Recurrence.Between(late, new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 31)));
    }
}

/// <summary>Inventory CSV import with its per-row report, preventive plans turned into tickets once, the monthly report and the C9A1 indicator.</summary>
[Collection(nameof(ItMaintenance))]
public class InventoryTests(ItMaintenance f)
{
    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task An_inventory_csv_with_broken_rows_imports_the_rest_and_reports_each_broken_row()
    {
        var (_, _, boss) = await f.StaffAsync("supervisor");
        var p = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var csv = $"""
            inventario,tipo,marca,modelo,serie,adquisicion,area,estado,edificio
            INV-{p}-1,computer,Dell,OptiPlex 7010,SN-{p}-AAA,2022-03-15,Catastro,active,ED-01
            INV-{p}-2,impresora,HP,LaserJet,SN-{p}-BBB,2021-01-01,Catastro,active,ED-01
            INV-{p}-3,printer,HP,LaserJet,SN-{p}-CCC,2031-01-01,Tesorería,active,ED-01
            INV-{p}-4,switch,Cisco,C1000,SN-{p}-DDD,,Informática,active,ED-99
            INV-{p}-1,printer,HP,LaserJet,SN-{p}-EEE,,Catastro,active,ED-01
            INV-{p}-5,phone_exchange,Panasonic,KX-TDE,SN-{p}-FFF,2019-06-30,Informática,in_repair,ED-02
            """;
        var report = await JsonOf(await boss.PostAsync("/api/maintenance/equipment/import", Csv(csv)), HttpStatusCode.OK);
        Assert.Equal(6, report.GetProperty("rows").GetInt32());
        Assert.Equal(2, report.GetProperty("imported").GetInt32());
        var rejected = report.GetProperty("rejected").EnumerateArray().Select(r => (r.GetProperty("row").GetInt32(), r.GetProperty("column").GetString())).ToList();
        Assert.Equal([(3, "tipo"), (4, "adquisicion"), (5, "edificio"), (6, "inventario")], rejected);
        Assert.All(report.GetProperty("rejected").EnumerateArray(), r => Assert.False(string.IsNullOrEmpty(r.GetProperty("errorEs").GetString())));
        Assert.Equal(2, await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.equipment WHERE inventory_number LIKE @p", ("p", $"INV-{p}-%")));

        // sent again, corrected: updates, never duplicates
        var again = await JsonOf(await boss.PostAsync("/api/maintenance/equipment/import", Csv($"inventario;tipo;area;edificio;serie\nINV-{p}-1;computer;Catastro;ED-01;SN-{p}-ZZZ\n")), HttpStatusCode.OK);
        Assert.Equal((0, 1), (again.GetProperty("imported").GetInt32(), again.GetProperty("updated").GetInt32()));
        var list = await boss.GetStringAsync("/api/maintenance/buildings/ED-01/equipment");
        Assert.Contains($"SN-{p}-ZZZ", list); // staff see serials

        // a file without the required columns changes nothing
        await ProblemAssert.IsProblemAsync(await boss.PostAsync("/api/maintenance/equipment/import", Csv($"inventario,marca\nINV-{p}-9,Dell\n")), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await boss.PostAsync("/api/maintenance/equipment/import", PlatformFixture.Json(new { })), HttpStatusCode.BadRequest);
        Assert.Equal(0, await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.equipment WHERE inventory_number = @i", ("i", $"INV-{p}-9")));

        // the public layer has the buildings, never the inventory
        var layer = await f.Http.GetStringAsync("/ogc/collections/municipal_buildings/items");
        Assert.Contains("Palacio Municipal", layer);
        Assert.DoesNotContain($"SN-{p}", layer);
        Assert.DoesNotContain("internal_notes", layer);
    }

    [Fact]
    public async Task A_plan_becomes_one_ticket_per_piece_of_equipment_and_date_however_often_the_job_runs()
    {
        var (_, _, boss) = await f.StaffAsync("supervisor");
        var p = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var type = "access_point"; // no other test imports this type
        var csv = $"inventario,tipo,area,edificio\nAP-{p}-1,{type},Informática,ED-03\nAP-{p}-2,{type},Informática,ED-04\n";
        await JsonOf(await boss.PostAsync("/api/maintenance/equipment/import", Csv(csv)), HttpStatusCode.OK);
        var today = PlanEndpoints.Today();
        var plan = await JsonOf(await boss.PostAsync("/api/maintenance/plans", PlatformFixture.Json(new
        {
            equipmentType = type, title = $"Revisión de antenas {p}", startsOn = today.ToString("yyyy-MM-dd"), everyMonths = 1, nth = 1, weekday = "monday", leadDays = 40,
        })), HttpStatusCode.Created);
        var planId = plan.GetProperty("id").GetInt32();
        var dates = Recurrence.Between(new PreventivePlan { EquipmentType = type, Title = "t", CreatedBy = "t", StartsOn = today, Nth = 1, Weekday = DayOfWeek.Monday },
            today, today.AddDays(40)).ToList();
        Assert.NotEmpty(dates);

        async Task<int> RunAsync()
        {
            await using var scope = f.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PreventivePlanJob>().RunAsync(today, CancellationToken.None);
        }
        await Task.WhenAll(RunAsync(), RunAsync(), RunAsync());
        Assert.Equal(0, await RunAsync());
        Assert.Equal(2 * dates.Count, await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.tickets WHERE plan_id = @p", ("p", planId)));
        Assert.Equal(2 * dates.Count, await f.ScalarAsync<long>("SELECT count(*) FROM maintenance.ticket_events e JOIN maintenance.tickets t ON t.id = e.ticket_id WHERE t.plan_id = @p", ("p", planId)));

        // a technician does one; the month's report and the C9A1 indicator count it
        var (_, _, tech) = await f.StaffAsync("editor");
        var first = await f.ScalarAsync<long>("SELECT min(id) FROM maintenance.tickets WHERE plan_id = @p", ("p", planId));
        foreach (var action in new[] { "take", "start", "resolve" })
            await JsonOf(await tech.PostAsync($"/api/maintenance/tickets/{first}/{action}", null), HttpStatusCode.OK);
        var month = await f.ScalarAsync<DateOnly>("SELECT due_on FROM maintenance.tickets WHERE id = @id", ("id", first));
        var report = await JsonOf(await boss.GetAsync($"/api/maintenance/reports/monthly?month={month:yyyy-MM}"), HttpStatusCode.OK);
        Assert.True(report.GetProperty("equipmentPlanned").GetInt32() >= 2);
        Assert.True(report.GetProperty("equipmentMaintained").GetInt32() >= 1);
        if (month.Year == today.Year && month.Month == today.Month)
        {
            var board = await JsonOf(await boss.GetAsync("/api/maintenance/board"), HttpStatusCode.OK);
            Assert.Contains(board.GetProperty("preventive").EnumerateArray(), x => x.GetProperty("planId").GetInt32() == planId && x.GetProperty("done").GetInt32() == 1);
        }
        var year = DateTime.UtcNow.AddHours(-6).Year;
        var indicator = await JsonOf(await f.Http.GetAsync($"/api/maintenance/indicator?year={year}"), HttpStatusCode.OK);
        Assert.Equal(1_560, indicator.GetProperty("reportsGoal").GetInt32());
        Assert.Equal(3_000, indicator.GetProperty("equipmentGoal").GetInt32());
        Assert.True(indicator.GetProperty("equipmentMaintained").GetInt32() >= 1);
        Assert.True(indicator.GetProperty("reports").GetInt32() >= 2 * dates.Count);

        await ProblemAssert.IsProblemAsync(await boss.PostAsync("/api/maintenance/plans", PlatformFixture.Json(new { equipmentType = type, title = "Mal", dayOfMonth = 5, nth = 1, weekday = "monday" })), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await boss.PostAsync("/api/maintenance/plans", PlatformFixture.Json(new { equipmentType = type, title = "Mal", nth = 1, weekday = "lunes" })), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await boss.GetAsync("/api/maintenance/reports/monthly?month=2026-13"), HttpStatusCode.BadRequest);
    }
}
