using Automation.Core.Segments;
using Automation.Core;
using Automation.Core.Coupons;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Server.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Automation.Server.Hosting;

/// <summary>
/// The journey and template folders on disk, and what journey files are checked against: the coupon campaigns of
/// <see cref="Coupons"/> among them, read when this is made; reload them before the journeys.
/// </summary>
internal sealed record JourneyFiles(ContentFolder RulesFolder, ContentFolder TemplatesFolder, JourneyReadOptions ReadOptions, TemplatesOptions Templates,
    CouponCatalog Coupons, SegmentCatalog Segments) : IDisposable
{
    /// <summary>The folders <c>Rules:Path</c> and <c>Templates:Path</c> name: on disk, or served from <paramref name="published"/> under those names.</summary>
    public static JourneyFiles From(IConfiguration configuration, string contentRoot, ICronSchedule cron, PublishedContent? published = null)
    {
        var rules = configuration.GetSection(RulesOptions.Section).Get<RulesOptions>() ?? new RulesOptions();
        var templates = configuration.GetSection(TemplatesOptions.Section).Get<TemplatesOptions>() ?? new TemplatesOptions();
        var rulesPath = Path.GetFullPath(Path.Combine(contentRoot, rules.Path));
        var templatesPath = Path.GetFullPath(Path.Combine(contentRoot, templates.Path));
        var rulesFolder = published is null ? DiskFolderProvider.Open(rulesPath, rules.PollForChanges) : new ContentFolder(published.Folder(ContentSet.Rules), rulesPath);
        var templatesFolder = published is null ? DiskFolderProvider.Open(templatesPath, rules.PollForChanges) : new ContentFolder(published.Folder(ContentSet.Templates), templatesPath);
        var coupons = new CouponCatalog(rules.Limits);
        coupons.Reload(rulesFolder, CouponsName);
        var segments = new SegmentCatalog();
        segments.Reload(rulesFolder, SegmentCatalog.FolderName);
        return new JourneyFiles(rulesFolder, templatesFolder,
            new JourneyReadOptions(JourneyReadOptions.DefaultChannels, JourneyDirectory.TemplatesIn(templatesFolder), cron.Problem, rules.Limits,
                campaign => coupons.Find(campaign) is not null, segment => segments.Find(segment)?.Expression),
            templates, coupons, segments);
    }

    /// <summary>rules/coupons/: a coupon campaign a file.</summary>
    public const string CouponsName = "coupons";

    /// <summary>rules/tags.json: the tag rules.</summary>
    public const string TagsName = "tags.json";

    /// <summary>rules/tiers.json: the membership tiers and spend bands.</summary>
    public const string TiersName = "tiers.json";

    public string TiersFile => RulesFolder.PathOf(TiersName);

    /// <summary>rules/draws/: one points lucky draw per file.</summary>
    public const string DrawsName = "draws";

    /// <summary>rules/rewards.json: the rewards catalog (积分商城).</summary>
    public const string RewardsName = "rewards.json";

    /// <summary>rules/referrals.json: the referral program.</summary>
    public const string ReferralsName = "referrals.json";

    /// <summary>rules/presales.json: the pre-sales and their early access by tier.</summary>
    public const string PresalesName = "presales.json";

    public string PresalesFile => RulesFolder.PathOf(PresalesName);

    /// <summary>rules/teams/: one team-split coupon campaign per file.</summary>
    public const string TeamsName = "teams";

    /// <summary>
    /// These folders with <paramref name="file"/> (a path in one of them) read as <paramref name="content"/>, and the
    /// coupon campaigns and segments read again from them: what the files would be once the draft is published.
    /// </summary>
    public JourneyFiles WithDraft(string file, string content, DateTimeOffset modified) =>
        With(Content().With(ContentPathOf(file), System.Text.Encoding.UTF8.GetBytes(content)), modified);

    /// <summary>
    /// Folders holding <paramref name="content"/> in memory, named as these are, with the coupon campaigns and segments
    /// read from them: what validation, preview and simulation read for a draft or a version about to be published.
    /// </summary>
    public JourneyFiles With(ContentSet content, DateTimeOffset modified)
    {
        var rules = new ContentFolder(new SnapshotFileProvider(content.Under(ContentSet.Rules), modified), RulesFolder.Root);
        var templates = new ContentFolder(new SnapshotFileProvider(content.Under(ContentSet.Templates), modified), TemplatesFolder.Root);
        var coupons = new CouponCatalog(ReadOptions.Limits);
        coupons.Reload(rules, CouponsName);
        var segments = new SegmentCatalog();
        segments.Reload(rules, SegmentCatalog.FolderName);
        return new JourneyFiles(rules, templates, ReadOptions with
        {
            TemplateExists = JourneyDirectory.TemplatesIn(templates),
            CouponCampaignExists = campaign => coupons.Find(campaign) is not null,
            SegmentExpression = segment => segments.Find(segment)?.Expression,
        }, Templates, coupons, segments);
    }

    /// <summary>Every file of the two folders as they are now.</summary>
    public ContentSet Content() => ContentSet.Read(RulesFolder, TemplatesFolder);

    /// <summary>The path a version names a file of these folders by (<c>rules/welcome.json</c>), from its path on disk.</summary>
    public string ContentPathOf(string file)
    {
        var inRules = !Path.GetRelativePath(RulesFolder.Root, file).StartsWith("..", StringComparison.Ordinal);
        var folder = inRules ? RulesFolder : TemplatesFolder;
        return $"{(inRules ? ContentSet.Rules : ContentSet.Templates)}/{Path.GetRelativePath(folder.Root, file).Replace(Path.DirectorySeparatorChar, '/')}";
    }

    /// <summary>The path on disk of a file a version names (<c>rules/welcome.json</c>).</summary>
    public string DiskPathOf(string contentPath)
    {
        var slash = contentPath.IndexOf('/', StringComparison.Ordinal);
        var folder = contentPath[..slash] == ContentSet.Rules ? RulesFolder : TemplatesFolder;
        return folder.PathOf(contentPath[(slash + 1)..].Replace('/', Path.DirectorySeparatorChar));
    }

    public LiquidTemplates CreateTemplates() => new(new TemplateFiles(TemplatesFolder, Templates.DefaultLocale), Templates.SignName);

    /// <summary>
    /// A token that fires when a rule file (<c>*.json</c>) or a template (<c>*.liquid</c>, which journeys are checked
    /// against) is added, changed or removed, and the folders it cannot see: one that does not exist, or whose watch
    /// failed (such as when the system's limit of file watchers is reached).
    /// </summary>
    public FolderWatch WatchChanges()
    {
        var tokens = new List<IChangeToken>();
        var unwatched = new List<UnwatchedFolder>();
        foreach (var (folder, filter) in new[] { (RulesFolder, "**/*.json"), (TemplatesFolder, "**/*.liquid") })
        {
            if (folder.Files is DiskFolderProvider { Exists: false })
            {
                unwatched.Add(new UnwatchedFolder(folder.Root, "it does not exist"));
                continue;
            }
            try
            {
                tokens.Add(folder.Watch(filter));
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                unwatched.Add(new UnwatchedFolder(folder.Root, e.Message));
            }
        }
        return new FolderWatch(new CompositeChangeToken(tokens), unwatched);
    }

    public void Dispose()
    {
        (RulesFolder.Files as IDisposable)?.Dispose();
        (TemplatesFolder.Files as IDisposable)?.Dispose();
    }
}

/// <summary>What the reloader waits on: a token for changes in the folders it watches, and those it cannot.</summary>
internal sealed record FolderWatch(IChangeToken Changes, IReadOnlyList<UnwatchedFolder> Unwatched);

/// <summary>A folder whose changes are not seen, and why.</summary>
internal sealed record UnwatchedFolder(string Folder, string Reason);
