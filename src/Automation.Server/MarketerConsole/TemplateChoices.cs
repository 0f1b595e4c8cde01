using Automation.Core.Messaging;
using Microsoft.Extensions.FileProviders;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// The templates a broadcast can name: every <c>&lt;name&gt;.&lt;channel&gt;[.&lt;locale&gt;].liquid</c> under templates/
/// (layouts, partials and pages, in folders starting with <c>_</c>, are not messages), by name, with the channels each has.
/// </summary>
internal static class TemplateChoices
{
    public sealed record Choice(string Name, IReadOnlyList<string> Channels);

    /// <summary>The templates for <paramref name="channels"/>, those of templates/broadcasts/ first, then by name.</summary>
    public static IReadOnlyList<Choice> For(TemplateFiles templates, IEnumerable<string> channels)
    {
        var known = channels.ToHashSet(StringComparer.Ordinal);
        var found = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var file in Files(templates.Folder.Files, ""))
        {
            // broadcasts/new-arrivals.email.zh-CN.liquid: the name is what comes before the channel.
            var parts = file.Split('.');
            var at = Array.FindIndex(parts, 1, p => known.Contains(p));
            if (at < 0 || parts[^1] != "liquid") continue;
            var name = string.Join('.', parts[..at]);
            if (!found.TryGetValue(name, out var of)) found[name] = of = new SortedSet<string>(StringComparer.Ordinal);
            of.Add(parts[at]);
        }
        return [.. found.OrderBy(f => f.Key.StartsWith("broadcasts/", StringComparison.Ordinal) ? 0 : 1).ThenBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new Choice(f.Key, [.. f.Value]))];
    }

    private static IEnumerable<string> Files(IFileProvider provider, string folder)
    {
        foreach (var entry in provider.GetDirectoryContents(folder))
        {
            if (entry.Name.StartsWith('_') || entry.Name.StartsWith('.')) continue;
            var path = folder.Length == 0 ? entry.Name : $"{folder}/{entry.Name}";
            if (!entry.IsDirectory) yield return path;
            else foreach (var inner in Files(provider, path)) yield return inner;
        }
    }
}
