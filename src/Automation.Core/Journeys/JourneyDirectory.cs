namespace Automation.Core.Journeys;

/// <summary>One journey file of a rules folder, read and checked.</summary>
public sealed record JourneyFileResult(string File, JourneyDefinition? Journey, IReadOnlyList<JourneyProblem> Problems);

/// <summary>
/// Reads the journey files of a rules folder: every <c>*.json</c> except the schemas (<c>*.schema.json</c>) and the tag
/// and tier rule files, which are not journeys. Subfolders (such as <c>draws/</c>) hold other rule files.
/// </summary>
public static class JourneyDirectory
{
    private static readonly string[] NotJourneys = ["schema.json", "tags.json", "tiers.json", "referrals.json", "presales.json", "rewards.json"];

    /// <summary>Whether a file at the top of the rules folder is a journey (not the tag rules, tiers, a program file or a schema).</summary>
    public static bool IsJourney(string file) =>
        !NotJourneys.Contains(Path.GetFileName(file)) && !file.EndsWith(".schema.json", StringComparison.Ordinal);

    /// <summary>The files of the folder; none when the folder does not exist.</summary>
    public static IReadOnlyList<JourneyFileResult> Load(ContentFolder rules, JourneyReadOptions options)
    {
        var reader = new JourneyFileReader(options);
        return [.. rules.FilesIn(rules.Root)
            .Where(file => file.EndsWith(".json", StringComparison.Ordinal) && IsJourney(file))
            .Select(file => Read(reader, rules, file))];
    }

    /// <summary>The journey file <c>&lt;name&gt;.json</c> of the folder alone, without reading the others; null when there is none.</summary>
    public static JourneyFileResult? LoadOne(ContentFolder rules, string name, JourneyReadOptions options)
    {
        var file = rules.PathOf($"{name}.json");
        if (name.IndexOfAny(['/', '\\']) >= 0 || !IsJourney(file) || !rules.Exists(file)) return null;
        return Read(new JourneyFileReader(options), rules, file);
    }

    private static JourneyFileResult Read(JourneyFileReader reader, ContentFolder rules, string file)
    {
        JourneyReadResult result;
        try
        {
            result = reader.Read(file, rules.ReadAllBytes(file));
        }
        catch (IOException e)
        {
            // Being saved by an editor right now: the next reload reads it whole.
            result = new JourneyReadResult(null, [new JourneyProblem(file, 1, null, $"cannot be read: {e.Message}")]);
        }
        return new JourneyFileResult(file, result.Journey, result.Problems);
    }

    /// <summary>
    /// Whether <c>templates/&lt;template&gt;.&lt;channel&gt;[.&lt;locale&gt;].liquid</c> exists for a (template, channel) pair.
    /// </summary>
    public static Func<string, string, bool> TemplatesIn(ContentFolder templates) => (template, channel) =>
    {
        var path = templates.PathOf($"{template}.{channel}.liquid");
        if (templates.Exists(path)) return true;
        var prefix = $"{Path.GetFileName(template)}.{channel}.";
        return templates.FilesIn(Path.GetDirectoryName(path)!).Any(file => Path.GetFileName(file) is var name
            && name.Length >= prefix.Length + ".liquid".Length && name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".liquid", StringComparison.Ordinal));
    };
}
