using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Tests;

/// <summary>
/// The databases of a test run. OV_TEST_DB names the template: a PostGIS database (created by infra/postgis.sh) that the
/// first collection prepares once per run through the real host start (migrations, first admin, bundled datasets, parcels)
/// and that no test touches. Every collection then gets a copy of its own, <c>&lt;template&gt;_&lt;collection&gt;</c>, made by
/// <c>CREATE DATABASE … TEMPLATE</c> (a copy of some 25 MB, under a second; dropping the previous copy waits for a checkpoint,
/// seconds on a busy cluster), so collections run in parallel without seeing each other's writes. The copies stay after the run, to be looked at when a test failed; the next run replaces them.
/// </summary>
public static class TestDatabases
{
    public static string TemplateConnectionString { get; } =
        Environment.GetEnvironmentVariable("OV_TEST_DB") ?? "Host=127.0.0.1;Port=55433;Database=openveracruz_test;Username=openveracruz";

    private static readonly Lazy<Task> Template = new(PrepareTemplateAsync);

    /// <summary>The repository root (it holds OpenVeracruz.sln and datasets/).</summary>
    public static string RepositoryRoot { get; } =
        Path.GetDirectoryName(RepositoryFolders.Find(AppContext.BaseDirectory, "datasets") ?? throw new DirectoryNotFoundException("datasets/ not found above the test binaries"))!;

    /// <summary>A fresh copy of the prepared template for the collection; its connection string.</summary>
    public static async Task<string> CloneAsync(string collection)
    {
        await Template.Value;
        var template = new NpgsqlConnectionStringBuilder(TemplateConnectionString);
        // a collection's pools stay small and give idle connections back soon: two dozen hosts share one server's
        // max_connections (a burst of 64 parallel requests waits for a connection instead of taking 64)
        var clone = new NpgsqlConnectionStringBuilder(TemplateConnectionString)
        {
            Database = $"{template.Database}_{collection}", MaxPoolSize = 40, ConnectionIdleLifetime = 20,
        };
        await ExecuteAsync($"DROP DATABASE IF EXISTS {Quote(clone.Database!)} WITH (FORCE)");
        await ExecuteAsync($"CREATE DATABASE {Quote(clone.Database!)} TEMPLATE {Quote(template.Database!)}");
        return clone.ConnectionString;
    }

    /// <summary>
    /// Prepares the template unless it carries the stamp of these very inputs (the platform's assemblies, the bundled datasets,
    /// the fixture's settings). The stamp, a comment on the database, is removed first and written last: a run that died
    /// half-way leaves none, and the next run starts the template over.
    /// </summary>
    private static async Task PrepareTemplateAsync()
    {
        var name = new NpgsqlConnectionStringBuilder(TemplateConnectionString).Database!;
        // the preparation empties the database: never one that is not meant for tests
        if (!name.Contains("test", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"OV_TEST_DB names the database '{name}'; the tests empty it, so its name must contain 'test'.");
        var stamp = Fingerprint();
        if (await ScalarAsync("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = @n", name) as string == stamp) return;

        await ExecuteAsync($"COMMENT ON DATABASE {Quote(name)} IS NULL");
        // back to the bare PostGIS database infra/postgis.sh made: the platform's schemas go, the extensions stay
        await using (var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TemplateConnectionString) { Pooling = false }.ConnectionString))
        {
            await db.OpenAsync();
            await using var drop = new NpgsqlCommand("""
                DO $$ DECLARE s text; BEGIN
                  FOR s IN SELECT nspname FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND nspname <> 'public' LOOP
                    EXECUTE format('DROP SCHEMA %I CASCADE', s);
                  END LOOP;
                END $$
                """, db);
            await drop.ExecuteNonQueryAsync();
        }
        // the host's own start prepares it, as on a server (asking for its services starts it)
        await using (var host = PlatformFixture.Host(TemplateConnectionString, Path.Combine(RepositoryRoot, ".data", "test-uploads", "template"), loadOnStart: true))
            _ = host.Services;
        // a copy needs the template without sessions: the host's pools (its own and the datastore reader's) are closed
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"COMMENT ON DATABASE {Quote(name)} IS '{stamp}'");
    }

    private static string Fingerprint()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add($"parcels={PlatformFixture.ParcelCount} admin={PlatformFixture.AdminEmail}:{PlatformFixture.AdminPassword}");
        foreach (var assembly in new[] { typeof(Program).Assembly, typeof(LayerRegistry).Assembly, typeof(OpenVeracruz.Etl.DatasetLoader).Assembly })
            Add($"{assembly.GetName().Name} {assembly.ManifestModule.ModuleVersionId}");
        var datasets = Path.Combine(RepositoryRoot, "datasets");
        foreach (var file in Directory.EnumerateFiles(datasets, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            Add(Path.GetRelativePath(datasets, file));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return "openveracruz-tests " + Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Runs on the maintenance database: CREATE/DROP DATABASE cannot run connected to the template.</summary>
    private static async Task<object?> ScalarAsync(string sql, string? parameter = null)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(TemplateConnectionString) { Database = "postgres", Pooling = false };
        await using var conn = new NpgsqlConnection(maintenance.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (parameter is not null) cmd.Parameters.AddWithValue("n", parameter);
        return await cmd.ExecuteScalarAsync();
    }

    private static Task ExecuteAsync(string sql) => ScalarAsync(sql);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
