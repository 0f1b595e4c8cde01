using Automation.Core;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Server.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Automation.Server.Hosting;

/// <summary>The journey and template folders on disk, and what journey files are checked against.</summary>
internal sealed record JourneyFiles(ContentFolder RulesFolder, ContentFolder TemplatesFolder, JourneyReadOptions ReadOptions, TemplatesOptions Templates) : IDisposable
{
    public static JourneyFiles From(IConfiguration configuration, string contentRoot, ICronSchedule cron)
    {
        var rules = configuration.GetSection(RulesOptions.Section).Get<RulesOptions>() ?? new RulesOptions();
        var templates = configuration.GetSection(TemplatesOptions.Section).Get<TemplatesOptions>() ?? new TemplatesOptions();
        var rulesFolder = DiskFolderProvider.Open(Path.GetFullPath(Path.Combine(contentRoot, rules.Path)), rules.PollForChanges);
        var templatesFolder = DiskFolderProvider.Open(Path.GetFullPath(Path.Combine(contentRoot, templates.Path)), rules.PollForChanges);
        return new JourneyFiles(rulesFolder, templatesFolder,
            new JourneyReadOptions(JourneyReadOptions.DefaultChannels, JourneyDirectory.TemplatesIn(templatesFolder), cron.Problem, rules.Limits), templates);
    }

    /// <summary>rules/tags.json: the tag rules.</summary>
    public const string TagsName = "tags.json";

    /// <summary>rules/tiers.json: the membership tiers and spend bands.</summary>
    public const string TiersName = "tiers.json";

    public string TiersFile => RulesFolder.PathOf(TiersName);

    public LiquidTemplates CreateTemplates() => new(new TemplateFiles(TemplatesFolder, Templates.DefaultLocale));

    /// <summary>
    /// A token that fires when a rule file (<c>*.json</c>) or a template (<c>*.liquid</c>, which journeys are checked
    /// against) is added, changed or removed. A folder that does not exist has nothing to watch: see <see cref="MissingFolders"/>.
    /// </summary>
    public IChangeToken WatchChanges() => new CompositeChangeToken([Watch(RulesFolder, "**/*.json"), Watch(TemplatesFolder, "**/*.liquid")]);

    /// <summary>How many of the two folders do not exist, and so are not watched.</summary>
    public int MissingFolders() => new[] { RulesFolder, TemplatesFolder }.Count(f => f.Files is DiskFolderProvider { Exists: false });

    public void Dispose()
    {
        (RulesFolder.Files as IDisposable)?.Dispose();
        (TemplatesFolder.Files as IDisposable)?.Dispose();
    }

    private static IChangeToken Watch(ContentFolder folder, string filter)
    {
        try
        {
            return folder.Watch(filter);
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            // Deleted since it was opened: it counts as missing until it is back.
            return NullChangeToken.Singleton;
        }
    }
}
