using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Server.Hosting;

/// <summary>
/// Loads the journeys before the server takes requests, then reloads them within seconds of a file changing.
/// Polling rather than file-system events: it works the same on every file system and in containers.
/// A bad file is logged and reported by the API; it never stops the server.
/// </summary>
internal sealed class JourneyReloader(JourneyCatalog catalog, TagCatalog tags, TierCatalog tiers, JourneyFiles files, IOptions<RulesOptions> options, ILogger<JourneyReloader> logger) : BackgroundService
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
            var set = catalog.Reload(files.RulesFolder, files.ReadOptions);
            foreach (var entry in set.Entries.Where(e => e.Status == JourneyStatus.Invalid))
            {
                foreach (var problem in entry.Problems) logger.LogError("Journey file rejected: {Problem}", problem);
                if (entry.Running is not null) logger.LogWarning("Journey {Journey} keeps running its last good version", entry.Name);
            }
            foreach (var problem in tags.Reload(files.TagsFile)) logger.LogError("Tag rules rejected: {Problem}", problem);
            foreach (var problem in tiers.Reload(files.TiersFile)) logger.LogError("Tier rules rejected: {Problem}", problem);
            logger.LogInformation("Journeys loaded: {Running} running, {Invalid} invalid, {Disabled} disabled",
                set.Entries.Count(e => e.Status == JourneyStatus.Active), set.Entries.Count(e => e.Status == JourneyStatus.Invalid),
                set.Entries.Count(e => e.Status == JourneyStatus.Disabled));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Reloading journeys failed; the previous set keeps running");
        }
    }
}
