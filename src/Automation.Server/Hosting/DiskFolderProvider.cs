using Automation.Core;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace Automation.Server.Hosting;

/// <summary>
/// The files of a folder on disk, for Core's <see cref="ContentFolder"/>. A <see cref="PhysicalFileProvider"/> needs
/// its folder to exist, and rules/ or templates/ may be created after start: until the folder exists, it has no files
/// and nothing to watch, and the provider is opened the first time it is found.
/// </summary>
/// <param name="poll">
/// Watch by looking at the files every four seconds rather than by file-system events. Chosen here, not by
/// <c>DOTNET_USE_POLLING_FILE_WATCHER</c>: the server sets that variable for the content root it does not want
/// watched by events, while these folders hold only content and are watched by events unless polling is asked for.
/// </param>
internal sealed class DiskFolderProvider(string root, bool poll) : IFileProvider, IDisposable
{
    private readonly Lock _opening = new();
    private PhysicalFileProvider? _disk;

    /// <summary>The folder <paramref name="path"/> as Core reads it, named by <paramref name="path"/> in problems and errors.</summary>
    public static ContentFolder Open(string path, bool poll = false) => new(new DiskFolderProvider(Path.GetFullPath(path), poll), path);

    /// <summary>Whether the folder exists, so that <see cref="Watch"/> can see its changes.</summary>
    public bool Exists => Directory.Exists(root);

    public IFileInfo GetFileInfo(string subpath) => Disk()?.GetFileInfo(subpath) ?? new NotFoundFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath) => Disk()?.GetDirectoryContents(subpath) ?? NotFoundDirectoryContents.Singleton;

    public IChangeToken Watch(string filter) => Disk()?.Watch(filter) ?? NullChangeToken.Singleton;

    public void Dispose() => _disk?.Dispose();

    private PhysicalFileProvider? Disk()
    {
        if (Volatile.Read(ref _disk) is { } disk) return disk;
        lock (_opening)
        {
            // Every file, dot files included, as the folder was read before it went through a provider.
            if (_disk is null && Directory.Exists(root))
                Volatile.Write(ref _disk, new PhysicalFileProvider(root, ExclusionFilters.None) { UsePollingFileWatcher = poll, UseActivePolling = poll });
            return _disk;
        }
    }
}
