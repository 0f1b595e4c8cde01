using System.Globalization;
using System.Text.Json.Nodes;

namespace Automation.Core.Coupons;

/// <summary>
/// A request to give a customer a code of a campaign. <see cref="IssueKey"/> makes it idempotent: the same key returns
/// the code issued first. <see cref="Amount"/> overrides the campaign's amount off (a team member's share).
/// </summary>
public sealed record CouponIssueRequest(CouponCampaign Campaign, long CustomerId, string IssueKey, DateTimeOffset At, decimal? Amount = null)
{
    /// <summary>The value the code carries: the campaign's, or the campaign's currency with <see cref="Amount"/> off.</summary>
    public CouponValue Value => Amount is { } amount ? Campaign.Value with { Kind = CouponValueKind.AmountOff, Amount = amount } : Campaign.Value;
}

/// <summary>The outcome of a <see cref="CouponIssueRequest"/>: exactly one of a coupon and the reason there is none.</summary>
public sealed record CouponIssue(IssuedCoupon? Coupon, string? Refusal)
{
    public static CouponIssue Issued(IssuedCoupon coupon) => new(coupon, null);

    public static CouponIssue Refused(string reason) => new(null, reason);
}

/// <summary>A code a customer holds, with the value, minimum spend and expiry it was issued with.</summary>
public sealed record IssuedCoupon(string Campaign, string Code, CouponValue Value, decimal? MinimumSpend, DateTimeOffset IssuedAt, DateTimeOffset? ExpiresAt)
{
    /// <summary>
    /// The coupon as a message context carries it under <c>"Coupon"</c>, from which a template's <c>coupon.code</c>,
    /// <c>coupon.value</c> and <c>coupon.expires_at</c> are made in the customer's locale and zone.
    /// </summary>
    public JsonObject ToContext() => new()
    {
        [nameof(Campaign)] = Campaign,
        [nameof(Code)] = Code,
        ["Kind"] = Value.Kind.ToString(),
        ["Amount"] = Value.Amount,
        ["Currency"] = Value.Currency,
        [nameof(MinimumSpend)] = MinimumSpend,
        [nameof(IssuedAt)] = IssuedAt.ToString("O", CultureInfo.InvariantCulture),
        [nameof(ExpiresAt)] = ExpiresAt?.ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>Reads <see cref="ToContext"/>'s object back; null when the node is not one (a message queued before campaigns).</summary>
    public static IssuedCoupon? FromContext(JsonNode? node)
    {
        if (node is not JsonObject o || o[nameof(Code)] is not JsonValue code || o[nameof(Campaign)] is not JsonValue campaign) return null;
        var kind = Enum.TryParse<CouponValueKind>(o["Kind"]?.ToString(), out var k) ? k : CouponValueKind.AmountOff;
        return new IssuedCoupon(campaign.ToString(), code.ToString(),
            new CouponValue(kind, o["Amount"]?.GetValue<decimal>() ?? 0, o["Currency"]?.ToString()),
            o[nameof(MinimumSpend)]?.GetValue<decimal>(),
            Time(o[nameof(IssuedAt)]) ?? DateTimeOffset.MinValue, Time(o[nameof(ExpiresAt)]));
    }

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue v && DateTimeOffset.TryParse(v.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
