using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Catalog.Uploads;

namespace OpenVeracruz.Tests;

/// <summary>A block of the seeded cadastre that one test has to itself: its claves in lot order.</summary>
public sealed record ParcelBlock(int Zone, int Block, IReadOnlyList<string> Claves);

/// <summary>Data factories: a test makes, or takes for itself, what it needs, so no two tests share a parcel, a dataset or an account.</summary>
public abstract partial class PlatformFixture
{
    private readonly HashSet<(int Zone, int Block)> _blocksTaken = [];

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>
    /// A block of the seeded cadastre (13 to 20 lots in two rows; each lot shares edges with its neighbours) that no edit has
    /// named and no other test of the collection has taken, so the test may change it at will. With <paramref name="where"/>
    /// (SQL on cadastre.parcels), a block with a lot that matches.
    /// </summary>
    public async Task<ParcelBlock> FreshBlockAsync(string where = "true")
    {
        await using var cmd = Db.CreateCommand($"""
            SELECT zone, block, array_agg(clave::text ORDER BY lot) FROM cadastre.parcels
            GROUP BY zone, block
            HAVING bool_or({where}) AND NOT EXISTS (SELECT 1 FROM cadastre.parcel_edits e WHERE e.target_claves && array_agg(clave::text))
            ORDER BY zone, block
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var block = new ParcelBlock(r.GetInt32(0), r.GetInt32(1), r.GetFieldValue<string[]>(2));
            lock (_blocksTaken)
                if (_blocksTaken.Add((block.Zone, block.Block))) return block;
        }
        throw new InvalidOperationException($"No untouched block is left ({_blocksTaken.Count} taken): give the collection's tests a larger cadastre (ParcelCount).");
    }

    /// <summary>A lot of a fresh block (the first that matches <paramref name="where"/>), with a point inside it.</summary>
    public async Task<(string Clave, double Lon, double Lat)> SomeParcelAsync(string where = "true")
    {
        var block = await FreshBlockAsync(where);
        await using var cmd = Db.CreateCommand($"""
            SELECT clave, ST_X(pt), ST_Y(pt) FROM (SELECT clave, lot, ST_PointOnSurface(geom) AS pt FROM cadastre.parcels WHERE clave = ANY(@c) AND {where}) s
            ORDER BY lot LIMIT 1
            """);
        cmd.Parameters.AddWithValue("c", block.Claves.ToArray());
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), "the block has a matching lot");
        return (r.GetString(0), r.GetDouble(1), r.GetDouble(2));
    }

    /// <summary>A lot of a fresh block with <paramref name="versions"/> versions: attribute edits an editor proposed and a supervisor approved.</summary>
    public async Task<string> ParcelWithHistoryAsync(int versions)
    {
        var clave = (await FreshBlockAsync()).Claves[0];
        var editor = WithToken((await StaffAsync("editor")).Token);
        var supervisor = WithToken((await StaffAsync("supervisor")).Token);
        for (var v = 2; v <= versions; v++)
        {
            var etag = (await Http.GetAsync($"/api/cadastre/parcels/{clave}")).Headers.ETag!.ToString();
            var proposed = await ProposeAsync(editor, new { kind = "attributes", clave, attributes = new { builtAreaM2 = 17.25 * v }, reason = $"Prueba: versión {v}" }, etag);
            Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
            using var doc = JsonDocument.Parse(await proposed.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await supervisor.PostAsync($"/api/cadastre/edits/{doc.RootElement.GetProperty("id").GetInt64()}/approve", null)).StatusCode);
        }
        return clave;
    }

    /// <summary>Proposes a cadastral edit, sending <paramref name="ifMatch"/> (the parcels' ETags) when given.</summary>
    public static async Task<HttpResponseMessage> ProposeAsync(HttpClient client, object body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cadastre/edits") { Content = Json(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    /// <summary>A new public dataset of the staff member behind <paramref name="client"/>, made with package_create and named prefix-xxxxxxxx.
    /// Tests remove theirs with <see cref="CleanDatasetsAsync"/>(prefix).</summary>
    public static async Task<string> NewDatasetAsync(HttpClient client, string prefix, string title = "Carga de prueba")
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var (status, body) = await CkanAsync(client, "package_create", new { name, title, owner_org = "direccion-modernizacion", license_id = "cc-by-4.0" });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return name;
    }

    /// <summary>Removes the API-created datasets named with the prefix, with their uploaded layers, views and files.</summary>
    public async Task CleanDatasetsAsync(string prefix)
    {
        var resources = await ColumnAsync<Guid>($"SELECT r.id FROM catalog.resources r JOIN catalog.datasets d ON d.id = r.dataset_id WHERE d.origin = 'api' AND d.name LIKE '{prefix}%'");
        var registry = Services.GetRequiredService<LayerRegistry>();
        var root = Services.GetRequiredService<UploadStore>().Root;
        foreach (var id in resources)
        {
            var (schema, table) = UploadedLayers.TableOf(id);
            await using (var drop = Db.CreateCommand($"DROP TABLE IF EXISTS {schema}.{table} CASCADE; DROP VIEW IF EXISTS datastore.\"{id}\""))
                await drop.ExecuteNonQueryAsync();
            registry.Remove(UploadedLayers.LayerId(id));
            if (Directory.Exists(Path.Combine(root, id.ToString()))) Directory.Delete(Path.Combine(root, id.ToString()), recursive: true);
        }
        await using var cmd = Db.CreateCommand("DELETE FROM catalog.datasets WHERE origin = 'api' AND name LIKE @p");
        cmd.Parameters.AddWithValue("p", prefix + "%");
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A new staff account with the role (created by the admin through the API), member of the default organization,
    /// signed in, and an API token of its own.
    /// </summary>
    public async Task<(string Email, string Token, HttpClient Session)> StaffAsync(string role)
    {
        var admin = await AdminAsync(null);
        var email = $"{role}-{Guid.NewGuid():N}@pruebas.veracruz.gob.mx";
        var created = await admin.PostAsync("/api/admin/users", Json(new { email, displayName = role, role, password = StaffPassword }));
        if (created.StatusCode == HttpStatusCode.Unauthorized)
        {
            // a test of the collection signed the administrator out, which ends every session of the account: sign in again
            admin = await AdminAsync(admin);
            created = await admin.PostAsync("/api/admin/users", Json(new { email, displayName = role, role, password = StaffPassword }));
        }
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        // staff change the datasets of their organizations only: each account is a member of the one the tests publish in
        using (var user = JsonDocument.Parse(await created.Content.ReadAsStringAsync()))
        {
            var member = await admin.PutAsync($"/api/admin/users/{user.RootElement.GetProperty("id").GetString()}/organizations/{DefaultOrganization}",
                Json(new { capacity = role == "viewer" ? "member" : "editor" }));
            Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        }
        // each account signs in from an address of its own (127.0.1.x …), as separate people would: the
        // per-address sign-in limit then holds for the suite as it does for users
        var session = NewClient(NextAddress());
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(session, email, StaffPassword)).StatusCode);
        var token = await session.PostAsync("/api/auth/tokens", Json(new { name = "pruebas" }));
        Assert.Equal(HttpStatusCode.Created, token.StatusCode);
        using var doc = JsonDocument.Parse(await token.Content.ReadAsStringAsync());
        return (email, doc.RootElement.GetProperty("token").GetString()!, session);
    }

    /// <summary>
    /// The first administrator, signed in once for the collection (from an address of its own) to create the staff accounts;
    /// signed in anew when <paramref name="expired"/> is the session in use.
    /// </summary>
    private async Task<HttpClient> AdminAsync(HttpClient? expired)
    {
        await _adminGate.WaitAsync();
        try
        {
            if (_admin is null || _admin == expired) _admin = await SignInAdminAsync();
            return _admin;
        }
        finally { _adminGate.Release(); }
    }

    private async Task<HttpClient> SignInAdminAsync()
    {
        var admin = NewClient(NextAddress());
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(admin, AdminEmail, AdminPassword)).StatusCode);
        return admin;
    }
}
