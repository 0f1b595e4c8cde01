using System.CommandLine;
using System.Data.Common;
using Automation.Core.Storage;
using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Storage;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation coupons import --campaign NAME FILE.csv</c>: adds the shop's codes of a CSV file (one a line,
/// optional header <c>code</c>) to a campaign that imports its codes, as <c>POST /v1/coupons/{campaign}/codes</c>
/// does: all or none, codes already there left as they are and listed. Exit 1 on a bad file or campaign, each
/// problem printed as <c>file:line: reason</c>.
/// </summary>
internal static class CouponsCommand
{
    public static Command Create(TimeProvider clock)
    {
        var campaign = new Option<string>("--campaign") { Required = true, HelpName = "NAME", Description = "the campaign (rules/coupons/NAME.json), one with \"Codes\": { \"Import\": true }" };
        var file = new Argument<string>("FILE") { Description = "a CSV file: one code a line, optionally under a header 'code'" };
        var import = new Command("import", "Add the shop's codes of a CSV file to a coupon campaign that imports its codes.") { campaign, file }.ReadingSettings();
        import.SetAction((result, cancellation) => ImportAsync(ServerSettings.Arguments(result), result.GetRequiredValue(campaign), result.GetRequiredValue(file),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, clock, cancellation));
        return new Command("coupons", "Coupon campaigns: import the shop's codes.") { import };
    }

    private static async Task<int> ImportAsync(string[] settings, string campaignName, string file, TextWriter output, TextWriter errors, TimeProvider clock, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        var root = builder.Environment.ContentRootPath;
        using var files = JourneyFiles.From(builder.Configuration, root, new QuartzCronSchedule());
        var catalog = files.Coupons;
        var campaign = catalog.Find(campaignName);
        if (campaign is null || !campaign.Imported)
        {
            foreach (var problem in catalog.Problems.Where(p => Path.GetFileNameWithoutExtension(p.File) == campaignName))
                errors.WriteLine(problem with { File = Path.GetRelativePath(root, problem.File) });
            var rules = builder.Configuration.GetSection(RulesOptions.Section).Get<RulesOptions>() ?? new RulesOptions();
            errors.WriteLine(campaign is null
                ? $"error: --campaign: no campaign '{campaignName}' is in force ({Path.Combine(rules.Path, "coupons", campaignName + ".json")})"
                : $"error: --campaign: '{campaignName}' generates its codes; only a campaign with \"Codes\": {{ \"Import\": true }} takes the shop's codes");
            return 1;
        }

        var (codes, problems) = CouponCodeFile.Read(Path.GetFullPath(file), file);
        foreach (var problem in problems) errors.WriteLine(problem);
        if (problems.Count > 0)
        {
            errors.WriteLine($"error: nothing imported: fix the {problems.Count} problem(s) of {file} and run again.");
            return 1;
        }

        builder.Services.AddSingleton(clock);
        builder.Services.AddAutomationStorage();
        using var host = builder.Build();
        Core.Coupons.CouponImport result;
        try
        {
            result = await host.Services.GetRequiredService<ICouponStore>().ImportCodesAsync(campaign.Name, codes, clock.GetUtcNow(), cancellation);
        }
        catch (DbException e) when (!TransientFailures.IsTransient(e))
        {
            errors.WriteLine($"error: the codes cannot be stored ({e.Message}). Check Storage:ConnectionString, or run `automation migrate` first.");
            return 1;
        }
        // A file imported again lists nothing but the count; a code of another campaign is worth telling the shop about.
        var elsewhere = result.Existing.Where(e => e.Campaign != campaign.Name).ToList();
        output.WriteLine($"{result.Added} code(s) added to {campaign.Name}; {result.Existing.Count - elsewhere.Count} were in it already, {elsewhere.Count} in other campaigns (left there).");
        foreach (var existing in elsewhere) output.WriteLine($"  {existing.Code}: already in campaign {existing.Campaign}");
        return 0;
    }
}
