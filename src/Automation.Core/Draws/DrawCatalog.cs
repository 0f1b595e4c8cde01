using Automation.Core.Journeys;

namespace Automation.Core.Draws;

/// <summary>A draw file as the catalog holds it.</summary>
/// <param name="Running">The version in force: the file's own, or its last good one while the file is bad.</param>
/// <param name="Problems">The file's problems as last read; empty when it is good.</param>
public sealed record DrawFile(string Name, string File, Draw? Running, IReadOnlyList<JourneyProblem> Problems);

/// <summary>
/// The draws of <c>rules/draws/</c>, reloaded with the rest of the rules. Each file keeps its own last good version:
/// a file that turns bad is reported and its last good version keeps taking entries; a file that is removed stops.
/// </summary>
public sealed class DrawCatalog
{
    private IReadOnlyList<DrawFile> _files = [];

    /// <summary>Every draw file, in name order.</summary>
    public IReadOnlyList<DrawFile> Files => Volatile.Read(ref _files);

    /// <summary>The draws in force, last good versions included.</summary>
    public IEnumerable<Draw> Draws => Files.Select(f => f.Running).OfType<Draw>();

    /// <summary>The draw of this name in force, or null.</summary>
    public Draw? Find(string name) => Files.FirstOrDefault(f => f.Name == name)?.Running;

    /// <summary>Reads every <c>*.json</c> of the folder again; returns the problems found.</summary>
    public IReadOnlyList<JourneyProblem> Reload(string folder, DrawReadContext context)
    {
        var previous = Files.ToDictionary(f => f.File, StringComparer.Ordinal);
        var files = new List<DrawFile>();
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var (draw, problems) = ReadFile(file, context);
                files.Add(new DrawFile(Path.GetFileNameWithoutExtension(file), file, draw ?? previous.GetValueOrDefault(file)?.Running, problems));
            }
        }
        Volatile.Write(ref _files, files);
        return [.. files.SelectMany(f => f.Problems)];
    }

    private static (Draw? Draw, IReadOnlyList<JourneyProblem> Problems) ReadFile(string file, DrawReadContext context)
    {
        try
        {
            return DrawFileReader.Read(file, File.ReadAllBytes(file), context);
        }
        catch (IOException e)
        {
            // Being saved by an editor right now: the next reload reads it whole.
            return (null, [new JourneyProblem(file, 1, null, $"cannot be read: {e.Message}")]);
        }
    }
}
