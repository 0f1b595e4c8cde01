using Automation.Core.Draws;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Presales;
using Automation.Core.Referrals;
using Automation.Core.Rewards;
using Automation.Core.Tags;
using Automation.Core.Teams;
using Automation.Core.Tiers;
using Automation.Server.Hosting;

namespace Automation.Server.Tools;

/// <summary>
/// What <see cref="ContentCheck"/> found: the rule files' problems (file:line rule: reason), the templates' (file:line:
/// reason), and how many of each kind of content were read.
/// </summary>
internal sealed record ContentCheckResult(IReadOnlyList<JourneyProblem> FileProblems, IReadOnlyList<TemplateException> TemplateProblems,
    int Journeys, int CouponCampaigns, int Presales, int Segments, int Draws)
{
    public bool Valid => FileProblems.Count == 0 && TemplateProblems.Count == 0;
}

/// <summary>
/// Checks every journey, coupon, team, referral, rewards, tag, tier, draw, pre-sale and segment file of a rules folder
/// and renders every template its journeys send against a sample customer: what <c>automation validate</c> checks,
/// and what the console editor checks a draft with (the published folders with the draft in place of its file).
/// </summary>
internal static class ContentCheck
{
    /// <param name="smsProvider">A template-based SMS provider: every SMS template must name its template code.</param>
    public static ContentCheckResult Run(JourneyFiles folders, string? smsProvider, DateTimeOffset now)
    {
        var rules = folders.RulesFolder;
        var problems = folders.Coupons.Problems.Concat(folders.Segments.Problems).ToList();
        var files = JourneyDirectory.Load(rules, folders.ReadOptions);
        problems.AddRange(files.SelectMany(f => f.Problems));
        problems.AddRange(new TagCatalog(folders.ReadOptions.Limits).Reload(rules, JourneyFiles.TagsName));
        var tiers = new TierCatalog();
        problems.AddRange(tiers.Reload(rules, JourneyFiles.TiersName));
        var draws = new DrawCatalog();
        problems.AddRange(draws.Reload(rules, JourneyFiles.DrawsName, DrawContext.Of(tiers, folders.Coupons)));
        var presales = new PresaleCatalog();
        problems.AddRange(presales.Reload(rules, JourneyFiles.PresalesName, tiers.Program?.Tiers.Select(t => t.Name).ToList()));
        problems.AddRange(new ReferralCatalog(folders.Coupons).Reload(rules, JourneyFiles.ReferralsName));
        problems.AddRange(new RewardCatalog(folders.Coupons, tiers).Reload(rules, JourneyFiles.RewardsName));
        var teams = new TeamCatalog(folders.Coupons);
        problems.AddRange(teams.Reload(rules, JourneyFiles.TeamsName));
        problems.AddRange(files.Where(f => f.Journey is not null).SelectMany(f => f.Journey!.Steps
            .Where(s => s.Action is OpenTeamAction open && teams.Find(open.Campaign) is null)
            .Select(s => new JourneyProblem(f.File, 1, s.Name, $"OpenTeam: no team campaign '{((OpenTeamAction)s.Action).Campaign}' in rules/teams/"))));

        var journeys = files.Where(f => f.Journey is not null).Select(f => f.Journey!);
        var templateProblems = TemplateCheck.Check(folders.CreateTemplates(), journeys, now, tiers.Program, smsProvider);
        return new ContentCheckResult(problems, templateProblems, files.Count, folders.Coupons.Campaigns.Count, presales.Sales.Count,
            folders.Segments.Segments.Count, draws.Draws.Count);
    }
}
