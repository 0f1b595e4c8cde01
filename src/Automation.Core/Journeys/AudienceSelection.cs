namespace Automation.Core.Journeys;

/// <summary>
/// What the scheduler asks storage for one due audience (<see cref="Storage.IJourneyStore.AudienceCandidatesAsync"/>):
/// customers inside <paramref name="Bound"/> and <paramref name="Zone"/> who have not entered <paramref name="Journey"/>
/// after <paramref name="EnteredAfter"/> (at any time when null: it allows no re-entry).
/// </summary>
public sealed record AudienceSelection(AudienceBound Bound, string Zone, string Journey, DateTimeOffset? EnteredAfter);
