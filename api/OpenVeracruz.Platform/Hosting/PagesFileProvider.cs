using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace OpenVeracruz.Platform.Hosting;

/// <summary>
/// web/ as the browser may see it: the pages, their modules, styles and images, but not npm's folder and manifests
/// (node_modules/, package.json, package-lock.json), dot-files or notes (*.md). Libraries reach the browser only
/// through the /vendor/… mounts of their dist folders.
/// </summary>
public sealed class PagesFileProvider(string root) : IFileProvider
{
    private readonly PhysicalFileProvider _files = new(root);

    public static bool IsHidden(string subpath)
    {
        var parts = subpath.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return false;
        if (parts[0].Equals("node_modules", StringComparison.OrdinalIgnoreCase)) return true;
        var name = parts[^1];
        return parts.Any(p => p.StartsWith('.')) || name.Equals("package.json", StringComparison.OrdinalIgnoreCase)
            || name.Equals("package-lock.json", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".md", StringComparison.OrdinalIgnoreCase);
    }

    public IFileInfo GetFileInfo(string subpath) => IsHidden(subpath) ? new NotFoundFileInfo(subpath) : _files.GetFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath) => IsHidden(subpath) ? NotFoundDirectoryContents.Singleton : _files.GetDirectoryContents(subpath);

    public IChangeToken Watch(string filter) => _files.Watch(filter);
}
