namespace Automation.Core.Storage;

/// <summary>
/// Pre-sale announcements inside the caller's transaction. Each customer is announced a sale once: the (sale,
/// customer) pair is a unique key claimed by the statement that records it, so nodes announcing the same wave at
/// once split its customers between them instead of both telling them.
/// </summary>
public interface IPresaleWrites
{
    /// <summary>
    /// The id of the last customer of the next page of a wave's audience: up to <paramref name="limit"/> customers after
    /// <paramref name="afterCustomerId"/> in id order, holding <paramref name="tier"/> (null: every customer); null when none is left.
    /// </summary>
    Task<long?> PresalePageEndAsync(string? tier, long afterCustomerId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records, in one statement, the announcement of the sale to each customer of the page not announced it before,
    /// by this node or another; returns those customers with the tier they hold.
    /// </summary>
    Task<IReadOnlyList<PresaleAnnouncement>> ClaimPresaleAnnouncementsAsync(PresaleClaim claim, CancellationToken cancellationToken);

    /// <summary>Whether a wave opening at <paramref name="opensAt"/> was announced to its whole audience already.</summary>
    Task<bool> PresaleWaveDoneAsync(string sale, string wave, DateTimeOffset opensAt, CancellationToken cancellationToken);

    /// <summary>Notes the wave as announced to its whole audience (a second note changes nothing).</summary>
    Task CompletePresaleWaveAsync(string sale, string wave, DateTimeOffset opensAt, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>
/// The page of a wave's audience to claim: customers with ids in (<paramref name="AfterCustomerId"/>,
/// <paramref name="ThroughCustomerId"/>] holding <paramref name="Tier"/> (null: every customer).
/// </summary>
public sealed record PresaleClaim(string Sale, string Wave, string? Tier, long AfterCustomerId, long ThroughCustomerId, DateTimeOffset At);

/// <summary>A customer the sale was announced to by this claim, and the tier they held (null: none).</summary>
public sealed record PresaleAnnouncement(long CustomerId, string? Tier);
