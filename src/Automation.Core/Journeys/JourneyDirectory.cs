namespace Automation.Core.Journeys;

/// <summary>Every journey file of a rules folder, read and checked.</summary>
public sealed record JourneyDirectoryResult(IReadOnlyList<JourneyDefinition> Journeys, IReadOnlyList<JourneyProblem> Problems);

/// <summary>
/// Reads the journey files of a rules folder: every <c>*.json</c> except the schema and the tag and tier rule files,
/// which are not journeys.
/// </summary>
public static class JourneyDirectory
{
    private static readonly string[] NotJourneys = ["schema.json", "tags.json", "tiers.json"];

    public static JourneyDirectoryResult Load(string rulesFolder, JourneyReadOptions options)
    {
        if (!Directory.Exists(rulesFolder))
            return new([], [new JourneyProblem(rulesFolder, 1, null, "the rules folder does not exist")]);

        var reader = new JourneyFileReader(options);
        var journeys = new List<JourneyDefinition>();
        var problems = new List<JourneyProblem>();
        foreach (var file in Directory.EnumerateFiles(rulesFolder, "*.json").Order(StringComparer.Ordinal))
        {
            if (NotJourneys.Contains(Path.GetFileName(file))) continue;
            var result = reader.ReadFile(file);
            problems.AddRange(result.Problems);
            if (result.Journey is not null) journeys.Add(result.Journey);
        }
        return new(journeys, problems);
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
