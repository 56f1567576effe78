using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>The datastore doors withhold what package_show withholds: resources of private and deleted datasets, and deleted resources.</summary>
[Collection(nameof(CatalogMembers))]
public class DatastorePrivacyTests(CatalogMembers f)
{
    private static Dictionary<string, object?> Args(params (string Key, object? Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);

    private static readonly byte[] Csv = Encoding.UTF8.GetBytes("sitio,lon,lat\nBiblioteca Venustiano Carranza,-96.1342,19.1738\nCasa de la Cultura,-96.1401,19.1802\n");

    /// <summary>What each door answers for the resource: rows through SQL, datastore_search and datastore_info, and whether the reader can list it.</summary>
    private async Task<(bool Sql, bool Search, bool Info, bool Listed)> DoorsAsync(string resource)
    {
        using var anonymous = new RemoteCkan(f.BaseUri);
        async Task<bool> Works(string action, Dictionary<string, object?> args)
        {
            try { await anonymous.CallActionAsync(action, args); return true; }
            catch (CkanApiError) { return false; }
        }
        var sql = await Works("datastore_search_sql", Args(("sql", $"SELECT count(*) AS n FROM \"{resource}\"")));
        var search = await Works("datastore_search", Args(("resource_id", resource)));
        var info = await Works("datastore_info", Args(("id", resource)));
        // what the reader role itself finds in information_schema, connected as datastore_search_sql connects
        await using var reader = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(f.Db.ConnectionString) { Username = LayerSql.DatastoreReaderRole, Pooling = false }.ConnectionString);
        await reader.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_name = @t", reader);
        cmd.Parameters.AddWithValue("t", resource);
        return (sql, search, info, (long)(await cmd.ExecuteScalarAsync())! > 0);
    }

    /// <summary>
    /// Runs a test on a new dataset (public or private) of a new editor with one uploaded CSV, with a supervisor at hand,
    /// then removes what it made.
    /// </summary>
    private async Task WithUploadAsync(string prefix, bool isPrivate, Func<RemoteCkan, RemoteCkan, string, JsonElement, Task> test)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using var editor = new RemoteCkan(f.BaseUri, apikey: (await f.StaffAsync("editor")).Token);
            using var supervisor = new RemoteCkan(f.BaseUri, apikey: (await f.StaffAsync("supervisor")).Token);
            await editor.CallActionAsync("package_create", Args(("name", name), ("title", "Sitios culturales"), ("owner_org", PlatformFixture.DefaultOrganization), ("private", isPrivate)));
            var res = await editor.CallActionAsync("resource_create", Args(("package_id", name), ("upload", new RemoteCkan.FileValue("sitios.csv", Csv))));
            Assert.True(res.GetProperty("import_status").GetProperty("state").GetString() == "succeeded", res.ToString());
            await test(editor, supervisor, name, res);
        }
        finally { await f.CleanDatasetsAsync(name); }
    }

    [Fact]
    public Task Private_and_deleted_datasets_leave_the_sql_door_and_come_back_when_public() =>
        WithUploadAsync("prueba-privacidad-", false, async (editor, supervisor, name, res) =>
        {
            var id = res.GetProperty("id").GetString()!;
            Assert.Equal((true, true, true, true), await DoorsAsync(id));

            await editor.CallActionAsync("package_patch", Args(("id", name), ("private", true)));
            Assert.Equal((false, false, false, false), await DoorsAsync(id));
            var (_, listing, text) = await SqlTextAsync("SELECT table_name FROM information_schema.tables");
            Assert.Equal(HttpStatusCode.Forbidden, listing);
            Assert.DoesNotContain(id, text);

            await editor.CallActionAsync("package_patch", Args(("id", name), ("private", false)));
            Assert.Equal((true, true, true, true), await DoorsAsync(id));

            await supervisor.CallActionAsync("package_delete", Args(("id", name)));
            Assert.Equal((false, false, false, false), await DoorsAsync(id));
            Assert.True(await f.ScalarAsync<bool>($"SELECT to_regclass('datastore.\"{id}\"') IS NULL"));
        });

    [Fact]
    public Task A_deleted_resource_leaves_the_sql_door() =>
        WithUploadAsync("prueba-recurso-borrado-", false, async (_, supervisor, _, res) =>
        {
            var id = res.GetProperty("id").GetString()!;
            Assert.True((await DoorsAsync(id)).Sql);
            await supervisor.CallActionAsync("resource_delete", Args(("id", id)));
            Assert.Equal((false, false, false, false), await DoorsAsync(id));
        });

    [Fact]
    public Task An_upload_to_a_private_dataset_never_gets_a_view() =>
        WithUploadAsync("prueba-privado-carga-", true, async (_, _, _, res) =>
            Assert.Equal((false, false, false, false), await DoorsAsync(res.GetProperty("id").GetString()!)));

    private async Task<(JsonElement Body, HttpStatusCode Status, string Text)> SqlTextAsync(string sql)
    {
        var response = await f.Http.PostAsync("/api/action/datastore_search_sql", new StringContent(JsonSerializer.Serialize(new { sql }), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (doc.RootElement.Clone(), response.StatusCode, text);
    }
}
