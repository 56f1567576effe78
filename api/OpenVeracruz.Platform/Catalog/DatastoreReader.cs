using Npgsql;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>
/// Connections for datastore_search_sql, logged in as the reader role itself (never the application's role):
/// its session user can read the datastore views and nothing else, and cannot SET ROLE to anything more.
/// Configure with ConnectionStrings__OpenVeracruzDatastore; by default the main connection with Username=ov_datastore_reader.
/// </summary>
public sealed class DatastoreReader(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = new NpgsqlDataSourceBuilder(connectionString).Build();

    public static string DefaultConnectionString(string main) =>
        new NpgsqlConnectionStringBuilder(main) { Username = LayerSql.DatastoreReaderRole, Password = null, MaxPoolSize = 10 }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        try { return await _source.OpenConnectionAsync(ct); }
        catch (NpgsqlException e)
        {
            throw new CkanException(409, "Validation Error", $"datastore_search_sql is not available: the reader role cannot connect ({e.Message}).");
        }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
