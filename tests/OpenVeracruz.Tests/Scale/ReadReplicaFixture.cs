using Npgsql;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Tests;

/// <summary>
/// The read-replica collection: the host's ConnectionStrings:OpenVeracruzRead names a second copy of the template (the
/// "replica"), where one parcel's built area differs from the primary's. What shows that value was read from the replica.
/// </summary>
public sealed partial class ReadReplica
{
    /// <summary>The built area of <see cref="ChangedClave"/> in the replica only.</summary>
    public const double ReplicaBuiltArea = 4321.5;

    /// <summary>The title of the parcels' dataset in the replica only.</summary>
    public const string ReplicaTitle = "Predios (título sólo en la réplica)";

    /// <summary>The replica's database.</summary>
    public NpgsqlDataSource Replica { get; private set; } = null!;
    public string ChangedClave { get; private set; } = "";

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
