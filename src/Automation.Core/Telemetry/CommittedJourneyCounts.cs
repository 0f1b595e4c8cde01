using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Telemetry;

/// <summary>
/// The journey entries, steps and ends of one engine call, added to the metrics once its transaction commits: a
/// transaction that rolls back (a deadlock retried, a failed group) counts nothing.
/// </summary>
internal sealed class CommittedJourneyCounts
{
    private readonly Dictionary<string, int> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Journey, JourneyEnd End), int> _ends = [];

    public CommittedJourneyCounts(IJourneyTransaction tx) => tx.OnCommitted(Publish);

    public void Entered(string journey) => Increment(_entries, journey);

    public void Stepped(string journey) => Increment(_steps, journey);

    public void Ended(string journey, JourneyEnd end) => Increment(_ends, (journey, end));

    private void Publish()
    {
        foreach (var (journey, count) in _entries) AutomationMetrics.JourneyEntries.Add(count, AutomationMetrics.Tags("automation.journey", journey));
        foreach (var (journey, count) in _steps) AutomationMetrics.JourneySteps.Add(count, AutomationMetrics.Tags("automation.journey", journey));
        foreach (var ((journey, end), count) in _ends)
            AutomationMetrics.JourneyExits.Add(count, AutomationMetrics.Tags("automation.journey", journey, "automation.journey.end", end == JourneyEnd.Completed ? "completed" : "exited"));
    }

    private static void Increment<TKey>(Dictionary<TKey, int> counts, TKey key) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}
