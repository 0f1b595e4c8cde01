using Automation.Core.Journeys;

namespace Automation.Core.Draws;

/// <summary>
/// The draws of <c>rules/draws/</c>, reloaded with the rest of the rules: each file keeps its own last good version, so
/// a file that turns bad is reported and its last good version keeps taking entries; a file that is removed stops.
/// </summary>
public sealed class DrawCatalog : LastGoodFolder<Draw>
{
    private DrawReadContext _context = DrawReadContext.Unchecked;

    /// <summary>The draws in force, last good versions included, in name order.</summary>
    public IReadOnlyList<Draw> Draws => Items;

    /// <summary>
    /// Reads every <c>*.json</c> of the folder <paramref name="name"/> of <paramref name="rules"/> again, checking the
    /// names the files give against <paramref name="context"/>; returns the problems.
    /// </summary>
    public IReadOnlyList<JourneyProblem> Reload(ContentFolder rules, string name, DrawReadContext context)
    {
        // Reloads come from one reloader (or one command) at a time: the context holds for the reload it was given to.
        _context = context;
        return Reload(rules, name);
    }

    protected override (Draw? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) => DrawFileReader.Read(file, utf8, _context);
}
