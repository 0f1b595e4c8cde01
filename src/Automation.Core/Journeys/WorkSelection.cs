namespace Automation.Core.Journeys;

/// <summary>
/// What the scheduler asks storage for one running journey's active instances
/// (<see cref="Storage.IJourneyStore.WorkCandidatesAsync"/>): those that may have something to do now. An instance of
/// version <paramref name="Hash"/> (or of no recorded version) has work when it entered at or before
/// <paramref name="EnteredBy"/> (past its max age), when the customer is inside <paramref name="Exit"/>, when a step it
/// has not taken has the customer inside its bound, or when it has taken every step; an instance of another version
/// always may.
/// </summary>
public sealed record WorkSelection(string Journey, string Hash, DateTimeOffset EnteredBy, AudienceBound? Exit, IReadOnlyList<(string Step, AudienceBound Bound)> Steps)
{
    /// <summary>The selection of a running journey's compiled version at <paramref name="now"/>.</summary>
    public static WorkSelection Of(CompiledJourney journey, DateTimeOffset now) =>
        new(journey.Definition.Name, journey.Definition.Hash, MaxAgeCut(journey.Definition.MaxAge, now), journey.Exit?.Bound(now),
            [.. journey.Steps.Select(s => (s.Step.Name, s.Rule.Bound(now)))]);

    /// <summary>Entered at or before this, an instance is past its max age now (a minute looser); the epoch for an age longer than that.</summary>
    private static DateTimeOffset MaxAgeCut(TimeSpan maxAge, DateTimeOffset now) =>
        maxAge < now - DateTimeOffset.UnixEpoch ? now - maxAge + TimeSpan.FromMinutes(1) : DateTimeOffset.UnixEpoch;
}
