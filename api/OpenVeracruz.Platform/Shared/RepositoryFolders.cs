using Microsoft.AspNetCore.Hosting;

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

    /// <summary>The web/ folder (the static pages), or null when the host runs without it.</summary>
    public static string? Web(IWebHostEnvironment env) => Find(env.ContentRootPath, "web") ?? Find(AppContext.BaseDirectory, "web");
}
