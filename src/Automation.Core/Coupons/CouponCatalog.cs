using Automation.Core.Customers;
using Automation.Core.Journeys;

namespace Automation.Core.Coupons;

/// <summary>The coupon campaigns in force (rules/coupons/*.json), each file's last good version.</summary>
public sealed class CouponCatalog(RuleLimits? limits = null) : LastGoodFolder<CouponCampaign>
{
    /// <summary>The campaigns in force, by name.</summary>
    public IReadOnlyList<CouponCampaign> Campaigns => Items;

    /// <summary>
    /// The parts of a customer snapshot the campaigns' <c>Eligible</c> conditions read: a step issuing a coupon
    /// evaluates its campaign's against the snapshot the step was evaluated with, so that snapshot holds them too.
    /// </summary>
    public SnapshotParts EligibleReads => Campaigns.Aggregate(SnapshotParts.Profile, (parts, campaign) => parts | (campaign.Eligible?.Reads ?? SnapshotParts.Profile));

    protected override (CouponCampaign? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) =>
        CouponFileReader.Read(file, utf8, limits ?? RuleLimits.Default);
}
