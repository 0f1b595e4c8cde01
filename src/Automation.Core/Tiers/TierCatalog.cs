using Automation.Core.Journeys;

namespace Automation.Core.Tiers;

/// <summary>The tier program in force; a bad rules/tiers.json is reported and the last good program keeps running.</summary>
public sealed class TierCatalog : LastGoodFile<TierProgram>
{
    /// <summary>Null when there is no tiers file: no tiers, multiplier 1, no spend bands.</summary>
    public TierProgram? Program => Current;

    protected override (TierProgram? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) => TierFileReader.Read(file, utf8);
}
