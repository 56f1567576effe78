using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Tests.Scale;

/// <summary>Two API instances on one database, as behind nginx: they share the Data Protection key ring and the registry of imported layers.</summary>
[Collection(nameof(ScaleOut))]
public class SecondInstanceTests(ScaleOut f)
{
    [Fact]
    public async Task A_staff_cookie_of_one_instance_is_accepted_by_the_other_and_the_key_ring_is_in_the_database()
    {
        var cookie = await f.SignInCookieAsync(PlatformFixture.AdminEmail, PlatformFixture.AdminPassword);
        var (host, second) = await f.SecondInstanceAsync();
        await using (host)
        using (second)
        {
            using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me") { Headers = { { "Cookie", cookie } } };
            Assert.Equal(HttpStatusCode.OK, (await second.SendAsync(me)).StatusCode);
        }

        // the keys are rows, and they alone (no file, no new key) unprotect what the instance protected
        Assert.True(await f.ScalarAsync<long>("SELECT count(*) FROM auth.data_protection_keys") >= 1);
        var payload = f.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("scale-test").Protect("hola");
        var services = new ServiceCollection();
        services.AddDbContext<AppDbContext>(o => PlatformDatabase.Configure(o, f.Db));
        services.AddDataProtection().SetApplicationName(AuthFeature.DataProtectionApplicationName)
            .PersistKeysToDbContext<AppDbContext>().DisableAutomaticKeyGeneration();
        await using var fromDatabase = services.BuildServiceProvider();
        Assert.Equal("hola", fromDatabase.GetRequiredService<IDataProtectionProvider>().CreateProtector("scale-test").Unprotect(payload));
    }

    [Fact]
    public async Task A_layer_imported_on_one_instance_shows_on_the_other_without_a_restart_and_leaves_it_when_made_private()
    {
        var (host, second) = await f.SecondInstanceAsync();
        await using (host)
        using (second)
        {
            var editor = f.NewClient();
            editor.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", (await f.StaffAsync("editor")).Token);
            var dataset = "escala-" + Guid.NewGuid().ToString("N")[..8];
            var (created, body) = await PlatformFixture.CkanAsync(editor, "package_create",
                new { name = dataset, title = "Capa de otra instancia", owner_org = PlatformFixture.DefaultOrganization, license_id = "cc-by-4.0" });
            Assert.True(created == HttpStatusCode.OK, body.ToString());
            using var form = new MultipartFormDataContent
            {
                { new StringContent(dataset), "package_id" },
                { new StringContent("Puntos"), "name" },
                { new ByteArrayContent(Encoding.UTF8.GetBytes("Nombre,Longitud,Latitud\nFaro,-96.1342,19.1738\n")), "upload", "puntos.csv" },
            };
            using var result = JsonDocument.Parse(await (await editor.PostAsync("/api/3/action/resource_create", form)).Content.ReadAsStringAsync());
            var status = result.RootElement.GetProperty("result").GetProperty("import_status");
            Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
            var layer = status.GetProperty("layer").GetString()!;

            // the notification is asynchronous: the other instance has it within moments
            Assert.True(await EventuallyAsync(second, $"/ogc/collections/{layer}", HttpStatusCode.OK), "the second instance never published the layer");
            var items = JsonDocument.Parse(await second.GetStringAsync($"/ogc/collections/{layer}/items"));
            Assert.Contains(items.RootElement.GetProperty("features")[0].GetProperty("properties").EnumerateObject(), p => p.Value.ToString() == "Faro");

            var (patched, _) = await PlatformFixture.CkanAsync(editor, "package_patch", new { id = dataset, @private = true });
            Assert.Equal(HttpStatusCode.OK, patched);
            Assert.True(await EventuallyAsync(second, $"/ogc/collections/{layer}", HttpStatusCode.NotFound), "the second instance kept a private layer");
        }
    }

    /// <summary>Asks until the answer has <paramref name="wanted"/> (at most 30 s: a wait for an event, not a speed target).</summary>
    private static async Task<bool> EventuallyAsync(HttpClient client, string url, HttpStatusCode wanted)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await client.GetAsync(url)).StatusCode == wanted) return true;
            await Task.Delay(100);
        }
        return false;
    }
}
