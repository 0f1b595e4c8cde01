using Automation.Core.Coupons;
using Automation.Core.Draws;
using Automation.Core.Tiers;

namespace Automation.Server.Hosting;

/// <summary>What draw files are checked against as the server and <c>automation validate</c> read them: the tiers and coupon campaigns in force.</summary>
internal static class DrawContext
{
    public static DrawReadContext Of(TierCatalog tiers, CouponCatalog coupons) =>
        new(tiers.Program?.Tiers.Select(t => t.Name).ToList(), campaign => coupons.Find(campaign) is not null);
}
