using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Core.Teams;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Server.Hosting;

/// <summary>
/// Loads the journeys before the server takes requests, then reloads them within seconds of a file changing.
/// Polling rather than file-system events: it works the same on every file system and in containers.
/// A bad file is logged and reported by the API; it never stops the server.
/// </summary>
internal sealed partial class JourneyReloader(JourneyCatalog catalog, TagCatalog tags, TierCatalog tiers, TeamCatalog teams, Core.Referrals.ReferralCatalog referrals, JourneyFiles files, IOptions<RulesOptions> options, ILogger<JourneyReloader> logger) : BackgroundService
{
    private string _signature = "";

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Reload();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ReloadSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (files.Signature() != _signature) Reload();
        }
    }

    private void Reload()
    {
        try
        {
            _signature = files.Signature();
            // Journeys are checked against the campaigns they name.
            foreach (var problem in files.Coupons.Reload(files.CouponsFolder)) LogRejected(logger, "Coupon campaign", problem);
            var set = catalog.Reload(files.RulesFolder, files.ReadOptions);
            foreach (var entry in set.Entries.Where(e => e.Status == JourneyStatus.Invalid))
            {
                foreach (var problem in entry.Problems) LogRejected(logger, "Journey file", problem);
                if (entry.Running is not null) LogLastGood(logger, entry.Name);
            }
            foreach (var problem in tags.Reload(files.TagsFile)) LogRejected(logger, "Tag rules", problem);
            foreach (var problem in tiers.Reload(files.TiersFile)) LogRejected(logger, "Tier rules", problem);
            foreach (var problem in teams.Reload(files.TeamsFolder)) LogRejected(logger, "Team campaign", problem);
            foreach (var problem in referrals.Reload(files.ReferralsFile)) LogRejected(logger, "Referral program", problem);
            var byStatus = set.Entries.CountBy(e => e.Status).ToDictionary();
            byStatus.TryGetValue(JourneyStatus.Active, out var running);
            byStatus.TryGetValue(JourneyStatus.Invalid, out var invalid);
            byStatus.TryGetValue(JourneyStatus.Disabled, out var disabled);
            LogLoaded(logger, running, invalid, disabled);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReloadFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{What} rejected: {Problem}")]
    private static partial void LogRejected(ILogger logger, string what, JourneyProblem problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journey {Journey} keeps running its last good version")]
    private static partial void LogLastGood(ILogger logger, string journey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journeys loaded: {Running} running, {Invalid} invalid, {Disabled} disabled")]
    private static partial void LogLoaded(ILogger logger, int running, int invalid, int disabled);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading journeys failed; the previous set keeps running")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
