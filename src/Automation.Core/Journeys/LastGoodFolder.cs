namespace Automation.Core.Journeys;

/// <summary>
/// A folder of rule files in force, one item a file (rules/coupons/*.json): each file is read on its own, a file that
/// turned bad is reported and its last good version keeps running, and a removed file's item is gone. Items are found
/// by the file's name without <c>.json</c>, which each reader holds its item's name to.
/// </summary>
public abstract class LastGoodFolder<T> where T : class
{
    private sealed record State(IReadOnlyDictionary<string, T> Items, IReadOnlyList<JourneyProblem> Problems);

    private readonly Lock _reloading = new();
    private State _current = new(new Dictionary<string, T>(), []);

    /// <summary>The problems of the files as last read; empty when every file was good.</summary>
    public IReadOnlyList<JourneyProblem> Problems => Volatile.Read(ref _current).Problems;

    /// <summary>The items in force by name, in name order.</summary>
    public IReadOnlyList<T> Items => [.. Volatile.Read(ref _current).Items.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];

    /// <summary>The item of <c>&lt;name&gt;.json</c>, or null when there is none (or it never was good).</summary>
    public T? Find(string name) => Volatile.Read(ref _current).Items.GetValueOrDefault(name);

    /// <summary>Reads every <c>*.json</c> of the folder <paramref name="name"/> of <paramref name="rules"/> again; returns their problems. No folder: no items.</summary>
    public IReadOnlyList<JourneyProblem> Reload(ContentFolder rules, string name)
    {
        lock (_reloading)
        {
            var before = Volatile.Read(ref _current).Items;
            var items = new Dictionary<string, T>(StringComparer.Ordinal);
            var problems = new List<JourneyProblem>();
            foreach (var file in rules.FilesIn(rules.PathOf(name)).Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
            {
                var itemName = Path.GetFileNameWithoutExtension(file);
                var (item, fileProblems) = ReadFile(rules, file);
                problems.AddRange(fileProblems);
                if ((item ?? before.GetValueOrDefault(itemName)) is { } inForce) items[itemName] = inForce;
            }
            Volatile.Write(ref _current, new State(items, problems));
            return problems;
        }
    }

    private (T? Item, IReadOnlyList<JourneyProblem> Problems) ReadFile(ContentFolder rules, string file)
    {
        try
        {
            return Read(file, rules.ReadAllBytes(file));
        }
        catch (IOException e)
        {
            // Being saved by an editor right now: the next reload reads it whole.
            return (null, [new JourneyProblem(file, 1, null, $"cannot be read: {e.Message}")]);
        }
    }

    /// <summary>Reads one file; an item whose name is not the file's name is a problem of the file.</summary>
    protected abstract (T? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8);
}
