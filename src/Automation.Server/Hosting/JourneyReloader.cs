using Automation.Core.Draws;
using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Core.Teams;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Automation.Server.Hosting;

/// <summary>
/// Loads the journeys before the server takes requests, then reloads them when a file changes, as the change tokens
/// of the folders' file providers report it (file-system events, or polling with <c>Rules:PollForChanges</c> for
/// mounts that raise no events). A reload waits <c>Rules:ReloadSeconds</c> after the first change, so the writes of
/// one save are read together. A bad file is logged and reported by the API; it never stops the server. The folders
/// are then recorded as a content version when they differ from the one published (see <see cref="Tools.ContentPublisher.RecordFoldersAsync"/>).
/// </summary>
/// <remarks>The wait is wall-clock time, not the server's <see cref="TimeProvider"/>: a save happens in real time, also under a simulated clock.</remarks>
internal sealed partial class JourneyReloader(JourneyCatalog catalog, TagCatalog tags, TierCatalog tiers, DrawCatalog draws, Core.Presales.PresaleCatalog presales, TeamCatalog teams, Core.Referrals.ReferralCatalog referrals, Core.Rewards.RewardCatalog rewards, JourneyFiles files, Tools.ContentPublisher versions,
    IOptions<RulesOptions> options, ILogger<JourneyReloader> logger) : BackgroundService
{
    private FolderWatch _watch = new(NullChangeToken.Singleton, []);

    private TimeSpan Settle => TimeSpan.FromSeconds(options.Value.ReloadSeconds);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Watch();
        Reload();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecordAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            await ChangedAsync(stoppingToken);
            await Task.Delay(Settle, stoppingToken);
            // Watched again before reading: a save during the reload fires the new token and is read by the next one.
            Watch();
            Reload();
            await RecordAsync(stoppingToken);
        }
    }

    /// <summary>Records the folders as a version if they changed; a database that cannot be reached is logged, and tried at the next change.</summary>
    private async Task RecordAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await versions.RecordFoldersAsync(stoppingToken) is { } version) LogRecorded(logger, version.Id, version.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRecordFailed(logger, e);
        }
    }

    private void Watch()
    {
        _watch = files.WatchChanges();
        foreach (var folder in _watch.Unwatched) LogUnwatched(logger, folder.Folder, folder.Reason, options.Value.ReloadSeconds);
    }

    /// <summary>Until a watched file changes, or a folder that could not be watched (not there yet, or its watch failed) can be.</summary>
    private async Task ChangedAsync(CancellationToken stoppingToken)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = _watch.Changes.RegisterChangeCallback(static state => ((TaskCompletionSource)state!).TrySetResult(), changed);
        while (_watch.Unwatched.Count > 0 && !changed.Task.IsCompleted)
        {
            await Task.WhenAny(changed.Task, Task.Delay(Settle, stoppingToken));
            stoppingToken.ThrowIfCancellationRequested();
            // Its files may have changed unseen: reload once it can be watched.
            if (files.WatchChanges().Unwatched.Count < _watch.Unwatched.Count) return;
        }
        await changed.Task.WaitAsync(stoppingToken);
    }

    private void Reload()
    {
        try
        {
            // Journeys are checked against the campaigns and segments they name.
            foreach (var problem in files.Coupons.Reload(files.RulesFolder, JourneyFiles.CouponsName)) Rejected("Coupon campaign", "coupons", problem);
            foreach (var problem in files.Segments.Reload(files.RulesFolder, Core.Segments.SegmentCatalog.FolderName)) Rejected("Segment file", "segments", problem);
            var set = catalog.Reload(files.RulesFolder, files.ReadOptions);
            foreach (var entry in set.Entries.Where(e => e.Status == JourneyStatus.Invalid))
            {
                foreach (var problem in entry.Problems) Rejected("Journey file", "journeys", problem);
                if (entry.Running is not null) LogLastGood(logger, entry.Name);
            }
            foreach (var problem in tags.Reload(files.RulesFolder, JourneyFiles.TagsName)) Rejected("Tag rules", "tags", problem);
            foreach (var problem in tiers.Reload(files.RulesFolder, JourneyFiles.TiersName)) Rejected("Tier rules", "tiers", problem);
            // Draws are checked against the tiers and campaigns just read.
            foreach (var problem in draws.Reload(files.RulesFolder, JourneyFiles.DrawsName, DrawContext.Of(tiers, files.Coupons))) Rejected("Draw file", "draws", problem);
            foreach (var problem in presales.Reload(files.RulesFolder, JourneyFiles.PresalesName, tiers.Program?.Tiers.Select(t => t.Name).ToList())) Rejected("Pre-sales file", "presales", problem);
            foreach (var problem in rewards.Reload(files.RulesFolder, JourneyFiles.RewardsName)) Rejected("Rewards catalog", "rewards", problem);
            foreach (var problem in teams.Reload(files.RulesFolder, JourneyFiles.TeamsName)) Rejected("Team campaign", "teams", problem);
            foreach (var problem in referrals.Reload(files.RulesFolder, JourneyFiles.ReferralsName)) Rejected("Referral program", "referrals", problem);
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

    /// <summary>Logs a problem of a rule file and counts it, by kind of file, for the reload failure alert.</summary>
    private void Rejected(string what, string kind, JourneyProblem problem)
    {
        LogRejected(logger, what, problem);
        Core.Telemetry.AutomationMetrics.RulesReloadFailures.Add(1, Core.Telemetry.AutomationMetrics.Tags("automation.rules.file", kind));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Changes to {Folder} are not watched ({Reason}); looking again every {Seconds} s")]
    private static partial void LogUnwatched(ILogger logger, string folder, string reason, int seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{What} rejected: {Problem}")]
    private static partial void LogRejected(ILogger logger, string what, JourneyProblem problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journey {Journey} keeps running its last good version")]
    private static partial void LogLastGood(ILogger logger, string journey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journeys loaded: {Running} running, {Invalid} invalid, {Disabled} disabled")]
    private static partial void LogLoaded(ILogger logger, int running, int invalid, int disabled);

    [LoggerMessage(Level = LogLevel.Information, Message = "Content version {Version} recorded: {Message}")]
    private static partial void LogRecorded(ILogger logger, long version, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the content folders as a version failed; tried again at the next change")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading journeys failed; the previous set keeps running")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
