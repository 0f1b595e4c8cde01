using Automation.Core.Journeys;

namespace Automation.Core.Coupons;

/// <summary>The coupon campaigns in force (rules/coupons/*.json), each file's last good version.</summary>
public sealed class CouponCatalog(RuleLimits? limits = null) : LastGoodFolder<CouponCampaign>
{
    /// <summary>The campaigns in force, by name.</summary>
    public IReadOnlyList<CouponCampaign> Campaigns => Items;

    protected override (CouponCampaign? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) =>
        CouponFileReader.Read(file, utf8, limits ?? RuleLimits.Default);
}
