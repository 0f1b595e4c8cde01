using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Automation.Core;

/// <summary>
/// A folder of content files, rules/ or templates/, read through an <see cref="IFileProvider"/>: Core opens no file
/// itself, the host decides where the files live (the server gives a provider on disk, a test may give one in memory).
/// Files are named by their path under <see cref="Root"/>, the folder as its user knows it, so problems and errors
/// name them as they appear on disk.
/// </summary>
public sealed class ContentFolder(IFileProvider files, string root)
{
    public IFileProvider Files { get; } = files;

    /// <summary>The folder as problems and errors name it; a file's path is this root and its name under the folder.</summary>
    public string Root { get; } = root;

    /// <summary>The path of a file or folder of the folder, from its name under it (<c>welcome/hello.sms.liquid</c>).</summary>
    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>Whether the path names a file of the folder; never for a path that leaves it.</summary>
    public bool Exists(string path) => Find(path) is not null;

    /// <summary>When the file was last written; <see cref="DateTimeOffset.MinValue"/> when there is none.</summary>
    public DateTimeOffset LastModified(string path) => Find(path)?.LastModified ?? DateTimeOffset.MinValue;

    /// <exception cref="FileNotFoundException">The folder has no such file.</exception>
    public byte[] ReadAllBytes(string path)
    {
        using var stream = Open(path);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The file's text, its encoding read from a byte order mark and UTF-8 without one.</summary>
    /// <exception cref="FileNotFoundException">The folder has no such file.</exception>
    public string ReadAllText(string path)
    {
        using var reader = new StreamReader(Open(path));
        return reader.ReadToEnd();
    }

    /// <summary>The paths of the files directly in a folder of the folder (<see cref="Root"/> itself included), in ordinal order; none when there is no such folder.</summary>
    public IReadOnlyList<string> FilesIn(string folderPath) =>
        NameOf(folderPath) is { } name
            ? [.. Files.GetDirectoryContents(name).Where(f => !f.IsDirectory).Select(f => Path.Combine(folderPath, f.Name)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>A token that fires when a file matching the glob (<c>**/*.json</c>) is added, changed or removed.</summary>
    public IChangeToken Watch(string filter) => Files.Watch(filter);

    private Stream Open(string path) => (Find(path) ?? throw new FileNotFoundException($"Could not find file '{path}'.", path)).CreateReadStream();

    private IFileInfo? Find(string path) =>
        NameOf(path) is { Length: > 0 } name && Files.GetFileInfo(name) is { Exists: true, IsDirectory: false } file ? file : null;

    /// <summary>The provider's name of a path under the root ("" for the root); null for a path that leaves it.</summary>
    private string? NameOf(string path)
    {
        var name = Path.GetRelativePath(Root, path);
        if (name == ".") return "";
        if (name == ".." || name.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(name)) return null;
        return name.Replace(Path.DirectorySeparatorChar, '/');
    }
}
