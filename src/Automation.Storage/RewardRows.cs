using Automation.Core.Storage;

namespace Automation.Storage;

/// <summary>A row of <c>reward_redemptions</c> as Dapper reads it.</summary>
internal sealed class RewardRedemptionRow
{
    public const string Columns =
        "r.id, r.customer_id, r.item, r.kind, r.request_key, r.points, r.value, r.period, r.charity, r.status, r.coupon_code, r.tracking, r.redeemed_at, r.fulfilled_at, r.cancelled_at";

    public long Id { get; set; }
    public long CustomerId { get; set; }
    public string Item { get; set; } = "";
    public string Kind { get; set; } = "";
    public string RequestKey { get; set; } = "";
    public int Points { get; set; }
    public decimal Value { get; set; }
    public string Period { get; set; } = "";
    public string? Charity { get; set; }
    public string Status { get; set; } = "";
    public string? CouponCode { get; set; }
    public string? Tracking { get; set; }
    public DateTimeOffset RedeemedAt { get; set; }
    public DateTimeOffset? FulfilledAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>Only for the join that lists redemptions: the customer's id as the shop knows it.</summary>
    public string? Customer { get; set; }

    public RewardRedemption ToRedemption() => new(Id,
        new RewardRedemptionStart(CustomerId, Item, Kind, RequestKey, Points, Value, Period, Charity, Status, RedeemedAt),
        Status, CouponCode, Tracking, FulfilledAt, CancelledAt);
}
