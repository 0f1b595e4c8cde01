namespace Automation.Core.Coupons;

/// <summary>What became of a coupon an order named.</summary>
public enum CouponRedemptionOutcome
{
    /// <summary>The code was issued, unexpired and unused: it is now redeemed by this order.</summary>
    Redeemed,
    /// <summary>No code of a campaign has this text (a shop-wide code, a typo), or it was never issued.</summary>
    Unknown,
    /// <summary>The code had expired when the order was completed.</summary>
    Expired,
    /// <summary>Another order redeemed the code first.</summary>
    AlreadyRedeemed,
}

/// <summary>An <c>Order Completed</c> that named a coupon (the Segment e-commerce spec's <c>coupon</c> and <c>discount</c>).</summary>
public sealed record CouponRedemption(string OrderId, long CustomerId, string Code, decimal Total, decimal Discount, string? Currency, DateTimeOffset At);

/// <summary>The names stored for <see cref="CouponRedemptionOutcome"/>, and back.</summary>
public static class CouponRedemptionOutcomes
{
    public static string Text(CouponRedemptionOutcome outcome) => outcome switch
    {
        CouponRedemptionOutcome.Redeemed => "redeemed",
        CouponRedemptionOutcome.Unknown => "unknown",
        CouponRedemptionOutcome.Expired => "expired",
        CouponRedemptionOutcome.AlreadyRedeemed => "already_redeemed",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    public static CouponRedemptionOutcome Parse(string text) =>
        Enum.GetValues<CouponRedemptionOutcome>().First(o => Text(o) == text);
}
