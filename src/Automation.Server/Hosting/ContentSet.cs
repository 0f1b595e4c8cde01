using Automation.Core;
using Automation.Core.Storage;

namespace Automation.Server.Hosting;

/// <summary>
/// The complete content as a version holds it: every file of the rules and templates folders, by path under the
/// content as a version names it (<c>rules/welcome.json</c>, <c>templates/welcome/hello.email.liquid</c>), whatever
/// folders <c>Rules:Path</c> and <c>Templates:Path</c> name on disk.
/// </summary>
internal sealed class ContentSet(IReadOnlyDictionary<string, byte[]> files)
{
    public const string Rules = "rules";
    public const string Templates = "templates";

    /// <summary>The end of the name of a file being written by a publish, renamed over its file once whole: never content.</summary>
    public const string PartialSuffix = ".publishing";

    public IReadOnlyDictionary<string, byte[]> Files { get; } = files;

    /// <summary>What the folders hold now.</summary>
    public static ContentSet Read(ContentFolder rules, ContentFolder templates)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (prefix, folder) in new[] { (Rules, rules), (Templates, templates) })
            foreach (var name in Names(folder, ""))
                files[$"{prefix}/{name}"] = folder.ReadAllBytes(folder.PathOf(name));
        return new ContentSet(files);
    }

    /// <summary>The files of a version, read back by hash.</summary>
    public static async Task<ContentSet> ReadAsync(ContentVersion version, IContentVersionStore store, CancellationToken ct)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in version.Files)
            files[file.Path] = await store.FindBlobAsync(file.Hash, ct) ?? throw new InvalidOperationException($"Version {version.Id}: the bytes of {file.Path} ({file.Hash}) are missing.");
        return new ContentSet(files);
    }

    /// <summary>Whether <paramref name="path"/> names a file this set can hold: under rules/ or templates/, no empty, . or .. part, no backslash.</summary>
    public static bool IsContentPath(string? path) =>
        !string.IsNullOrWhiteSpace(path) && !path.Contains('\\') && (path.StartsWith(Rules + "/", StringComparison.Ordinal) || path.StartsWith(Templates + "/", StringComparison.Ordinal))
        && path.Split('/').All(part => part is not ("" or "." or ".."));

    /// <summary>This set with the file at <paramref name="path"/> replaced or added, or removed when <paramref name="bytes"/> is null.</summary>
    public ContentSet With(string path, byte[]? bytes)
    {
        var files = new Dictionary<string, byte[]>(Files, StringComparer.Ordinal);
        if (bytes is null) files.Remove(path);
        else files[path] = bytes;
        return new ContentSet(files);
    }

    /// <summary>The paths whose bytes differ between the sets (added, changed or removed), in ordinal order.</summary>
    public IReadOnlyList<string> ChangedFrom(ContentSet other) =>
        [.. Files.Keys.Union(other.Files.Keys).Where(p => !(Files.TryGetValue(p, out var mine) && other.Files.TryGetValue(p, out var theirs) && mine.AsSpan().SequenceEqual(theirs)))
            .Order(StringComparer.Ordinal)];

    public IReadOnlyList<ContentFile> ToFiles() => [.. Files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new ContentFile(f.Key, f.Value))];

    /// <summary>The files under one of the two folders, by name under it.</summary>
    public IReadOnlyDictionary<string, byte[]> Under(string folder) =>
        Files.Where(f => f.Key.StartsWith(folder + "/", StringComparison.Ordinal)).ToDictionary(f => f.Key[(folder.Length + 1)..], f => f.Value, StringComparer.Ordinal);

    private static IEnumerable<string> Names(ContentFolder folder, string name) =>
        folder.Files.GetDirectoryContents(name).OrderBy(f => f.Name, StringComparer.Ordinal)
            .Where(f => !f.Name.EndsWith(PartialSuffix, StringComparison.Ordinal))
            .SelectMany(f => f.IsDirectory ? Names(folder, name.Length == 0 ? f.Name : $"{name}/{f.Name}") : [name.Length == 0 ? f.Name : $"{name}/{f.Name}"]);
}
