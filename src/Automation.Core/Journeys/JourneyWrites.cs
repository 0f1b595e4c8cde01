using System.Text.Json.Nodes;

namespace Automation.Core.Journeys;

/// <summary>An entry to make: the instance it starts unless this entry was already made or one is active.</summary>
public sealed record JourneyEntry(long CustomerId, string Journey, string EntryKey, DateTimeOffset EnteredAt, JsonObject? TriggerEvent, string? JourneyHash = null);

/// <summary>A step that fired for an instance at a time.</summary>
public sealed record FiredStep(long InstanceId, string Step, string Action, DateTimeOffset At);

/// <summary>An instance's end, applied only while it is still active.</summary>
public sealed record InstanceEnd(long InstanceId, JourneyEnd End, string Reason, DateTimeOffset At);
