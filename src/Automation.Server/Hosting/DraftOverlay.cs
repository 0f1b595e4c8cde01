using Automation.Core;
using System.Collections;
using System.Text;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Automation.Server.Hosting;

/// <summary>
/// A content folder as published with one file replaced (or added) by a draft's text, so validation, preview and
/// simulation read the draft exactly as they would read the file once published, and nothing on disk changes.
/// </summary>
/// <param name="published">The folder's files as published.</param>
/// <param name="name">The draft's name under the folder, with forward slashes (<c>cart-recovery/reminder.email.liquid</c>).</param>
/// <param name="content">The draft's text, read as UTF-8 as the file would be.</param>
/// <param name="modified">When the draft was written: a later time than any parse cached for the published file.</param>
internal sealed class DraftOverlay(IFileProvider published, string name, string content, DateTimeOffset modified) : IFileProvider
{
    private readonly byte[] _bytes = Encoding.UTF8.GetBytes(content);

    /// <summary>The folder with the draft in place of its file.</summary>
    public static ContentFolder Over(ContentFolder folder, string name, string content, DateTimeOffset modified) =>
        new(new DraftOverlay(folder.Files, name, content, modified), folder.Root);

    public IFileInfo GetFileInfo(string subpath) => Normalise(subpath) == name ? Draft() : published.GetFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath)
    {
        var folder = Normalise(subpath);
        var prefix = folder.Length == 0 ? "" : folder + "/";
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return published.GetDirectoryContents(subpath);
        var inner = published.GetDirectoryContents(subpath);
        var entries = inner.Exists ? inner.ToList() : [];
        var rest = name[prefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            entries.RemoveAll(e => e.Name == rest && !e.IsDirectory);
            entries.Add(Draft());
        }
        else if (!entries.Any(e => e.IsDirectory && e.Name == rest[..slash]))
        {
            // A new file in a new folder: the folder appears so the file can be found below it.
            entries.Add(new NewFolder(rest[..slash], modified));
        }
        return new Contents(entries);
    }

    /// <summary>A draft is not watched: it is read for one check and thrown away.</summary>
    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

    private DraftFile Draft() => new(Path.GetFileName(name), _bytes, modified);

    private static string Normalise(string subpath) => subpath.Replace('\\', '/').Trim('/');

    private sealed class DraftFile(string fileName, byte[] bytes, DateTimeOffset modified) : IFileInfo
    {
        public bool Exists => true;
        public long Length => bytes.Length;
        public string? PhysicalPath => null;
        public string Name => fileName;
        public DateTimeOffset LastModified => modified;
        public bool IsDirectory => false;
        public Stream CreateReadStream() => new MemoryStream(bytes, writable: false);
    }

    private sealed class NewFolder(string folderName, DateTimeOffset modified) : IFileInfo
    {
        public bool Exists => true;
        public long Length => -1;
        public string? PhysicalPath => null;
        public string Name => folderName;
        public DateTimeOffset LastModified => modified;
        public bool IsDirectory => true;
        public Stream CreateReadStream() => throw new InvalidOperationException($"{folderName} is a folder.");
    }

    private sealed class Contents(List<IFileInfo> entries) : IDirectoryContents
    {
        public bool Exists => true;
        public IEnumerator<IFileInfo> GetEnumerator() => entries.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
