namespace Automation.Core.Points;

/// <summary>A ledger entry to append; a source key already in the ledger adds nothing.</summary>
public sealed record PointsGrant(long CustomerId, int Points, string Kind, string Reason, string SourceKey, DateTimeOffset At, DateTimeOffset? ExpiresAt);
