namespace Automation.Core.Storage;

/// <summary>Where a redemption stands.</summary>
public static class RewardStatuses
{
    /// <summary>A gift waiting for the shop to ship it.</summary>
    public const string Pending = "pending";

    /// <summary>Shipped (a gift), or complete when made (a coupon issued, a donation recorded).</summary>
    public const string Fulfilled = "fulfilled";

    /// <summary>Undone: the points and the stock given back.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>
/// The rewards catalog's stock, per-customer limits and redemptions inside the caller's transaction; stock and limits
/// are each claimed in the statement that takes them, so concurrent redemptions on any node never pass them.
/// </summary>
public interface IRewardWrites
{
    /// <summary>The customer's redemption made with this request key, or null.</summary>
    Task<RewardRedemption?> FindRewardRedemptionAsync(long customerId, string requestKey, CancellationToken cancellationToken);

    /// <summary>The redemption with this id, or null.</summary>
    Task<RewardRedemption?> LoadRewardRedemptionAsync(long id, CancellationToken cancellationToken);

    /// <summary>Takes one of the item's <paramref name="stock"/>; false when all were taken.</summary>
    Task<bool> ClaimRewardStockAsync(string item, int stock, CancellationToken cancellationToken);

    /// <summary>Takes one of the customer's <paramref name="limit"/> redemptions of the item in <paramref name="period"/>; false when all were taken.</summary>
    Task<bool> ClaimRewardLimitAsync(long customerId, string item, string period, int limit, CancellationToken cancellationToken);

    /// <summary>Gives back one of the item's stock and one of the customer's redemptions of the period (a cancellation).</summary>
    Task ReleaseRewardAsync(long customerId, string item, string period, CancellationToken cancellationToken);

    /// <summary>Writes the redemption's row; returns its id. The (customer, request key) pair is unique.</summary>
    Task<long> InsertRewardRedemptionAsync(RewardRedemptionStart start, CancellationToken cancellationToken);

    /// <summary>Records the coupon a coupon item gave.</summary>
    Task SetRewardCouponAsync(long id, string couponCode, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the redemption from <paramref name="fromStatus"/> to <paramref name="toStatus"/>, with the tracking number when given;
    /// false when it was not in <paramref name="fromStatus"/> (another call moved it first).
    /// </summary>
    Task<bool> MoveRewardRedemptionAsync(long id, string fromStatus, string toStatus, string? tracking, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends an unredeemed coupon now (its expiry becomes <paramref name="at"/>); false when it was redeemed.</summary>
    Task<bool> VoidCouponAsync(string code, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>What a redemption records when it is made.</summary>
/// <param name="Period">The period of the item's per-customer limit the redemption counted in ("ever" without one).</param>
/// <param name="Status">Pending for a gift, fulfilled for the others.</param>
public sealed record RewardRedemptionStart(long CustomerId, string Item, string Kind, string RequestKey, int Points, decimal Value, string Period, string? Charity,
    string Status, DateTimeOffset RedeemedAt);

/// <summary>A redemption as recorded.</summary>
public sealed record RewardRedemption(long Id, RewardRedemptionStart Start, string Status, string? CouponCode, string? Tracking, DateTimeOffset? FulfilledAt,
    DateTimeOffset? CancelledAt);

/// <summary>The rewards' figures and redemptions, read outside any transaction for the API.</summary>
public interface IRewardQueries
{
    /// <summary>How many of each item have been redeemed and not cancelled (stock taken).</summary>
    Task<IReadOnlyDictionary<string, long>> RewardStockTakenAsync(CancellationToken cancellationToken);

    /// <summary>Redemptions, newest first, in <paramref name="status"/> when given, with ids below <paramref name="beforeId"/> when given.</summary>
    Task<IReadOnlyList<RewardRedemptionLine>> RewardRedemptionsAsync(string? status, long? beforeId, int limit, CancellationToken cancellationToken);
}

/// <summary>A redemption with the customer's id as the shop knows it (user id, else anonymous id).</summary>
public sealed record RewardRedemptionLine(string Customer, RewardRedemption Redemption);
