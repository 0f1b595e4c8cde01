namespace Automation.Core.Storage;

/// <summary>Computes RFM quintiles over all customers, in the database.</summary>
public interface IRfmStore
{
    /// <summary>
    /// Scores every customer who ordered 1–5 on recency (last order), frequency (order count) and monetary value
    /// (spend over the 365 days before <paramref name="now"/>), 5 best; returns how many were scored.
    /// </summary>
    Task<int> ComputeRfmAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
