using System.Collections.Concurrent;
using System.Globalization;

namespace Automation.Core.Messaging;

/// <summary>
/// Finds the template file of a step for a channel and a customer locale:
/// <c>templates/&lt;journey&gt;/&lt;step&gt;.&lt;channel&gt;[.&lt;locale&gt;].liquid</c>, trying the full locale (zh-CN), its
/// language (zh), the default locale, then the file without a locale.
/// </summary>
public sealed class TemplateFiles(string root, string defaultLocale)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string DefaultLocale { get; } = defaultLocale;

    /// <summary>The file to render and the locale it is in (null for the unlocalised file); null when none exists.</summary>
    public (string File, string? Locale)? Find(string template, string channel, string? customerLocale)
    {
        foreach (var locale in Candidates(customerLocale))
        {
            var file = Path.Combine(Root, $"{template}.{channel}{(locale is null ? "" : "." + locale)}.liquid");
            if (File.Exists(file)) return (file, locale);
        }
        return null;
    }

    private IEnumerable<string?> Candidates(string? customerLocale)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var locale in new[] { customerLocale, Language(customerLocale), DefaultLocale, Language(DefaultLocale) })
        {
            if (!string.IsNullOrEmpty(locale) && seen.Add(locale)) yield return locale;
        }
        yield return null;
    }

    private static string? Language(string? locale) => locale?.Split('-')[0];
}
