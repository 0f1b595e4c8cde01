using Automation.Core.Journeys;

namespace Automation.Core.Presales;

/// <summary>
/// The pre-sales of rules/presales.json in force; a bad file is reported and its last good version keeps running.
/// Tier names are checked against the tiers given with each reload.
/// </summary>
public sealed class PresaleCatalog : LastGoodFile<IReadOnlyList<Presale>>
{
    private IReadOnlyCollection<string>? _tiers;

    /// <summary>The sales in force, in file order; empty without the file.</summary>
    public IReadOnlyList<Presale> Sales => Current ?? [];

    /// <summary>The sale of that name, or null.</summary>
    public Presale? Find(string name) => Sales.FirstOrDefault(s => s.Name == name);

    /// <summary>Reads the file again, checking the tier names it gives against <paramref name="tiers"/> (null: not checked); returns its problems.</summary>
    public IReadOnlyList<JourneyProblem> Reload(ContentFolder folder, string name, IReadOnlyCollection<string>? tiers)
    {
        // Reloads come from one reloader (or one command) at a time: the tiers hold for the reload they were given to.
        _tiers = tiers;
        return Reload(folder, name);
    }

    protected override (IReadOnlyList<Presale>? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) =>
        PresaleFileReader.Read(file, utf8, _tiers);
}
