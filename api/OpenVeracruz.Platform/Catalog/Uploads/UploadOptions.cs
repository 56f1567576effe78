using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Catalog.Uploads;

/// <summary>Limits and storage of staff uploads (configuration section "Uploads"; the folder is Data:UploadsPath).</summary>
public sealed class UploadOptions
{
    /// <summary>Largest file accepted, in bytes (default 100 MB).</summary>
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;
    /// <summary>Most entries a zip may hold (zip-bomb guard).</summary>
    public int MaxZipEntries { get; set; } = 200;
    /// <summary>Most bytes a zip may unpack to, declared or written (zip-bomb guard; default 1 GB).</summary>
    public long MaxZipUncompressedBytes { get; set; } = 1L * 1024 * 1024 * 1024;
    /// <summary>Rows of problems kept in an import report; the count of the rest is still given.</summary>
    public int MaxReportRows { get; set; } = 1000;
    /// <summary>
    /// Networks a refresh URL may reach although they are not the public internet: an intranet source (CIDR such as
    /// 10.20.0.0/16, or one address). Loopback, private, link-local and metadata addresses are refused otherwise.
    /// </summary>
    public string[] RefreshAllowedNetworks { get; set; } = [];
    /// <summary>Where the originals are kept, one folder per resource and version. Resolved by <see cref="ResolveRoot"/>.</summary>
    public string UploadsPath { get; set; } = "";

    /// <summary>The configured folder, or .data/uploads at the repository root (beside the local cluster), or under the content root.</summary>
    public static string ResolveRoot(string? configured, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured, contentRoot);
        var datasets = RepositoryFolders.Find(contentRoot, "datasets") ?? RepositoryFolders.Find(AppContext.BaseDirectory, "datasets");
        var root = datasets is not null ? Path.GetDirectoryName(datasets)! : contentRoot;
        return Path.Combine(root, ".data", "uploads");
    }

    public static string MegaBytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " MB";
}

/// <summary>The folder of the stored originals (resolved once from <see cref="UploadOptions.UploadsPath"/>).</summary>
public sealed class UploadStore(string root)
{
    public string Root { get; } = root;

    public string PathOf(ResourceVersion version) => Path.Combine(Root, version.StoredPath);
}
