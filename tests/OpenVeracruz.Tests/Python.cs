using System.Diagnostics;
using System.Text;

namespace OpenVeracruz.Tests;

/// <summary>Runs a Python script with Debian's interpreter and its client libraries (python3-qgis, python3-owslib; ./ov test installs them).</summary>
public static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    public static async Task<string> RunAsync(string script, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        Assert.True(File.Exists(Interpreter), $"{Interpreter} is missing");
        var psi = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8, UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await p.WaitForExitAsync(cts.Token);
        Assert.True(p.ExitCode == 0, $"python exited with {p.ExitCode}:\n{await stderr}\n{await stdout}");
        return await stdout;
    }
}
