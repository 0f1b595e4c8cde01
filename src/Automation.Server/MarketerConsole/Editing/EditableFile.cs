using System.Security.Cryptography;
using Automation.Core;
using Automation.Core.Journeys;
using Automation.Server.Hosting;

namespace Automation.Server.MarketerConsole.Editing;

/// <summary>What a file is to the editor: a journey (JSON with the journey schema), another rule file, or a template.</summary>
public enum EditableKind
{
    Journey,
    RuleFile,
    Template,
}

/// <summary>
/// A content file the editor may open: a <c>.json</c> file under the rules folder or a <c>.liquid</c> file under the
/// templates folder, named by <see cref="Path"/> relative to the content root with forward slashes
/// (<c>rules/cart-recovery.json</c>), as drafts store it. <see cref="FullPath"/> is where it is published.
/// </summary>
internal sealed record EditableFile(string Path, string FullPath, EditableKind Kind, string? SchemaName)
{
    /// <summary>The journey's name for a journey file (its file name), as simulate and the catalog know it.</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(FullPath);

    /// <summary>
    /// The file <paramref name="path"/> names, or null when it names none the editor may open (another folder, another
    /// kind of file, a path leaving its folder, a schema).
    /// </summary>
    public static EditableFile? Resolve(JourneyFiles folders, string contentRoot, string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\\') || path.Split('/').Any(part => part is "" or "." or "..")) return null;
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(contentRoot, path));
        if (Under(folders.RulesFolder.Root, full) is { } rule && rule.EndsWith(".json", StringComparison.Ordinal)
            && !rule.EndsWith("schema.json", StringComparison.Ordinal))
        {
            var folder = rule.Contains('/') ? rule[..rule.IndexOf('/', StringComparison.Ordinal)] : null;
            if (folder is null && JourneyDirectory.IsJourney(rule)) return new EditableFile(path, full, EditableKind.Journey, "schema.json");
            var schema = folder is null ? rule.Replace(".json", ".schema.json", StringComparison.Ordinal) : $"{folder}.schema.json";
            return new EditableFile(path, full, EditableKind.RuleFile, folders.RulesFolder.Exists(folders.RulesFolder.PathOf(schema)) ? schema : null);
        }
        if (Under(folders.TemplatesFolder.Root, full) is { } template && template.EndsWith(".liquid", StringComparison.Ordinal))
            return new EditableFile(path, full, EditableKind.Template, null);
        return null;
    }

    /// <summary>The published text; null when the file is new.</summary>
    public string? ReadPublished(JourneyFiles folders) => FolderOf(folders) is var folder && folder.Exists(FullPath) ? folder.ReadAllText(FullPath) : null;

    /// <summary>The SHA-256 (lower-case hex) of the published file's bytes; empty for a new file. A draft's base is this.</summary>
    public string PublishedHash(JourneyFiles folders) =>
        FolderOf(folders) is var folder && folder.Exists(FullPath) ? Convert.ToHexStringLower(SHA256.HashData(folder.ReadAllBytes(FullPath))) : "";

    /// <summary>When the published file was last written; null for a new file.</summary>
    public DateTimeOffset? PublishedAt(JourneyFiles folders) => FolderOf(folders) is var folder && folder.Exists(FullPath) ? folder.LastModified(FullPath) : null;

    /// <summary>Every file the editor may open, rules then templates, by path relative to the content root.</summary>
    public static IReadOnlyList<string> All(JourneyFiles folders, string contentRoot) =>
        [.. Below(folders.RulesFolder, "").Concat(Below(folders.TemplatesFolder, ""))
            .Select(full => System.IO.Path.GetRelativePath(contentRoot, full).Replace(System.IO.Path.DirectorySeparatorChar, '/'))
            .Where(path => Resolve(folders, contentRoot, path) is not null)];

    private static IEnumerable<string> Below(ContentFolder folder, string name) =>
        folder.Files.GetDirectoryContents(name).OrderBy(f => f.IsDirectory).ThenBy(f => f.Name, StringComparer.Ordinal)
            .SelectMany(f => f.IsDirectory ? Below(folder, name.Length == 0 ? f.Name : $"{name}/{f.Name}") : [folder.PathOf(name.Length == 0 ? f.Name : $"{name}/{f.Name}")]);

    private ContentFolder FolderOf(JourneyFiles folders) => Kind == EditableKind.Template ? folders.TemplatesFolder : folders.RulesFolder;

    /// <summary>The path's name under the folder with forward slashes; null when it is not under it.</summary>
    private static string? Under(string folder, string full)
    {
        var relative = System.IO.Path.GetRelativePath(System.IO.Path.GetFullPath(folder), full);
        return relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative)
            ? null : relative.Replace(System.IO.Path.DirectorySeparatorChar, '/');
    }
}
