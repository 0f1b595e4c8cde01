using Automation.Core.Coupons;
using Automation.Core.Journeys;

namespace Automation.Core.Teams;

/// <summary>
/// The team campaigns of rules/teams/*.json, each file's last good version; reloaded with the rules folder, after the
/// coupon campaigns, whose names the files are checked against.
/// </summary>
public sealed class TeamCatalog(CouponCatalog coupons) : LastGoodFolder<TeamCampaign>
{
    /// <summary>The campaigns in force, by name.</summary>
    public IReadOnlyList<TeamCampaign> Campaigns => Items;

    protected override (TeamCampaign? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) =>
        TeamCampaignReader.Read(file, utf8, name => coupons.Find(name) is not null);
}
