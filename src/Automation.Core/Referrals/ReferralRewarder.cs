using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Coupons;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Referrals;

/// <summary>
/// Pays referral rewards that came due: for each referred customer whose first order is older than the refund window,
/// once — the reward is keyed by the referred customer (the points' source key, the coupon's issue key) and the
/// settlement is claimed by the statement that marks it, so two nodes running this at once pay each reward once. An order refunded by then earns nothing (outcome <c>refunded</c>). A paid reward is recorded as a
/// <c>Referral Rewarded</c> event on the referrer (properties <c>referred</c>, <c>order_id</c>, <c>points</c> or
/// <c>coupon_code</c>), which journeys can trigger on.
/// </summary>
public sealed class ReferralRewarder(IIngestionStore store, ReferralCatalog catalog, CouponCatalog coupons, JourneyEngine journeys, Points.PointsSettings points, TimeProvider clock,
    Tiers.TierCatalog tiers)
{
    public const string ReferralRewarded = "Referral Rewarded";
    public const int PageSize = 100;

    /// <summary>Pays what is due now; returns how many referrals this call settled (another node may settle some).</summary>
    public async Task<int> PayDueAsync(CancellationToken ct)
    {
        if (catalog.Program is not { } program) return 0;
        var settled = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            await using var tx = await store.BeginAsync(ct);
            var due = await tx.DueReferralsAsync(now.AddDays(-program.RefundWindowDays), PageSize, ct);
            if (due.Count == 0) return settled;
            var events = new List<(InboundMessage Message, long CustomerId)>();
            foreach (var referral in due)
            {
                var properties = new JsonObject { ["referred_customer"] = referral.ReferredId, ["order_id"] = referral.OrderId };
                var outcome = referral.Refunded ? "refunded" : await RewardAsync(tx, program, referral, now, properties, ct);
                // The claim: a referral another node settled meanwhile was paid there (the keys above made this payment nothing).
                if (!await tx.SettleReferralAsync(referral.ReferredId, outcome, now, ct)) continue;
                settled++;
                if (outcome == "rewarded")
                    events.Add((DerivedEvents.Create(referral.ReferrerId, ReferralRewarded, "referral-rewarded", referral.ReferredId.ToString(CultureInfo.InvariantCulture), properties, now), referral.ReferrerId));
            }
            await DerivedEvents.StoreAsync(tx, events, ct);
            await journeys.OnEventsAsync(tx, events, now, ct);
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>Gives the referrer the program's reward, keyed by the referred customer so it is given once; returns the outcome.</summary>
    private async Task<string> RewardAsync(IIngestTransaction tx, ReferralProgram program, DueReferral referral, DateTimeOffset now, JsonObject properties, CancellationToken ct)
    {
        var key = $"referral:{referral.ReferredId.ToString(CultureInfo.InvariantCulture)}";
        if (program.RewardPoints is { } reward)
        {
            await tx.AddPointsAsync(referral.ReferrerId, reward, Points.PointsKinds.Award, $"referral: first order {referral.OrderId}", key, now, now.AddMonths(points.ExpiryMonths), ct);
            properties["points"] = reward;
            return "rewarded";
        }
        var issue = coupons.Find(program.RewardCoupon!) is { } campaign
            ? await CouponEligibility.IssueAsync(tx, new CouponIssueRequest(campaign, referral.ReferrerId, key, now), tiers.Program, ct)
            : CouponIssue.Refused($"there is no coupon campaign '{program.RewardCoupon}' in rules/coupons/");
        if (issue.Coupon is not { } coupon) return $"not rewarded: {issue.Refusal}";
        properties["coupon_code"] = coupon.Code;
        properties["coupon_expires_at"] = coupon.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture);
        return "rewarded";
    }
}
