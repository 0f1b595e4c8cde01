using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Coupons;
using Automation.Core.Ingestion;
using Automation.Core.Points;
using Automation.Core.Storage;

namespace Automation.Core.Rewards;

/// <summary>Why a redemption, cancellation or fulfilment was refused.</summary>
public enum RewardRefusalReason
{
    Disabled,
    TierNotAllowed,
    NotEnoughPoints,
    OutOfStock,
    LimitReached,
    CouponUnavailable,
    KeyUsedForAnotherItem,
    NotFound,
    CouponUsed,
    AlreadyFulfilled,
    AlreadyCancelled,
    NotAGift,
}

/// <summary>A refusal, with a sentence that says why.</summary>
public sealed record RewardRefusal(RewardRefusalReason Reason, string Detail);

/// <summary>
/// The answer to a redemption, cancellation or fulfilment: the redemption (as it stands after the call) or why not, the
/// customer's balance, whether an earlier call already did it, and the customer events to store and run journeys on.
/// </summary>
public sealed record RewardResult(RewardRedemption? Redemption, bool Replayed, RewardRefusal? Refusal, long Balance,
    IReadOnlyList<(InboundMessage Message, long CustomerId)> Events)
{
    public static RewardResult Refused(RewardRefusalReason reason, string detail, long balance = 0) => new(null, false, new RewardRefusal(reason, detail), balance, []);
}

/// <summary>
/// Redeems catalog items for points, and cancels and fulfils redemptions, in the caller's transaction under a lock on
/// the customer. A refusal must be rolled back (stock or the customer's limit may have been claimed before it), a
/// result committed whole: points are never spent without the redemption recorded, nor an item given without its points.
/// </summary>
public sealed class RewardRedemptions(CouponCatalog coupons, PointsSettings points, Tiers.TierCatalog tiers)
{
    /// <summary>The customer event each redemption stores, which journeys can trigger on.</summary>
    public const string RewardRedeemed = "Reward Redeemed";

    /// <summary>The customer event a cancellation stores.</summary>
    public const string RewardCancelled = "Reward Cancelled";

    public async Task<RewardResult> RedeemAsync(IJourneyTransaction tx, RewardItem item, long customerId, string requestKey, DateTimeOffset now, CancellationToken ct)
    {
        // Concurrent redemptions of one customer (the same key among them) take turns from here, so the balance read
        // below holds until commit and a repeated key finds what the first one recorded.
        await tx.LockCustomersAsync([customerId], ct);
        var balance = PointsExpiry.Balance(await tx.LoadPointsAsync(customerId, ct), now);
        if (await tx.FindRewardRedemptionAsync(customerId, requestKey, ct) is { } earlier)
            return earlier.Start.Item == item.Name
                ? new RewardResult(earlier, Replayed: true, null, balance, [])
                : RewardResult.Refused(RewardRefusalReason.KeyUsedForAnotherItem, $"the request key was used to redeem {earlier.Start.Item}", balance);

        if (!item.Enabled) return RewardResult.Refused(RewardRefusalReason.Disabled, $"{item.Name} is not offered at the moment (Enabled is false)", balance);
        var tier = (await tx.LoadTiersAsync([customerId], ct)).GetValueOrDefault(customerId)?.Tier;
        if (!item.Admits(tier))
            return RewardResult.Refused(RewardRefusalReason.TierNotAllowed, $"{item.Name} is for the tiers {string.Join(", ", item.Tiers)}; the customer holds {tier ?? "no tier"}", balance);
        if (balance < item.Points)
            return RewardResult.Refused(RewardRefusalReason.NotEnoughPoints, $"{item.Name} costs {item.Points} points; the balance is {balance}", balance);
        // Judged before anything is claimed or spent: a condition on points sees the balance the customer asked with.
        var campaign = item.Kind == RewardKind.Coupon ? coupons.Find(item.Campaign!) : null;
        if (campaign is not null && await CouponEligibility.RefusalAsync(tx, campaign, customerId, now, tiers.Program, ct) is { } ineligible)
            return RewardResult.Refused(RewardRefusalReason.CouponUnavailable, $"{item.Name} cannot issue its coupon: {ineligible}", balance);
        if (!await tx.ClaimRewardStockAsync(item.Name, item.Stock ?? int.MaxValue, ct))
            return RewardResult.Refused(RewardRefusalReason.OutOfStock, $"all {item.Stock} of {item.Name} have been redeemed", balance);
        var period = item.PeriodAt(now);
        if (item.PerCustomer is { } limit && !await tx.ClaimRewardLimitAsync(customerId, item.Name, period, limit, ct))
            return RewardResult.Refused(RewardRefusalReason.LimitReached, $"the customer has redeemed {item.Name} {limit} time(s) ({period}), the limit", balance);

        var status = item.Kind == RewardKind.Gift ? RewardStatuses.Pending : RewardStatuses.Fulfilled;
        var start = new RewardRedemptionStart(customerId, item.Name, RewardKinds.Text(item.Kind), requestKey, item.Points, item.Value, period, item.Charity, status, now);
        var id = await tx.InsertRewardRedemptionAsync(start, ct);
        await tx.AddPointsAsync(customerId, -item.Points, PointsKinds.Redeem, $"reward {item.Name}", SpendKey(id), now, null, ct);
        string? code = null;
        if (item.Kind == RewardKind.Coupon)
        {
            var issue = campaign is not null
                ? await tx.IssueCouponAsync(new CouponIssueRequest(campaign, customerId, SpendKey(id), now), ct)
                : CouponIssue.Refused($"there is no coupon campaign '{item.Campaign}' in rules/coupons/");
            if (issue.Coupon is not { } coupon) return RewardResult.Refused(RewardRefusalReason.CouponUnavailable, $"{item.Name} cannot issue its coupon: {issue.Refusal}", balance);
            code = coupon.Code;
            await tx.SetRewardCouponAsync(id, code, ct);
        }
        var redemption = new RewardRedemption(id, start, status, code, null, status == RewardStatuses.Fulfilled ? now : null, null);
        (InboundMessage, long)[] events = [Event(RewardRedeemed, "reward-redeemed", redemption, Properties(redemption, item.Title), now)];
        await DerivedEvents.StoreAsync(tx, events, ct);
        return new RewardResult(redemption, Replayed: false, null, balance - item.Points, events);
    }

    /// <summary>
    /// Undoes a redemption once: the points come back (lasting a full <see cref="PointsSettings.ExpiryMonths"/>), and the
    /// stock and the customer's limit. A coupon item's coupon ends now unless it was used (then: refused); a shipped gift
    /// cannot be cancelled.
    /// </summary>
    public async Task<RewardResult> CancelAsync(IJourneyTransaction tx, long redemptionId, DateTimeOffset now, CancellationToken ct)
    {
        if (await tx.LoadRewardRedemptionAsync(redemptionId, ct) is not { } found) return NotFound(redemptionId);
        var customerId = found.Start.CustomerId;
        await tx.LockCustomersAsync([customerId], ct);
        var redemption = (await tx.LoadRewardRedemptionAsync(redemptionId, ct))!;
        var balance = PointsExpiry.Balance(await tx.LoadPointsAsync(customerId, ct), now);
        if (redemption.Status == RewardStatuses.Cancelled) return new RewardResult(redemption, Replayed: true, null, balance, []);
        if (redemption.Start.Kind == RewardKinds.Text(RewardKind.Gift) && redemption.Status == RewardStatuses.Fulfilled)
            return RewardResult.Refused(RewardRefusalReason.AlreadyFulfilled, $"redemption {redemptionId} was shipped (tracking {redemption.Tracking ?? "none"}); it cannot be cancelled", balance);
        if (redemption.CouponCode is { } code && !await tx.VoidCouponAsync(code, now, ct))
            return RewardResult.Refused(RewardRefusalReason.CouponUsed, $"the coupon {code} of redemption {redemptionId} was used on an order; it cannot be cancelled", balance);
        if (!await tx.MoveRewardRedemptionAsync(redemptionId, redemption.Status, RewardStatuses.Cancelled, null, now, ct))
            return RewardResult.Refused(RewardRefusalReason.AlreadyCancelled, $"redemption {redemptionId} changed meanwhile; ask again", balance);
        await tx.AddPointsAsync(customerId, redemption.Start.Points, PointsKinds.Restore, $"cancelled: reward {redemption.Start.Item}", $"reward-cancel:{redemptionId}", now,
            SaturatingCalendar.AddMonths(now, points.ExpiryMonths), ct);
        await tx.ReleaseRewardAsync(customerId, redemption.Start.Item, redemption.Start.Period, ct);
        var cancelled = redemption with { Status = RewardStatuses.Cancelled, CancelledAt = now };
        (InboundMessage, long)[] events = [Event(RewardCancelled, "reward-cancelled", cancelled, Properties(cancelled, null), now)];
        await DerivedEvents.StoreAsync(tx, events, ct);
        return new RewardResult(cancelled, Replayed: false, null, balance + redemption.Start.Points, events);
    }

    /// <summary>Marks a gift shipped, with its tracking number when given; a second call answers as the first did.</summary>
    public static async Task<RewardResult> FulfilAsync(IJourneyTransaction tx, long redemptionId, string? tracking, DateTimeOffset now, CancellationToken ct)
    {
        if (await tx.LoadRewardRedemptionAsync(redemptionId, ct) is not { } redemption) return NotFound(redemptionId);
        if (redemption.Start.Kind != RewardKinds.Text(RewardKind.Gift))
            return RewardResult.Refused(RewardRefusalReason.NotAGift, $"redemption {redemptionId} is a {redemption.Start.Kind}, complete when made; only gifts are fulfilled");
        if (await tx.MoveRewardRedemptionAsync(redemptionId, RewardStatuses.Pending, RewardStatuses.Fulfilled, tracking, now, ct))
            return new RewardResult(redemption with { Status = RewardStatuses.Fulfilled, Tracking = tracking, FulfilledAt = now }, Replayed: false, null, 0, []);
        var current = (await tx.LoadRewardRedemptionAsync(redemptionId, ct))!;
        return current.Status == RewardStatuses.Fulfilled
            ? new RewardResult(current, Replayed: true, null, 0, [])
            : RewardResult.Refused(RewardRefusalReason.AlreadyCancelled, $"redemption {redemptionId} was cancelled; there is nothing to ship");
    }

    /// <summary>The fields a <c>Reward Redeemed</c> event carries, which the fulfilment webhook's template sends to the shop.</summary>
    public static JsonObject Properties(RewardRedemption redemption, string? title) => new()
    {
        ["redemption_id"] = redemption.Id,
        ["item"] = redemption.Start.Item,
        ["title"] = title,
        ["kind"] = redemption.Start.Kind,
        ["points"] = redemption.Start.Points,
        ["value"] = redemption.Start.Value,
        ["status"] = redemption.Status,
        ["coupon_code"] = redemption.CouponCode,
        ["charity"] = redemption.Start.Charity,
        ["request_key"] = redemption.Start.RequestKey,
    };

    /// <summary>What <c>automation validate</c> renders a template of a reward journey with: every field a redemption event carries.</summary>
    public static JsonObject? SampleProperties(string eventName) => eventName is RewardRedeemed or RewardCancelled
        ? Properties(new RewardRedemption(1, new RewardRedemptionStart(1, "coupon-10", "coupon", "sample-key", 1000, 10m, "2026-01", "Sample Fund", RewardStatuses.Fulfilled,
            DateTimeOffset.UnixEpoch), RewardStatuses.Fulfilled, "MALL-SAMPLE", null, null, null), "10-yuan coupon")
        : null;

    private static (InboundMessage, long) Event(string name, string prefix, RewardRedemption redemption, JsonObject properties, DateTimeOffset now) =>
        (DerivedEvents.Create(redemption.Start.CustomerId, name, prefix, redemption.Id.ToString(CultureInfo.InvariantCulture), properties, now), redemption.Start.CustomerId);

    private static RewardResult NotFound(long id) => RewardResult.Refused(RewardRefusalReason.NotFound, $"there is no redemption {id}");

    private static string SpendKey(long id) => $"reward:{id.ToString(CultureInfo.InvariantCulture)}";
}
