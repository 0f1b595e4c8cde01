using System.Collections.Concurrent;
using System.Globalization;

namespace Automation.Core.Messaging;

/// <summary>
/// Finds the template file of a step for a channel and a customer locale:
/// <c>templates/&lt;journey&gt;/&lt;step&gt;.&lt;channel&gt;[.&lt;locale&gt;].liquid</c>, trying the full locale (zh-CN), its
/// language (zh), the default locale, then the file without a locale.
/// </summary>
public sealed partial class TemplateFiles(ContentFolder folder, string defaultLocale)
{
    /// <summary>The templates folder, where the files are read.</summary>
    public ContentFolder Folder { get; } = folder;

    /// <summary>The full path of the templates folder: template files are named under it.</summary>
    public string Root { get; } = Path.GetFullPath(folder.Root);

    public string DefaultLocale { get; } = defaultLocale;

    /// <summary>The file to render and the locale it is in (null for the unlocalised file); null when none exists.</summary>
    public (string File, string? Locale)? Find(string template, string channel, string? customerLocale)
    {
        foreach (var locale in Candidates(customerLocale))
        {
            var file = Inside($"{template}.{channel}{(locale is null ? "" : "." + locale)}.liquid");
            if (file is not null && Folder.Exists(file)) return (file, locale);
        }
        return null;
    }

    /// <summary>The full path of <paramref name="relative"/> when it stays under the root; null for <c>../</c> and absolute paths that leave it.</summary>
    private string? Inside(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(Root, relative));
        return full.StartsWith(Path.TrimEndingDirectorySeparator(Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>
    /// A localised file other than a template, <c>&lt;name&gt;[.&lt;locale&gt;].&lt;extension&gt;</c> under the root, found
    /// as templates are; null when none exists.
    /// </summary>
    public (string File, string? Locale)? FindLocalized(string name, string extension, string? locale)
    {
        foreach (var candidate in Candidates(locale))
        {
            var file = Inside($"{name}{(candidate is null ? "" : "." + candidate)}.{extension}");
            if (file is not null && Folder.Exists(file)) return (file, candidate);
        }
        return null;
    }

    /// <summary>Language tags (<c>en</c>, <c>zh-CN</c>, <c>zh-Hant-TW</c>): anything else, such as a path, is no locale.</summary>
    public static bool IsLocale(string? text) => text is { Length: > 0 and <= 35 } && LocalePattern().IsMatch(text);

    private IEnumerable<string?> Candidates(string? customerLocale)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var locale in new[] { customerLocale, Language(customerLocale), DefaultLocale, Language(DefaultLocale) })
        {
            if (IsLocale(locale) && seen.Add(locale!)) yield return locale;
        }
        yield return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial System.Text.RegularExpressions.Regex LocalePattern();

    private static string? Language(string? locale) => locale?.Split('-')[0];
}
