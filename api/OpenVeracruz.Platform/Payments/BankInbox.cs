using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>The folder where the bank (or a script that fetches from it) leaves its daily files (Payments:BankInboxPath).</summary>
public sealed record BankInbox(string Root)
{
    public string Processing => Path.Combine(Root, "processing");
    public string Done => Path.Combine(Root, "done");
    public string Rejected => Path.Combine(Root, "rejected");
}

/// <summary>One file the inbox job took: what became of it and where it is now.</summary>
public sealed record BankInboxResult(string Name, string Outcome, string Path, BankImport? Import, string? Reason);

/// <summary>
/// The bank's daily files, imported by a job (every 15 minutes). A <c>*.csv</c> file in the inbox is first claimed by
/// moving it into processing/ (a rename: when two runs meet, one wins and the other skips it), then imported line by line
/// exactly as a supervisor's upload, and moved to done/ with its report beside it (<c>name.report.json</c>); a file that is
/// not a bank file at all goes to rejected/ with the reason beside it. Names starting with a dot or ending in .part are
/// uploads still being written and are left alone. Importing a file again doubles nothing (each operation's folio is
/// recorded once), so a file dropped twice is harmless.
/// </summary>
public sealed class BankInboxJob(NpgsqlDataSource db, BankInbox inbox, ILogger<BankInboxJob> log)
{
    public const string Who = "job:bank-inbox";

    public async Task<IReadOnlyList<BankInboxResult>> RunAsync()
    {
        foreach (var dir in new[] { inbox.Root, inbox.Processing, inbox.Done, inbox.Rejected }) Directory.CreateDirectory(dir);
        var results = new List<BankInboxResult>();
        foreach (var file in Directory.EnumerateFiles(inbox.Root, "*.csv").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.') || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)) continue;
            var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff");
            var claimed = Path.Combine(inbox.Processing, $"{stamp}-{Guid.NewGuid():N}-{name}");
            try { File.Move(file, claimed); }
            catch (Exception e) when (e is FileNotFoundException or IOException) { continue; } // another run took it
            var kept = $"{stamp}-{name}";
            try
            {
                var import = await BankEndpoints.ImportFileAsync(db, await File.ReadAllBytesAsync(claimed), name, Who, CancellationToken.None);
                var done = Path.Combine(inbox.Done, kept);
                File.Move(claimed, done);
                await File.WriteAllTextAsync(done + ".report.json", JsonSerializer.Serialize(import, BankEndpoints.ReportJson));
                log.LogInformation("Bank file {Name}: {Imported} imported, {Already} already imported, {Rejected} rejected", name, import.Imported, import.AlreadyImported, import.Rejected);
                results.Add(new BankInboxResult(name, "imported", done, import, null));
            }
            catch (BadRequestException e)
            {
                var rejected = Path.Combine(inbox.Rejected, kept);
                File.Move(claimed, rejected);
                await File.WriteAllTextAsync(rejected + ".reason.txt", $"{e.Message}\n{e.MessageEs}\n");
                log.LogWarning("Bank file {Name} refused: {Reason}", name, e.Message);
                results.Add(new BankInboxResult(name, "rejected", rejected, null, e.Message));
            }
        }
        return results;
    }
}
