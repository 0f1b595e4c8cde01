using System.CommandLine;
using Automation.Core.Draws;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Tags;
using Automation.Core.Teams;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Automation.Server.Jobs;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation validate [--rules DIR] [--templates DIR]</c>: checks every journey file and renders every template
/// its steps send against a sample customer; prints one line per problem (<c>file:line rule: reason</c>) and exits 1
/// when there is any.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Check every journey, coupon campaign, team campaign, referral, rewards, tag, tier, draw, pre-sale, segment and template file; print file:line: reason for each problem.").ReadingSettings();
        command.SetAction(result => Run(ServerSettings.Arguments(result), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string[] settings, TextWriter output, TextWriter errors)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        var root = builder.Environment.ContentRootPath;
        using var folders = JourneyFiles.From(builder.Configuration, root, new QuartzCronSchedule());
        if (!Directory.Exists(folders.RulesFolder.Root))
        {
            errors.WriteLine($"{Path.GetRelativePath(root, folders.RulesFolder.Root)}: the rules folder does not exist");
            return 1;
        }
        var segments = folders.Segments;
        var problems = folders.Coupons.Problems.Concat(segments.Problems).ToList();
        var files = JourneyDirectory.Load(folders.RulesFolder, folders.ReadOptions);
        problems.AddRange(files.SelectMany(f => f.Problems));
        problems.AddRange(new TagCatalog(folders.ReadOptions.Limits).Reload(folders.RulesFolder, JourneyFiles.TagsName));
        var tiers = new TierCatalog();
        problems.AddRange(tiers.Reload(folders.RulesFolder, JourneyFiles.TiersName));
        var draws = new DrawCatalog();
        problems.AddRange(draws.Reload(folders.RulesFolder, JourneyFiles.DrawsName, DrawContext.Of(tiers, folders.Coupons)));
        var presales = new Core.Presales.PresaleCatalog();
        problems.AddRange(presales.Reload(folders.RulesFolder, JourneyFiles.PresalesName, tiers.Program?.Tiers.Select(t => t.Name).ToList()));
        problems.AddRange(new Core.Referrals.ReferralCatalog(folders.Coupons).Reload(folders.RulesFolder, JourneyFiles.ReferralsName));
        problems.AddRange(new Core.Rewards.RewardCatalog(folders.Coupons, tiers).Reload(folders.RulesFolder, JourneyFiles.RewardsName));
        var teams = new TeamCatalog(folders.Coupons);
        problems.AddRange(teams.Reload(folders.RulesFolder, JourneyFiles.TeamsName));
        problems.AddRange(files.Where(f => f.Journey is not null).SelectMany(f => f.Journey!.Steps
            .Where(s => s.Action is OpenTeamAction open && teams.Find(open.Campaign) is null)
            .Select(s => new JourneyProblem(f.File, 1, s.Name, $"OpenTeam: no team campaign '{((OpenTeamAction)s.Action).Campaign}' in rules/teams/"))));
        foreach (var problem in problems)
            errors.WriteLine(problem with { File = Path.GetRelativePath(root, problem.File) });

        var smsProvider = Automation.Channels.SmsProviders.TemplateBased(builder.Configuration);
        var templateProblems = TemplateCheck.Check(folders.CreateTemplates(), files.Where(f => f.Journey is not null).Select(f => f.Journey!), TimeProvider.System.GetUtcNow(), tiers.Program, smsProvider);
        foreach (var problem in templateProblems)
            errors.WriteLine($"{Path.GetRelativePath(root, problem.File)}:{problem.Line}: {problem.Reason}");
        if (problems.Count > 0 || templateProblems.Count > 0) return 1;

        output.WriteLine($"{files.Count} journey(s) and {folders.Coupons.Campaigns.Count} coupon campaign(s) valid in {Path.GetRelativePath(root, folders.RulesFolder.Root)}; their templates render.");
        if (presales.Sales.Count > 0) output.WriteLine($"{presales.Sales.Count} pre-sale(s) valid in {Path.GetRelativePath(root, folders.RulesFolder.PathOf(JourneyFiles.PresalesName))}.");
        if (segments.Segments.Count > 0) output.WriteLine($"{segments.Segments.Count} segment(s) valid in {Path.GetRelativePath(root, folders.RulesFolder.PathOf(Core.Segments.SegmentCatalog.FolderName))}.");
        if (draws.Draws.Count > 0) output.WriteLine($"{draws.Draws.Count} draw(s) valid in {Path.GetRelativePath(root, folders.RulesFolder.PathOf(JourneyFiles.DrawsName))}.");
        return 0;
    }
}
