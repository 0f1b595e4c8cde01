using System.Collections;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Automation.Tests.Support;

/// <summary>
/// An <see cref="IFileProvider"/> over a dictionary of texts by path (<c>welcome/hello.sms.liquid</c>), for proving
/// that Core reads rules and templates with no disk at all.
/// </summary>
public sealed class InMemoryFiles : IFileProvider
{
    private readonly ConcurrentDictionary<string, (byte[] Content, DateTimeOffset Modified)> _files = new(StringComparer.Ordinal);
    private long _writes;

    /// <summary>Adds or replaces a file; each write has a later modification time than the one before.</summary>
    public InMemoryFiles Write(string path, string text)
    {
        _files[path] = (Encoding.UTF8.GetBytes(text), DateTimeOffset.UnixEpoch.AddSeconds(Interlocked.Increment(ref _writes)));
        return this;
    }

    public IFileInfo GetFileInfo(string subpath) =>
        _files.TryGetValue(Normalise(subpath), out var file) ? new MemoryFile(Path.GetFileName(subpath), file.Content, file.Modified) : new NotFoundFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath)
    {
        var prefix = Normalise(subpath) is { Length: > 0 } folder ? folder + "/" : "";
        var below = _files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(f => (Path: f.Key[prefix.Length..], File: f.Value)).ToList();
        if (below.Count == 0) return NotFoundDirectoryContents.Singleton;
        IEnumerable<IFileInfo> files = below.Where(e => !e.Path.Contains('/')).Select(e => new MemoryFile(e.Path, e.File.Content, e.File.Modified));
        var folders = below.Where(e => e.Path.Contains('/')).Select(e => e.Path.Split('/')[0]).Distinct().Select(name => new MemoryFolder(name));
        return new Contents([.. files.Concat(folders)]);
    }

    /// <summary>Nothing to watch: Core never watches; the server watches its folders on disk.</summary>
    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

    /// <summary>Names outside the folder (<c>..</c>) find nothing, as with a provider on disk.</summary>
    private static string Normalise(string subpath)
    {
        var name = subpath.Replace('\\', '/').Trim('/');
        return name.Split('/').Contains("..") ? "\0outside" : name;
    }

    private sealed class MemoryFile(string name, byte[] content, DateTimeOffset modified) : IFileInfo
    {
        public bool Exists => true;
        public long Length => content.Length;
        public string? PhysicalPath => null;
        public string Name => name;
        public DateTimeOffset LastModified => modified;
        public bool IsDirectory => false;
        public Stream CreateReadStream() => new MemoryStream(content, writable: false);
    }

    private sealed class MemoryFolder(string name) : IFileInfo
    {
        public bool Exists => true;
        public long Length => -1;
        public string? PhysicalPath => null;
        public string Name => name;
        public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;
        public bool IsDirectory => true;
        public Stream CreateReadStream() => throw new InvalidOperationException($"{name} is a folder");
    }

    private sealed class Contents(IReadOnlyList<IFileInfo> entries) : IDirectoryContents
    {
        public bool Exists => true;
        public IEnumerator<IFileInfo> GetEnumerator() => entries.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
