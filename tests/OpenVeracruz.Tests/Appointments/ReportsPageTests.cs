using System.Net;
using static OpenVeracruz.Tests.Appointments.CitasKit;

namespace OpenVeracruz.Tests.Appointments;

/// <summary>The staff reports page in headless Chromium: sign in, today's activity in the table, the CSV link with the same filters.</summary>
[Collection(nameof(CeroFilasBackOffice))]
public class ReportsPageTests(CeroFilasBackOffice fixture) : CitasTests(fixture)
{
    [Fact]
    public async Task A_staff_member_signs_in_and_sees_todays_walk_ins_with_the_CSV_of_the_same_filters()
    {
        var svc = await NewServiceAsync(f, desks: 1);
        var staff = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var (status, _, _) = await PostAsync(staff, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId });
            Assert.Equal(HttpStatusCode.Created, status);
        }
        var (email, _, _) = await f.StaffAsync("viewer");
        await using var browser = await f.BrowserPagesAsync();
        var errors = new List<string>();
        var page = await browser.NewPageAsync(errors, 390, 800);
        await page.GotoAsync(new Uri(f.BaseUri, "/citas/reportes/").ToString());
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.ovState === 'ready'", null, new() { Timeout = 30_000 });
        Assert.True(await page.IsVisibleAsync("#login-form"));
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PlatformFixture.StaffPassword);
        await page.ClickAsync("#login-submit");
        await page.WaitForFunctionAsync("() => !document.getElementById('workspace').hidden && document.getElementById('message').textContent.endsWith('filas.')", null, new() { Timeout = 30_000 });

        await page.FillAsync("#office", svc.OfficeCode);
        await page.ClickAsync("#show");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#rows tr').length === 1", null, new() { Timeout = 30_000 });
        var cells = await page.Locator("#rows tr td").AllTextContentsAsync();
        Assert.Equal("Oficina de pruebas " + svc.OfficeCode, cells[1]);
        Assert.Equal("2", cells[7]); // walk-ins
        var csv = await page.GetAttributeAsync("#csv", "href");
        Assert.Contains($"office={svc.OfficeCode}", csv);
        var today = OpenVeracruz.Platform.Appointments.Slots.LocalDay(DateTime.UtcNow);
        Assert.Contains($"to={today:yyyy-MM-dd}", csv);
        Assert.Empty(errors);
    }
}
