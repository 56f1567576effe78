using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenVeracruz.Tests.Appointments;

namespace OpenVeracruz.Tests.Web;

/// <summary>
/// Cero Filas' pages in a real headless Chromium against the real platform: booking on a phone down to the .ics, the
/// manage link, the kiosk, and a turn called from the staff console appearing on the waiting-room screen through SSE.
/// </summary>
[Collection(nameof(CeroFilasBrowser))]
public partial class CeroFilasBrowserTests(CeroFilasBrowser fixture) : CitasTests(fixture), IAsyncLifetime
{
    private BrowserPages _browser = null!;
    private readonly List<string> _errors = [];

    async Task IAsyncLifetime.InitializeAsync() => _browser = await f.BrowserPagesAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _browser.DisposeAsync();
        await DisposeAsync();
    }

    [GeneratedRegex(@"^Q-\d{3}$")]
    private static partial Regex TurnCode();

    /// <summary>
    /// A page whose uncaught errors and console errors fail the test — except the browser's own lines about the closed
    /// tile server of the test host and about answers the test provoked on purpose (<paramref name="expected"/>).
    /// </summary>
    private async Task<IPage> PageAsync(int width = 1280, int height = 800, params string[] expected)
    {
        var page = await _browser.NewPageAsync(_errors, width, height);
        page.Console += (_, m) =>
        {
            if (m.Type != "error") return;
            var where = m.Location ?? "";
            if (where.StartsWith("http://127.0.0.1:9/", StringComparison.Ordinal) || expected.Any(e => where.Contains(e, StringComparison.Ordinal))) return;
            _errors.Add($"console: {m.Text} at {where}");
        };
        return page;
    }

    private void NoErrors() => Assert.True(_errors.Count == 0, string.Join("\n", _errors));

    private string Url(string path) => new Uri(f.BaseUri, path).ToString();

    /// <summary>Waits for a condition in the page; a timeout says what the page reported meanwhile.</summary>
    private async Task WaitAsync(IPage page, string script, int timeout = 20_000)
    {
        try { await page.WaitForFunctionAsync(script, null, new() { Timeout = timeout }); }
        catch (TimeoutException e) { throw new TimeoutException($"{script} at {page.Url}; page errors: {string.Join(" | ", _errors)}", e); }
    }

    /// <summary>A signed-in-able staff account assigned to <paramref name="office"/> by an admin: its e-mail.</summary>
    private async Task<string> StaffOfAsync(string office)
    {
        var (email, _, session) = await f.StaffAsync("viewer");
        var me = JsonDocument.Parse(await session.GetStringAsync("/api/auth/me")).RootElement;
        var (_, _, admin) = await f.StaffAsync("admin");
        var (status, _, _) = await CitasKit.SendAsync(admin, HttpMethod.Put, $"/api/appointments/admin/staff/{me.GetProperty("id").GetString()}/offices", new { offices = new[] { office } });
        Assert.Equal(HttpStatusCode.NoContent, status);
        return email;
    }

    private async Task SignInAsync(IPage page, string email)
    {
        await WaitAsync(page, "() => { const f = document.getElementById('login-form'); return f && f.offsetParent !== null; }");
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PlatformFixture.StaffPassword);
        await page.ClickAsync("#login-submit");
        await WaitAsync(page, "() => !document.getElementById('workspace').hidden");
    }

    private async Task<string> BookedFolioAsync(TestService svc, TimeSpan? moveTo = null)
    {
        var day = await CitasKit.FreeDayAsync(f, ahead: 4);
        var (status, confirmation) = await CitasKit.BookAsync(CitasKit.Citizen(f), svc.ServiceId, CitasKit.At(day, "10:00"), CitasKit.NewCurp());
        Assert.Equal(HttpStatusCode.Created, status);
        var folio = confirmation.GetProperty("folio").GetString()!;
        if (moveTo is { } d) await StaffKit.MoveBookingAsync(f, folio, d);
        return folio;
    }

    [Fact]
    public async Task Citizen_books_on_a_360_px_phone_sees_the_field_problem_and_downloads_the_ics()
    {
        var svc = await CitasKit.NewServiceAsync(f, desks: 2);
        var curp = CitasKit.NewCurp();
        var page = await PageAsync(360, 740, "/confirm");
        await page.GotoAsync(Url("/citas/"));
        await WaitAsync(page, "() => window.ovCitasReady === true");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "no horizontal scroll at 360 px");

        await page.ClickAsync($"#procedure-list button[data-procedure='{svc.Procedure}']");
        await page.ClickAsync($"#office-list button[data-office='{svc.OfficeCode}']", new() { Timeout = 30_000 });
        await page.WaitForSelectorAsync("#calendar .cal-day.free", new() { Timeout = 20_000 });
        await page.ClickAsync("#calendar .cal-day.free");
        await page.WaitForSelectorAsync("#slot-list .slot", new() { Timeout = 20_000 });
        await page.ClickAsync("#slot-list .slot", new() { Timeout = 20_000 });
        await page.WaitForSelectorAsync("#step-person", new() { State = WaitForSelectorState.Visible, Timeout = 20_000 });
        Assert.Matches(@"^[0-5]:\d\d$", (await page.TextContentAsync("#hold-left"))!.Trim());
        Assert.Equal(1, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.bookings WHERE service_id = @s AND state = 'held'", ("s", svc.ServiceId)));
        // going back to the times gives the hold back at once; then a time is held again
        await page.ClickAsync("#step-person button[data-back='time']");
        await WaitAsync(page, "() => !document.getElementById('step-time').hidden");
        Assert.Equal(0, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.bookings WHERE service_id = @s AND state = 'held'", ("s", svc.ServiceId)));
        await page.ClickAsync("#slot-list .slot", new() { Timeout = 20_000 });
        await page.WaitForSelectorAsync("#step-person", new() { State = WaitForSelectorState.Visible, Timeout = 20_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "the form fits 360 px");

        // a CURP with a wrong check digit: the server's problem, in Spanish and English, next to the CURP field
        await page.FillAsync("#f-givenNames", "María José");
        await page.FillAsync("#f-surname1", "Núñez");
        await page.FillAsync("#f-curp", curp[..17] + (curp[17] == '0' ? '1' : '0'));
        await page.ClickAsync("#confirm");
        await page.WaitForSelectorAsync("#p-curp", new() { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Contains("CURP", await page.TextContentAsync("#p-curp"));
        Assert.Equal("true", await page.GetAttributeAsync("#f-curp", "aria-invalid"));
        Assert.NotNull(await page.QuerySelectorAsync("#p-curp .problem-en[lang='en']"));
        Assert.Equal(0, await f.ScalarAsync<long>("SELECT count(*) FROM appointments.bookings WHERE service_id = @s AND state = 'booked'", ("s", svc.ServiceId)));

        await page.FillAsync("#f-curp", curp.ToLowerInvariant());
        await page.ClickAsync("#confirm");
        await WaitAsync(page, "() => document.getElementById('done-folio').textContent.length === 8", 30_000);
        var folio = (await page.TextContentAsync("#done-folio"))!;
        Assert.Equal("María José", await f.ScalarAsync<string>("SELECT given_names FROM appointments.bookings WHERE folio = @f AND state = 'booked'", ("f", folio)));
        Assert.Equal(curp, await f.ScalarAsync<string>("SELECT curp FROM appointments.bookings WHERE folio = @f", ("f", folio)));
        // the QR came from the API (with the token in a header), the manage link carries the token in its fragment
        await WaitAsync(page, "() => document.getElementById('done-qr').naturalWidth > 0 && !document.getElementById('done-ics').hidden");
        Assert.Matches($@"/citas/cita/\?folio={folio}#[A-Za-z0-9_-]{{32}}$", await page.GetAttributeAsync("#done-manage", "href"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "the confirmation fits 360 px");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#done-ics"));
        Assert.Equal($"cita-{folio}.ics", download.SuggestedFilename);
        var ics = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("BEGIN:VCALENDAR", ics);
        Assert.Contains($"UID:{folio}@", ics);
        Assert.DoesNotContain("Núñez", ics);
        NoErrors();
    }

    [Fact]
    public async Task The_maps_office_popup_leads_to_booking_at_that_office()
    {
        var svc = await CitasKit.NewServiceAsync(f, desks: 1);
        var page = await PageAsync(360, 740);
        await page.GotoAsync(Url("/"));
        await WaitAsync(page, "() => window.ovReady === true", 30_000);
        await page.ClickAsync("#layers-toggle");
        await page.CheckAsync("#layer-offices");
        await WaitAsync(page, $"() => window.ovLayers.get('offices').getLayers().some(l => l.feature.properties.code === '{svc.OfficeCode}')");
        await page.ClickAsync("#layers-toggle"); // the layer panel closes again, as a person on a phone would close it
        await page.EvaluateAsync($"() => window.ovLayers.get('offices').eachLayer(l => {{ if (l.feature.properties.code === '{svc.OfficeCode}') {{ window.ovMap.setView(l.getLatLng(), 17, {{ animate: false }}); l.openPopup(); }} }})");
        var book = page.Locator(".leaflet-popup-content a", new() { HasText = "Agendar cita" });
        Assert.EndsWith($"/citas/?oficina={svc.OfficeCode}", await book.GetAttributeAsync("href"));
        await book.ClickAsync();
        await WaitAsync(page, "() => window.ovCitasReady === true");
        await page.ClickAsync($"#procedure-list button[data-procedure='{svc.Procedure}']");
        // the office chosen on the map is taken: straight to the calendar
        await WaitAsync(page, "() => !document.getElementById('step-day').hidden");
        Assert.Equal($"Oficina de pruebas {svc.OfficeCode}", await page.TextContentAsync("#step-day .chosen-office"));
        await page.WaitForSelectorAsync("#calendar .cal-day.free", new() { Timeout = 20_000 });
        NoErrors();
    }

    [Fact]
    public async Task The_manage_link_reschedules_and_then_cancels_with_a_confirmation()
    {
        var svc = await CitasKit.NewServiceAsync(f, desks: 1);
        var day = await CitasKit.FreeDayAsync(f, ahead: 4);
        var (status, confirmation) = await CitasKit.BookAsync(CitasKit.Citizen(f), svc.ServiceId, CitasKit.At(day, "10:00"), CitasKit.NewCurp());
        Assert.Equal(HttpStatusCode.Created, status);
        var (folio, token) = (confirmation.GetProperty("folio").GetString()!, confirmation.GetProperty("token").GetString()!);

        var page = await PageAsync(360, 740);
        await page.GotoAsync(Url($"/citas/cita/?folio={folio}#{token}"));
        await WaitAsync(page, "() => window.ovCitaReady === true");
        Assert.Equal(folio, await page.TextContentAsync("#folio"));
        Assert.Equal("Confirmada", await page.TextContentAsync("#state"));
        Assert.Contains("10:00", await page.TextContentAsync("#when"));

        await page.ClickAsync("#reschedule-open");
        var today = Platform.Appointments.Slots.LocalDay(DateTime.UtcNow);
        if ((day.Year, day.Month) != (today.Year, today.Month)) await page.ClickAsync("#calendar .cal-next");
        await page.ClickAsync($"#calendar .cal-day.free[data-date='{day:yyyy-MM-dd}']", new() { Timeout = 20_000 });
        await page.ClickAsync($"#slot-list .slot[data-start='{CitasKit.At(day, "11:30")}']", new() { Timeout = 20_000 });
        await WaitAsync(page, "() => document.getElementById('when').textContent.includes('11:30')");
        Assert.Equal(11.5, await f.ScalarAsync<double>("SELECT (extract(hour FROM starts_at AT TIME ZONE 'America/Mexico_City') + extract(minute FROM starts_at) / 60)::float8 FROM appointments.bookings WHERE folio = @f", ("f", folio)));

        await page.ClickAsync("#cancel");
        Assert.Equal("booked", await f.ScalarAsync<string>("SELECT state FROM appointments.bookings WHERE folio = @f", ("f", folio)));
        await page.ClickAsync("#cancel-yes");
        await WaitAsync(page, "() => document.getElementById('state').textContent === 'Cancelada'");
        Assert.Equal("cancelled", await f.ScalarAsync<string>("SELECT state FROM appointments.bookings WHERE folio = @f", ("f", folio)));
        Assert.True(await page.IsHiddenAsync("#changes"), "a cancelled appointment offers no more changes");

        // the folio alone shows nothing
        var alone = await PageAsync(360, 740);
        await alone.GotoAsync(Url($"/citas/cita/?folio={folio}"));
        await WaitAsync(alone, "() => window.ovCitaReady === true");
        Assert.True(await alone.IsHiddenAsync("#appointment"));
        Assert.Contains("enlace completo", await alone.TextContentAsync("#view-status"));
        NoErrors();
    }

    [Fact]
    public async Task The_kiosk_checks_in_a_typed_folio_and_gives_walk_in_tickets_with_priority()
    {
        var svc = await CitasKit.NewServiceAsync(f, desks: 2);
        var folio = await BookedFolioAsync(svc, TimeSpan.FromMinutes(5));
        var email = await StaffOfAsync(svc.OfficeCode);

        var page = await PageAsync(1024, 768, "/api/auth/me");
        await page.GotoAsync(Url($"/kiosko/citas/{svc.OfficeCode}"));
        await SignInAsync(page, email);
        await page.WaitForSelectorAsync("#home", new() { State = WaitForSelectorState.Visible, Timeout = 20_000 });

        // typed as people do: lower case, with a dash
        await page.FillAsync("#folio", $"{folio[..4].ToLowerInvariant()}-{folio[4..].ToLowerInvariant()}");
        await page.ClickAsync("#checkin-submit");
        await page.WaitForSelectorAsync("#ticket", new() { State = WaitForSelectorState.Visible, Timeout = 20_000 });
        var code = (await page.TextContentAsync("#ticket-code"))!;
        Assert.Matches(TurnCode(), code);
        Assert.Equal(code, await f.ScalarAsync<string>("SELECT t.code FROM appointments.turns t JOIN appointments.bookings b ON b.id = t.booking_id WHERE b.folio = @f", ("f", folio)));
        Assert.Equal("checked_in", await f.ScalarAsync<string>("SELECT state FROM appointments.bookings WHERE folio = @f", ("f", folio)));
        Assert.Contains("siguiente", await page.TextContentAsync("#ticket-wait"));

        await page.ClickAsync("#ticket-done");
        await page.ClickAsync($"#services button[data-service-id='{svc.ServiceId}']");
        await page.ClickAsync("#priorities button[data-priority='senior']");
        await WaitAsync(page, $"() => !document.getElementById('ticket').hidden && document.getElementById('ticket-code').textContent !== '{code}'");
        var walkIn = (await page.TextContentAsync("#ticket-code"))!;
        Assert.Matches(TurnCode(), walkIn);
        Assert.Equal("senior", await f.ScalarAsync<string>("SELECT priority FROM appointments.turns WHERE office_id = @o AND code = @c", ("o", svc.OfficeId), ("c", walkIn)));
        // one turn ahead of it (the appointment), and the estimate from the service's duration
        Assert.Contains("1 persona antes", await page.TextContentAsync("#ticket-wait"));

        // a folio that does not exist: the server's words next to the field, no ticket
        await page.ClickAsync("#ticket-done");
        await page.FillAsync("#folio", "ZZZZ2222");
        await page.ClickAsync("#checkin-submit");
        await page.WaitForSelectorAsync("#checkin-problem", new() { State = WaitForSelectorState.Visible, Timeout = 20_000 });
        Assert.Contains("ZZZZ2222", await page.TextContentAsync("#checkin-problem"));
        Assert.True(await page.IsHiddenAsync("#ticket"));
        Assert.DoesNotContain(_errors, e => !e.Contains("/api/turns/checkin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_turn_called_from_the_console_appears_on_the_waiting_room_screen_through_SSE()
    {
        var svc = await CitasKit.NewServiceAsync(f, desks: 2);
        var email = await StaffOfAsync(svc.OfficeCode);
        var kiosk = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        var (status, ticket, _) = await CitasKit.PostAsync(kiosk, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId });
        Assert.Equal(HttpStatusCode.Created, status);
        var code = ticket.GetProperty("code").GetString()!;

        // a network drop as the screen sees it: its first stream ends after one state; the next connection waits until the
        // test has seen the page say "reconectando…", then reaches the server
        var state = await f.Http.GetStringAsync($"/api/screens/{svc.OfficeCode}");
        var (attempts, online) = (0, false);
        var screen = await PageAsync(1280, 720);
        await screen.RouteAsync("**/api/screens/*/events", async route =>
        {
            if (Volatile.Read(ref online)) await route.ContinueAsync();
            else await route.FulfillAsync(new()
            {
                Status = 200, ContentType = "text/event-stream",
                Body = Interlocked.Increment(ref attempts) == 1 ? $"retry: 300\n\nevent: turns\ndata: {state}\n\n" : "retry: 300\n\n",
            });
        });
        await screen.GotoAsync(Url($"/turnos/{svc.OfficeCode}"));
        await WaitAsync(screen, "() => window.ovScreen && window.ovScreen.renders >= 1 && !document.getElementById('connection').hidden");
        Assert.Equal("reconectando…", (await screen.TextContentAsync("#connection"))!.Trim());
        Assert.Equal("—", await screen.TextContentAsync("#now-code"));
        Assert.Equal("1", await screen.TextContentAsync("#queues li[data-prefix='Q'] .count"));
        Assert.Equal($"Siguen: {code}", await screen.TextContentAsync("#queues li[data-prefix='Q'] .next")); // the next codes, no names
        Volatile.Write(ref online, true);
        await WaitAsync(screen, "() => window.ovScreen.renders >= 2 && document.getElementById('connection').hidden");
        Assert.Null(await screen.QuerySelectorAsync(".screen-error:not([hidden])"));
        // a mark that a reload would erase
        await screen.EvaluateAsync("() => { window.sameDocument = true; }");
        var chimes = await screen.EvaluateAsync<int>("() => window.ovScreen.chimes");

        var console = await PageAsync(1280, 800, "/api/auth/me");
        await console.GotoAsync(Url("/citas/consola/"));
        await SignInAsync(console, email);
        await WaitAsync(console, "() => window.ovConsoleReady === true");
        await console.FillAsync("#desk-name", "Ventanilla 7");
        await console.ClickAsync("#desk-open");
        await WaitAsync(console, "() => document.getElementById('desk-state').textContent.includes('Ventanilla 7')");
        await console.ClickAsync("#call-next");
        await WaitAsync(console, $"() => document.getElementById('current-code').textContent === '{code}'");

        // the screen hears it through its open EventSource
        await WaitAsync(screen, $"() => document.getElementById('now-code').textContent === '{code}' && document.getElementById('now-desk').textContent === 'Ventanilla 7'");
        Assert.True(await screen.EvaluateAsync<bool>("() => window.sameDocument === true"), "updated without a reload");
        Assert.Equal("0", await screen.TextContentAsync("#queues li[data-prefix='Q'] .count"));
        Assert.True(await screen.IsHiddenAsync("#queues li[data-prefix='Q'] .next"), "nobody left to list as next");
        Assert.True(await screen.EvaluateAsync<int>("() => window.ovScreen.chimes") > chimes, "a chime for the new call");

        // a recall chimes again; finishing leaves the turn done
        chimes = await screen.EvaluateAsync<int>("() => window.ovScreen.chimes");
        await console.ClickAsync("#recall");
        await WaitAsync(console, "() => document.getElementById('current-meta').textContent.includes('2 veces')");
        await WaitAsync(screen, $"() => window.ovScreen.chimes > {chimes}");
        await console.FillAsync("#finish-notes", "Atendido en pruebas");
        await console.ClickAsync("#finish");
        await WaitAsync(console, "() => document.getElementById('current-code').textContent === '—'");
        Assert.Equal("done", await f.ScalarAsync<string>("SELECT state FROM appointments.turns WHERE id = @i", ("i", ticket.GetProperty("id").GetInt64())));
        await WaitAsync(screen, "() => document.getElementById('now-code').textContent === '—'");
        Assert.Matches("/citas/encuesta/#[A-Za-z0-9_-]{32}$", await console.GetAttributeAsync("#survey-link", "href"));
        NoErrors();
    }

    [Fact]
    public async Task The_console_parks_resumes_transfers_and_marks_a_no_show()
    {
        var svc = await CitasKit.NewServiceAsync(f, desks: 1);
        var other = await f.ScalarAsync<int>("INSERT INTO appointments.services (office_id, procedure, name, prefix, duration_minutes, requirements, cost, legal_basis, online, valid_from, active) " +
                                             "VALUES (@o, @p, 'Otro trámite', 'R', 10, '', 0, '', false, DATE '2020-01-01', true) RETURNING id", ("o", svc.OfficeId), ("p", svc.Procedure + "-otro"));
        var email = await StaffOfAsync(svc.OfficeCode);
        var kiosk = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        var (status, ticket, _) = await CitasKit.PostAsync(kiosk, "/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId });
        Assert.Equal(HttpStatusCode.Created, status);
        var (id, code) = (ticket.GetProperty("id").GetInt64(), ticket.GetProperty("code").GetString()!);
        Task<string> StateAsync() => f.ScalarAsync<string>("SELECT state FROM appointments.turns WHERE id = @i", ("i", id));

        var page = await PageAsync(1280, 800, "/api/auth/me");
        await page.GotoAsync(Url("/citas/consola/"));
        await SignInAsync(page, email);
        await WaitAsync(page, "() => window.ovConsoleReady === true");
        await page.ClickAsync("#desk-open");
        await WaitAsync(page, "() => document.getElementById('desk-state').textContent.includes('abierta')");
        await page.ClickAsync("#call-next");
        await WaitAsync(page, $"() => document.getElementById('current-code').textContent === '{code}'");

        await page.ClickAsync("#park");
        await WaitAsync(page, "() => document.getElementById('current-code').textContent === '—'");
        Assert.Equal("parked", await StateAsync());
        await page.ClickAsync($"#queue-body tr[data-code='{code}'] button", new() { Timeout = 20_000 });
        await WaitAsync(page, $"() => document.querySelector(\"#queue-body tr[data-code='{code}']\").textContent.includes('En espera')");
        Assert.Equal("waiting", await StateAsync());

        await page.ClickAsync("#call-next");
        await WaitAsync(page, $"() => document.getElementById('current-code').textContent === '{code}'");
        await page.SelectOptionAsync("#transfer-service", other.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#transfer");
        await WaitAsync(page, "() => document.getElementById('current-code').textContent === '—'");
        Assert.Equal(other, await f.ScalarAsync<int>("SELECT service_id FROM appointments.turns WHERE id = @i", ("i", id)));
        Assert.Equal("waiting", await StateAsync());

        await page.ClickAsync("#call-next");
        await WaitAsync(page, $"() => document.getElementById('current-code').textContent === '{code}'");
        await page.ClickAsync("#no-show");
        await WaitAsync(page, "() => document.getElementById('current-code').textContent === '—'");
        Assert.Equal("no_show", await StateAsync());
        await page.ClickAsync("#call-next");
        await WaitAsync(page, "() => document.getElementById('current-status').textContent.includes('Nadie en espera')");
        NoErrors();
    }
}
