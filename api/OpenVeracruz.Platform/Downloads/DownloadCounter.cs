using Npgsql;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>Counts a download of the resource published at a site path; an atomic increment in the database.</summary>
public static class DownloadCounter
{
    public static async Task CountAsync(NpgsqlDataSource ds, string path, CancellationToken ct)
    {
        await using var cmd = ds.CreateCommand("UPDATE catalog.resources SET download_count = download_count + 1 WHERE url = @u AND state = 'active'");
        cmd.Parameters.AddWithValue("u", path);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
