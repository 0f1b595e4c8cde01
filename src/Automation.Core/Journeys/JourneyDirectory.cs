namespace Automation.Core.Journeys;

/// <summary>One journey file of a rules folder, read and checked.</summary>
public sealed record JourneyFileResult(string File, JourneyDefinition? Journey, IReadOnlyList<JourneyProblem> Problems);

/// <summary>
/// Reads the journey files of a rules folder: every <c>*.json</c> except the schema and the tag and tier rule files,
/// which are not journeys.
/// </summary>
public static class JourneyDirectory
{
    private static readonly string[] NotJourneys = ["schema.json", "tiers.schema.json", "tags.json", "tiers.json"];

    /// <summary>The files of the folder; none when the folder does not exist.</summary>
    public static IReadOnlyList<JourneyFileResult> Load(string rulesFolder, JourneyReadOptions options)
    {
        if (!Directory.Exists(rulesFolder)) return [];

        var reader = new JourneyFileReader(options);
        var results = new List<JourneyFileResult>();
        foreach (var file in Directory.EnumerateFiles(rulesFolder, "*.json").Order(StringComparer.Ordinal))
        {
            if (NotJourneys.Contains(Path.GetFileName(file))) continue;
            JourneyReadResult result;
            try
            {
                result = reader.ReadFile(file);
            }
            catch (IOException e)
            {
                // Being saved by an editor right now: the next reload reads it whole.
                result = new JourneyReadResult(null, [new JourneyProblem(file, 1, null, $"cannot be read: {e.Message}")]);
            }
            results.Add(new JourneyFileResult(file, result.Journey, result.Problems));
        }
        return results;
    }

    /// <summary>
    /// Whether <c>templates/&lt;template&gt;.&lt;channel&gt;[.&lt;locale&gt;].liquid</c> exists for a (template, channel) pair.
    /// </summary>
    public static Func<string, string, bool> TemplatesIn(string templatesFolder) => (template, channel) =>
    {
        var path = Path.Combine(templatesFolder, $"{template}.{channel}.liquid");
        if (File.Exists(path)) return true;
        var folder = Path.GetDirectoryName(path)!;
        return Directory.Exists(folder) && Directory.EnumerateFiles(folder, $"{Path.GetFileName(template)}.{channel}.*.liquid").Any();
    };
}
