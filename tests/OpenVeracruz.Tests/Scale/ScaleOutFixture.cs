using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Tests;

/// <summary>
/// The scale-out collection. Its host's ConnectionStrings:OpenVeracruzRead names a second copy of the template (the
/// "replica"), where one parcel's built area and the parcels' dataset title differ from the primary's: what shows them
/// was read from the replica. <see cref="SecondInstanceAsync"/> starts another API instance on the same primary database.
/// </summary>
public sealed partial class ScaleOut
{
    /// <summary>The built area of <see cref="ChangedClave"/> in the replica only.</summary>
    public const double ReplicaBuiltArea = 4321.5;

    /// <summary>The title of the parcels' dataset in the replica only.</summary>
    public const string ReplicaTitle = "Predios (título sólo en la réplica)";

    /// <summary>The replica's database.</summary>
    public NpgsqlDataSource Replica { get; private set; } = null!;
    public string ChangedClave { get; private set; } = "";

    /// <summary>Another API instance on the collection's (primary) database, as a second process behind nginx would be; dispose it.</summary>
    public async Task<(WebApplicationFactory<Program> Host, HttpClient Http)> SecondInstanceAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var uploads = Path.Combine(TestDatabases.RepositoryRoot, ".data", "test-uploads", Name + "_second");
        var host = Host(Db.ConnectionString, uploads, loadOnStart: false, more: settings);
        host.UseKestrel();
        host.StartServer();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (host, Client(new Uri(address), null));
    }

    protected override async Task<IReadOnlyDictionary<string, string>> MoreSettingsAsync()
    {
        var connectionString = await TestDatabases.CloneAsync(Name + "_replica");
        Replica = PlatformDatabase.CreateDataSource(connectionString);
        await using var cmd = Replica.CreateCommand("""
            UPDATE cadastre.parcels SET built_area_m2 = @a WHERE clave = (SELECT min(clave) FROM cadastre.parcels) RETURNING clave
            """);
        cmd.Parameters.AddWithValue("a", ReplicaBuiltArea);
        ChangedClave = (string)(await cmd.ExecuteScalarAsync())!;
        await using var title = Replica.CreateCommand("UPDATE catalog.datasets SET title = @t WHERE name = 'predios-sinteticos'");
        title.Parameters.AddWithValue("t", ReplicaTitle);
        Assert.Equal(1, await title.ExecuteNonQueryAsync());
        return new Dictionary<string, string> { ["ConnectionStrings:" + PlatformDatabase.ReadConnectionStringName] = connectionString };
    }
}
