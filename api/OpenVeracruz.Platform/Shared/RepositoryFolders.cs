using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace OpenVeracruz.Platform.Shared;

/// <summary>The repository's own folders (datasets/, web/), found from wherever the process runs.</summary>
public static class RepositoryFolders
{
    /// <summary>Finds <paramref name="name"/> by walking up from a folder (the content root or the binaries) to the repository root.</summary>
    public static string? Find(string start, string name)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, name);
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "OpenVeracruz.sln"))) return candidate;
        }
        return null;
    }

    /// <summary>
    /// A folder for the platform's own files (attachments, the bank's inbox): <paramref name="configured"/> when set,
    /// else <paramref name="sub"/> under Data:UploadsPath, else .data/uploads/<paramref name="sub"/> beside datasets/
    /// (git-ignored), all relative to the content root.
    /// </summary>
    public static string DataFolder(IConfiguration config, string contentRoot, string? configured, string sub)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured, contentRoot);
        var uploads = config["Data:UploadsPath"];
        if (!string.IsNullOrWhiteSpace(uploads)) return Path.Combine(Path.GetFullPath(uploads, contentRoot), sub);
        var datasets = Find(contentRoot, "datasets") ?? Find(AppContext.BaseDirectory, "datasets");
        return Path.Combine(datasets is not null ? Path.GetDirectoryName(datasets)! : contentRoot, ".data", "uploads", sub);
    }

    /// <summary>The web/ folder (the static pages), or null when the host runs without it.</summary>
    public static string? Web(IWebHostEnvironment env) => Find(env.ContentRootPath, "web") ?? Find(AppContext.BaseDirectory, "web");
}
