using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenVeracruz.Platform.Appointments;

namespace OpenVeracruz.Tests.Appointments;

/// <summary>A test office with one service of its own (every day, 00:00–23:45 unless told), so tests never share slots.</summary>
public sealed record TestService(int OfficeId, string OfficeCode, int ServiceId, string Procedure, string Prefix, int Minutes);

/// <summary>What the appointment tests share: their own offices, valid CURPs, the citizen's requests.</summary>
public static class CitasKit
{
    public const string OfficePrefix = "prueba-";

    public static async Task<TestService> NewServiceAsync(PlatformFixture f, int desks, int minutes = 15, string starts = "00:00", string ends = "23:45", string? procedure = null)
    {
        var code = OfficePrefix + Guid.NewGuid().ToString("N")[..8];
        procedure ??= "tramite-" + code;
        var officeId = await f.ScalarAsync<int>("""
            INSERT INTO appointments.offices (code, name, dependency, address, accessibility, approximate, geom, active)
            VALUES (@c, 'Oficina de pruebas ' || @c, 'Pruebas', 'Calle de Pruebas 1', NULL, true, ST_SetSRID(ST_MakePoint(-96.15, 19.18), 4326), true) RETURNING id
            """, ("c", code));
        var serviceId = await f.ScalarAsync<int>("""
            INSERT INTO appointments.services (office_id, procedure, name, prefix, duration_minutes, requirements, cost, legal_basis, online, valid_from, active)
            VALUES (@o, @p, 'Trámite de pruebas', 'Q', @m, 'Identificación', 0, 'Pruebas', false, DATE '2020-01-01', true) RETURNING id
            """, ("o", officeId), ("p", procedure), ("m", minutes));
        await using var cmd = f.Db.CreateCommand("INSERT INTO appointments.schedules (service_id, weekday, starts, ends, desks) SELECT @s, d, @a, @b, @n FROM generate_series(0, 6) d");
        cmd.Parameters.AddWithValue("s", serviceId);
        cmd.Parameters.AddWithValue("a", TimeOnly.Parse(starts, CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("b", TimeOnly.Parse(ends, CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("n", desks);
        await cmd.ExecuteNonQueryAsync();
        return new TestService(officeId, code, serviceId, procedure, "Q", minutes);
    }

    /// <summary>A working day at least <paramref name="ahead"/> days from today (Veracruz), not a holiday.</summary>
    public static async Task<DateOnly> FreeDayAsync(PlatformFixture f, int ahead = 3)
    {
        var holidays = (await f.ColumnAsync<DateOnly>("SELECT day FROM appointments.holidays")).ToHashSet();
        var day = Slots.LocalDay(DateTime.UtcNow).AddDays(ahead);
        while (holidays.Contains(day)) day = day.AddDays(1);
        return day;
    }

    public static string At(DateOnly day, string time) => $"{day:yyyy-MM-dd}T{time}:00-06:00";

    private const string Consonants = "BCDFGHJKLMNPQRSTVWXZ";

    /// <summary>A CURP of RENAPO's format with its right check digit, different each call.</summary>
    public static string NewCurp()
    {
        var r = Random.Shared;
        char L() => (char)('A' + r.Next(26));
        char C() => Consonants[r.Next(Consonants.Length)];
        var birth = new DateOnly(1950, 1, 1).AddDays(r.Next(20_000));
        var first17 = $"{L()}{"AEIOU"[r.Next(5)]}{L()}{L()}{birth:yyMMdd}{(r.Next(2) == 0 ? 'H' : 'M')}VZ{C()}{C()}{C()}{(birth.Year < 2000 ? (char)('0' + r.Next(10)) : L())}";
        return first17 + Curp.CheckDigit(first17);
    }

    public static HttpClient Citizen(PlatformFixture f)
    {
        var c = f.NewClient(f.NextAddress());
        return c;
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpClient c, HttpMethod method, string url, object? body = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        if (token is not null) request.Headers.Add("X-Manage-Token", token);
        var response = await c.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 && (response.Content.Headers.ContentType?.MediaType?.Contains("json") ?? false) ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, json, response);
    }

    public static Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(HttpClient c, string url, object body, string? token = null) =>
        SendAsync(c, HttpMethod.Post, url, body, token);

    public static object Person(string curp, string given = "María José", string surname1 = "Núñez", string? surname2 = null, string? email = null) =>
        new { givenNames = given, surname1, surname2, curp, email, phone = "229 123 4567" };

    /// <summary>Hold + proof of work + confirmation; the confirmation's status and body.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> BookAsync(HttpClient c, int serviceId, string start, string curp, string? email = null, string given = "María José")
    {
        var (hs, hold, _) = await PostAsync(c, "/api/appointments/holds", new { serviceId, start });
        if (hs != HttpStatusCode.Created) return (hs, hold);
        var key = hold.GetProperty("holdKey").GetString()!;
        var nonce = Secrets.Solve(hold.GetProperty("challenge").GetString()!, hold.GetProperty("challengeBits").GetInt32());
        var person = JsonSerializer.SerializeToElement(Person(curp, given, email: email));
        var body = new Dictionary<string, object?>();
        foreach (var p in person.EnumerateObject()) body[p.Name] = p.Value;
        body["nonce"] = nonce;
        var (cs, confirmation, _) = await PostAsync(c, $"/api/appointments/holds/{key}/confirm", body);
        return (cs, confirmation);
    }
}

/// <summary>Staff of a test office: a signed-in account (kiosk or desk) assigned by an admin through the API.</summary>
public static class StaffKit
{
    public static async Task<HttpClient> AssignedAsync(PlatformFixture f, params string[] offices)
    {
        var (_, _, session) = await f.StaffAsync("viewer");
        var me = JsonDocument.Parse(await session.GetStringAsync("/api/auth/me")).RootElement;
        var (_, _, admin) = await f.StaffAsync("admin");
        var (status, _, _) = await CitasKit.SendAsync(admin, HttpMethod.Put, $"/api/appointments/admin/staff/{me.GetProperty("id").GetString()}/offices", new { offices });
        Assert.Equal(HttpStatusCode.NoContent, status);
        return session;
    }

    /// <summary>Moves a booking's time (and keeps its length) so that a test can check it in now.</summary>
    public static async Task MoveBookingAsync(PlatformFixture f, string folio, TimeSpan fromNow)
    {
        await using var cmd = f.Db.CreateCommand("UPDATE appointments.bookings SET ends_at = now() + @d + (ends_at - starts_at), starts_at = now() + @d WHERE folio = @f");
        cmd.Parameters.AddWithValue("d", fromNow);
        cmd.Parameters.AddWithValue("f", folio);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }
}

/// <summary>Appointment tests make offices of their own; when done those leave the public lists (nothing is deleted: their bookings stay).</summary>
public abstract class CitasTests(PlatformFixture fixture) : IAsyncLifetime
{
    protected readonly PlatformFixture f = fixture;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using var cmd = f.Db.CreateCommand($"UPDATE appointments.offices SET active = false WHERE code LIKE '{CitasKit.OfficePrefix}%'");
        await cmd.ExecuteNonQueryAsync();
    }
}
