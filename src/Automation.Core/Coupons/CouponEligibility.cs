using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Coupons;

/// <summary>
/// A campaign's <c>Eligible</c> condition, judged wherever one of its codes is handed out: a customer it does not
/// admit gets no code, whether a journey step, a draw's prize, a points reward, a team or a referral asks for it.
/// Outside journeys it is judged on the customer as they are (no journey, no event: <c>journey</c> and <c>event</c>
/// facts are empty), reading only the parts the condition reads.
/// </summary>
public static class CouponEligibility
{
    /// <summary>The refusal of a customer the condition does not admit.</summary>
    public const string NotEligible = "the customer is not eligible (Eligible does not hold)";

    /// <summary>Null when the campaign admits the customer these facts describe (or has no condition), else <see cref="NotEligible"/>.</summary>
    public static string? Refusal(CouponCampaign campaign, Facts facts, DateTimeOffset now) =>
        campaign.Eligible is { } eligible && !eligible.Evaluate(facts, now).Holds ? NotEligible : null;

    /// <summary>
    /// <see cref="Refusal"/> for the customer as they are, outside any journey: reads only the parts the condition reads.
    /// </summary>
    public static async Task<string?> RefusalAsync(ICustomerSnapshots tx, CouponCampaign campaign, long customerId, DateTimeOffset now, Tiers.TierProgram? tiers,
        CancellationToken ct)
    {
        if (campaign.Eligible is not { } eligible) return null;
        var snapshot = (await tx.LoadSnapshotsAsync([customerId], eligible.Reads, ct))[0];
        return Refusal(campaign, FactsBuilder.Facts(snapshot, null, FactsBuilder.Event(null, null), now, tiers), now);
    }

    /// <summary>Issues the request's code when its campaign admits the customer; refused with <see cref="NotEligible"/> otherwise.</summary>
    public static async Task<CouponIssue> IssueAsync(IJourneyTransaction tx, CouponIssueRequest request, Tiers.TierProgram? tiers, CancellationToken ct) =>
        await RefusalAsync(tx, request.Campaign, request.CustomerId, request.At, tiers, ct) is { } refusal
            ? CouponIssue.Refused(refusal)
            : await tx.IssueCouponAsync(request, ct);
}
