using System.Collections;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Automation.Server.Hosting;

/// <summary>
/// A folder's files held in memory, by name under the folder with forward slashes: a candidate version checked before
/// it is published, or a published version read back from the database. Folders are implied by the names.
/// </summary>
/// <param name="modified">Every file's <see cref="IFileInfo.LastModified"/>: when the version was made, so caches keyed by it see a change.</param>
internal sealed class SnapshotFileProvider(IReadOnlyDictionary<string, byte[]> files, DateTimeOffset modified) : IFileProvider
{
    public IFileInfo GetFileInfo(string subpath) =>
        files.TryGetValue(Normalise(subpath), out var bytes) ? new SnapshotFile(Path.GetFileName(Normalise(subpath)), bytes, modified) : new NotFoundFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath)
    {
        var folder = Normalise(subpath);
        var prefix = folder.Length == 0 ? "" : folder + "/";
        var entries = new Dictionary<string, IFileInfo>(StringComparer.Ordinal);
        foreach (var (name, bytes) in files)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = name[prefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) entries[rest] = new SnapshotFile(rest, bytes, modified);
            else entries.TryAdd(rest[..slash], new SnapshotFolder(rest[..slash], modified));
        }
        return entries.Count == 0 && folder.Length > 0 ? NotFoundDirectoryContents.Singleton : new Contents([.. entries.Values]);
    }

    /// <summary>A snapshot never changes: a new version is a new provider.</summary>
    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

    private static string Normalise(string subpath) => subpath.Replace('\\', '/').Trim('/');

    private sealed class SnapshotFile(string name, byte[] bytes, DateTimeOffset modified) : IFileInfo
    {
        public bool Exists => true;
        public long Length => bytes.Length;
        public string? PhysicalPath => null;
        public string Name => name;
        public DateTimeOffset LastModified => modified;
        public bool IsDirectory => false;
        public Stream CreateReadStream() => new MemoryStream(bytes, writable: false);
    }

    private sealed class SnapshotFolder(string name, DateTimeOffset modified) : IFileInfo
    {
        public bool Exists => true;
        public long Length => -1;
        public string? PhysicalPath => null;
        public string Name => name;
        public DateTimeOffset LastModified => modified;
        public bool IsDirectory => true;
        public Stream CreateReadStream() => throw new InvalidOperationException($"{name} is a folder.");
    }

    private sealed class Contents(List<IFileInfo> entries) : IDirectoryContents
    {
        public bool Exists => true;
        public IEnumerator<IFileInfo> GetEnumerator() => entries.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
