using Automation.Core.Coupons;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Server.Configuration;

namespace Automation.Server.Hosting;

/// <summary>
/// Where the journey and template folders are, and what journey files are checked against: the coupon campaigns of
/// <see cref="Coupons"/> among them, read when this is made; reload them before the journeys.
/// </summary>
internal sealed record JourneyFiles(string RulesFolder, string TemplatesFolder, JourneyReadOptions ReadOptions, TemplatesOptions Templates, CouponCatalog Coupons)
{
    public static JourneyFiles From(IConfiguration configuration, string contentRoot, ICronSchedule cron)
    {
        var rules = configuration.GetSection(RulesOptions.Section).Get<RulesOptions>() ?? new RulesOptions();
        var templates = configuration.GetSection(TemplatesOptions.Section).Get<TemplatesOptions>() ?? new TemplatesOptions();
        var rulesFolder = Path.GetFullPath(Path.Combine(contentRoot, rules.Path));
        var templatesFolder = Path.GetFullPath(Path.Combine(contentRoot, templates.Path));
        var coupons = new CouponCatalog(rules.Limits);
        coupons.Reload(Path.Combine(rulesFolder, "coupons"));
        return new JourneyFiles(rulesFolder, templatesFolder,
            new JourneyReadOptions(JourneyReadOptions.DefaultChannels, JourneyDirectory.TemplatesIn(templatesFolder), cron.Problem, rules.Limits,
                campaign => coupons.Find(campaign) is not null),
            templates, coupons);
    }

    /// <summary>rules/coupons/: a coupon campaign a file.</summary>
    public string CouponsFolder => Path.Combine(RulesFolder, "coupons");

    /// <summary>rules/tags.json: the tag rules.</summary>
    public string TagsFile => Path.Combine(RulesFolder, "tags.json");

    /// <summary>rules/tiers.json: the membership tiers and spend bands.</summary>
    public string TiersFile => Path.Combine(RulesFolder, "tiers.json");

    /// <summary>rules/referrals.json: the referral program.</summary>
    public string ReferralsFile => Path.Combine(RulesFolder, "referrals.json");

    /// <summary>rules/teams/: one team-split coupon campaign per file.</summary>
    public string TeamsFolder => Path.Combine(RulesFolder, "teams");

    public LiquidTemplates CreateTemplates() => new(new TemplateFiles(TemplatesFolder, Templates.DefaultLocale));

    /// <summary>Changes whenever a file in either folder is added, removed, resized or saved.</summary>
    public string Signature()
    {
        var parts = new List<string>();
        foreach (var folder in new[] { RulesFolder, TemplatesFolder })
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                parts.Add($"{file}|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
            }
        }
        return string.Join('\n', parts);
    }
}
