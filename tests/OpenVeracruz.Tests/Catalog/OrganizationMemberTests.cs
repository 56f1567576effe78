using System.Net;
using System.Text;
using System.Text.Json;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>Datasets belong to an organization and its members: staff change only their organizations' datasets, admins any.</summary>
[Collection(nameof(CatalogMembers))]
public class OrganizationMemberTests(CatalogMembers f)
{
    private const string Other = "direccion-catastro";

    private static Dictionary<string, object?> Args(params (string Key, object? Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task<string> IdOfAsync(HttpClient session)
    {
        using var me = JsonDocument.Parse(await session.GetStringAsync("/api/auth/me"));
        return me.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A staff account moved by the admin from the default organization to direccion-catastro.</summary>
    private async Task<(string Id, RemoteCkan Ckan)> OfOtherOrganizationAsync(HttpClient admin, string role)
    {
        var (_, token, session) = await f.StaffAsync(role);
        var id = await IdOfAsync(session);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/users/{id}/organizations/{PlatformFixture.DefaultOrganization}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/admin/users/{id}/organizations/{Other}", Json(new { capacity = "editor" }))).StatusCode);
        return (id, new RemoteCkan(f.BaseUri, apikey: token));
    }

    [Fact]
    public async Task Editors_and_supervisors_change_only_their_organizations_datasets()
    {
        var name = "prueba-organizacion-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var admin = (await f.StaffAsync("admin")).Session;
            using var owner = new RemoteCkan(f.BaseUri, apikey: (await f.StaffAsync("editor")).Token);
            var (_, stranger) = await OfOtherOrganizationAsync(admin, "editor");
            var (_, strangeSupervisor) = await OfOtherOrganizationAsync(admin, "supervisor");
            await owner.CallActionAsync("package_create", Args(("name", name), ("title", "Parques"), ("owner_org", PlatformFixture.DefaultOrganization)));

            // what one editor did to another's dataset in the issue: made it private (and took its layer off the map)
            await Assert.ThrowsAsync<NotAuthorized>(() => stranger.CallActionAsync("package_patch", Args(("id", name), ("private", true))));
            await Assert.ThrowsAsync<NotAuthorized>(() => stranger.CallActionAsync("package_update", Args(("id", name), ("name", name), ("owner_org", Other))));
            await Assert.ThrowsAsync<NotAuthorized>(() => stranger.CallActionAsync("resource_create", Args(("package_id", name), ("url", "https://datos.example.org/x.csv"))));
            await Assert.ThrowsAsync<NotAuthorized>(() => strangeSupervisor.CallActionAsync("package_delete", Args(("id", name))));
            await Assert.ThrowsAsync<NotAuthorized>(() => stranger.CallActionAsync("package_create", Args(("name", name + "-b"), ("owner_org", PlatformFixture.DefaultOrganization))));
            using (var anonymous = new RemoteCkan(f.BaseUri))
            {
                var shown = await anonymous.CallActionAsync("package_show", Args(("id", name)));
                Assert.False(shown.GetProperty("private").GetBoolean());
                Assert.Equal(0, shown.GetProperty("num_resources").GetInt32());
            }

            // in their own organization they may; nobody moves a dataset into an organization that is not theirs
            await stranger.CallActionAsync("package_create", Args(("name", name + "-c"), ("owner_org", Other)));
            await Assert.ThrowsAsync<NotAuthorized>(() => owner.CallActionAsync("package_patch", Args(("id", name), ("owner_org", Other))));
            await Assert.ThrowsAsync<NotAuthorized>(() => owner.CallActionAsync("package_patch", Args(("id", name + "-c"), ("title", "x"))));
            await strangeSupervisor.CallActionAsync("package_delete", Args(("id", name + "-c")));

            // admins change every dataset
            using var root = new RemoteCkan(f.BaseUri, apikey: (await f.StaffAsync("admin")).Token);
            Assert.Equal("Parques (revisado)", (await root.CallActionAsync("package_patch", Args(("id", name), ("title", "Parques (revisado)")))).GetProperty("title").GetString());
        }
        finally { await f.CleanDatasetsAsync(name); }
    }

    [Fact]
    public async Task A_member_capacity_changes_nothing_and_organization_list_for_user_says_where_one_may_create()
    {
        var (_, token, session) = await f.StaffAsync("editor");
        var admin = (await f.StaffAsync("admin")).Session;
        var id = await IdOfAsync(session);
        using var editor = new RemoteCkan(f.BaseUri, apikey: token);
        var mine = await editor.CallActionAsync("organization_list_for_user", Args(("permission", "create_dataset")));
        Assert.Equal([PlatformFixture.DefaultOrganization], mine.EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToArray());

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/admin/users/{id}/organizations/{PlatformFixture.DefaultOrganization}", Json(new { capacity = "member" }))).StatusCode);
        Assert.Empty((await editor.CallActionAsync("organization_list_for_user", Args(("permission", "create_dataset")))).EnumerateArray());
        Assert.Single((await editor.CallActionAsync("organization_list_for_user", Args(("permission", "read")))).EnumerateArray());
        var before = await f.ScalarAsync<long>("SELECT count(*) FROM catalog.datasets");
        await Assert.ThrowsAsync<NotAuthorized>(() => editor.CallActionAsync("package_create", Args(("name", "prueba-miembro-" + Guid.NewGuid().ToString("N")[..8]), ("owner_org", PlatformFixture.DefaultOrganization))));
        Assert.Equal(before, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.datasets"));

        using var memberships = JsonDocument.Parse(await admin.GetStringAsync($"/api/admin/users/{id}/organizations"));
        var only = Assert.Single(memberships.RootElement.EnumerateArray());
        Assert.Equal("member", only.GetProperty("capacity").GetString());
    }

    [Fact]
    public async Task Admins_manage_members_through_ckan_actions_and_the_admin_api()
    {
        var (email, token, session) = await f.StaffAsync("editor");
        var id = await IdOfAsync(session);
        var (_, adminToken, admin) = await f.StaffAsync("admin");
        using var root = new RemoteCkan(f.BaseUri, apikey: adminToken);
        using var editor = new RemoteCkan(f.BaseUri, apikey: token);

        var member = await root.CallActionAsync("organization_member_create", Args(("id", Other), ("username", email), ("role", "editor")));
        Assert.Equal("editor", member.GetProperty("capacity").GetString());
        Assert.Equal(id, member.GetProperty("table_id").GetString());
        Assert.Equal(2, (await editor.CallActionAsync("organization_list_for_user")).GetArrayLength());
        await root.CallActionAsync("organization_member_delete", Args(("id", Other), ("username", id)));
        Assert.Equal(1, (await editor.CallActionAsync("organization_list_for_user")).GetArrayLength());

        // only admins, and only what exists
        await Assert.ThrowsAsync<NotAuthorized>(() => editor.CallActionAsync("organization_member_create", Args(("id", Other), ("username", email), ("role", "admin"))));
        using (var anonymous = new RemoteCkan(f.BaseUri))
            await Assert.ThrowsAsync<NotAuthorized>(() => anonymous.CallActionAsync("organization_member_delete", Args(("id", PlatformFixture.DefaultOrganization), ("username", email))));
        await Assert.ThrowsAsync<NotFound>(() => root.CallActionAsync("organization_member_create", Args(("id", "no-existe"), ("username", email))));
        await Assert.ThrowsAsync<NotFound>(() => root.CallActionAsync("organization_member_create", Args(("id", Other), ("username", "nadie@pruebas.veracruz.gob.mx"))));
        var bad = await Assert.ThrowsAsync<ValidationError>(() => root.CallActionAsync("organization_member_create", Args(("id", Other), ("username", email), ("role", "owner"))));
        Assert.True(bad.ErrorDict.TryGetProperty("role", out _));

        var wrong = await admin.PutAsync($"/api/admin/users/{id}/organizations/{Other}", Json(new { capacity = "dueño" }));
        await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await admin.PutAsync($"/api/admin/users/{id}/organizations/no-existe", Json(new { capacity = "editor" })), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.PutAsync($"/api/admin/users/no-existe/organizations/{Other}", Json(new { capacity = "editor" })), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync($"/api/admin/users/{id}/organizations/{Other}"), HttpStatusCode.NotFound);

        // two admins adding one member at once leave one membership
        var puts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            admin.PutAsync($"/api/admin/users/{id}/organizations/{Other}", Json(new { capacity = i % 2 == 0 ? "editor" : "admin" }))));
        Assert.All(puts, p => Assert.Equal(HttpStatusCode.OK, p.StatusCode));
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.organization_members m JOIN catalog.organizations o ON o.id = m.organization_id WHERE m.user_id = @u AND o.name = @o", ("u", id), ("o", Other)));
    }
}
