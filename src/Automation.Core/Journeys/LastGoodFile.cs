namespace Automation.Core.Journeys;

/// <summary>
/// A rule file in force (rules/tags.json, rules/tiers.json): a bad version is reported and the last good one keeps
/// running; without the file, the feature is off.
/// </summary>
public abstract class LastGoodFile<T> where T : class
{
    private sealed record State(T? Value, IReadOnlyList<JourneyProblem> Problems);

    private State _current = new(null, []);

    /// <summary>The problems of the file as last read; empty when it was good.</summary>
    public IReadOnlyList<JourneyProblem> Problems => Volatile.Read(ref _current).Problems;

    /// <summary>The last good version, or null when there is no file.</summary>
    protected T? Current => Volatile.Read(ref _current).Value;

    /// <summary>Reads the file <paramref name="name"/> of the folder again; returns its problems.</summary>
    public IReadOnlyList<JourneyProblem> Reload(ContentFolder folder, string name)
    {
        var file = folder.PathOf(name);
        if (!folder.Exists(file))
        {
            Volatile.Write(ref _current, new State(null, []));
            return [];
        }
        var (value, problems) = Read(file, folder.ReadAllBytes(file));
        Volatile.Write(ref _current, new State(value ?? Current, problems));
        return problems;
    }

    protected abstract (T? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8);
}
