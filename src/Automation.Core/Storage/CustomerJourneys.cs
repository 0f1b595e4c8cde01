using Automation.Core.Journeys;

namespace Automation.Core.Storage;

/// <summary>Customers' active journey instances, and when each of them last entered each journey, whatever became of that instance.</summary>
public sealed record CustomerJourneys(IReadOnlyList<JourneyInstance> Active, IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset> LastEntries);
