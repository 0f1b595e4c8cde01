using Automation.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Automation.Core.Journeys;

/// <summary>Reads Quartz cron expressions; implemented where Quartz lives, so Core stays free of it.</summary>
public interface ICronSchedule
{
    /// <summary>The reason an expression is not a valid Quartz cron expression, or null.</summary>
    string? Problem(string cron);

    /// <summary>The latest time the expression fires in (<paramref name="after"/>, <paramref name="until"/>], read in <paramref name="zone"/>; null when none.</summary>
    DateTimeOffset? LatestOccurrence(string cron, TimeZoneInfo zone, DateTimeOffset after, DateTimeOffset until);

    /// <summary>The first time the expression fires after <paramref name="after"/>, read in <paramref name="zone"/>; null when never.</summary>
    DateTimeOffset? NextOccurrence(string cron, TimeZoneInfo zone, DateTimeOffset after);
}

/// <summary>What one scheduler tick did.</summary>
public sealed record TickReport(int CustomersEvaluated, int ScheduledEntries, int ScanEntries);

/// <summary>
/// The time-based half of the engine, run by a Quartz job: evaluates active instances, enters the audiences of
/// schedules that came due and of scans whose interval passed. Every pass pages through customers, so memory stays
/// bounded; the work grows with active instances and due schedules, not with all customers.
/// </summary>
public sealed class JourneyScheduler(JourneyCatalog catalog, JourneyEngine engine, IJourneyStore store, ICronSchedule cron, TimeProvider clock, ILogger<JourneyScheduler> logger)
{
    public const int PageSize = 500;

    /// <summary>How far back a first check of a new schedule looks, so one saved just after its hour still fires.</summary>
    public static readonly TimeSpan FirstLookBack = TimeSpan.FromHours(1);

    /// <summary>The time-zone key of scans, which do not depend on local time.</summary>
    public const string AllZones = "*";

    public async Task<TickReport> TickAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var evaluated = await EvaluateActiveAsync(now, ct);
        var scheduled = 0;
        var scanned = 0;
        foreach (var journey in catalog.Current.Running.ToList())
        {
            switch (journey.Trigger)
            {
                case ScheduleTrigger schedule:
                    scheduled += await RunScheduleAsync(journey, schedule, now, ct);
                    break;
                case ScanTrigger scan:
                    scanned += await RunScanAsync(journey, scan, now, ct);
                    break;
            }
        }
        return new TickReport(evaluated, scheduled, scanned);
    }

    private async Task<int> EvaluateActiveAsync(DateTimeOffset now, CancellationToken ct)
    {
        var evaluated = 0;
        long after = 0;
        while (true)
        {
            var page = await store.CustomersWithActiveInstancesAsync(after, PageSize, ct);
            if (page.Count == 0) return evaluated;
            await using (var tx = await store.BeginJourneyWorkAsync(ct))
            {
                await engine.EvaluateAsync(tx, page, now, ct);
                await tx.CommitAsync(ct);
            }
            evaluated += page.Count;
            after = page[^1];
        }
    }

    private async Task<int> RunScheduleAsync(JourneyDefinition journey, ScheduleTrigger schedule, DateTimeOffset now, CancellationToken ct)
    {
        var entered = 0;
        foreach (var zoneId in await store.TimezonesAsync(ct))
        {
            DateTimeOffset? lastChecked;
            await using (var tx = await store.BeginJourneyWorkAsync(ct))
                lastChecked = await tx.LastCheckedAsync(journey.Name, zoneId, ct);

            // Only the latest occurrence since the last check runs: after downtime, once, not once per missed tick.
            var occurrence = cron.LatestOccurrence(schedule.Cron, FactsBuilder.ZoneOf(zoneId), lastChecked ?? now - FirstLookBack, now);
            if (occurrence is { } at)
            {
                var key = $"schedule:{at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
                entered += await EnterPagesAsync(journey, key, (afterId, limit) => store.CustomersInTimezoneAsync(zoneId, afterId, limit, ct), now, ct);
                logger.LogInformation("Journey {Journey}: schedule {Occurrence} in {Zone}", journey.Name, at, zoneId);
            }
            await using (var tx = await store.BeginJourneyWorkAsync(ct))
            {
                await tx.SetLastCheckedAsync(journey.Name, zoneId, now, ct);
                await tx.CommitAsync(ct);
            }
        }
        return entered;
    }

    private async Task<int> RunScanAsync(JourneyDefinition journey, ScanTrigger scan, DateTimeOffset now, CancellationToken ct)
    {
        DateTimeOffset? lastChecked;
        await using (var tx = await store.BeginJourneyWorkAsync(ct))
            lastChecked = await tx.LastCheckedAsync(journey.Name, AllZones, ct);
        if (lastChecked is { } last && now - last < scan.Every) return 0;

        var period = now.ToUnixTimeSeconds() / (long)scan.Every.TotalSeconds;
        var entered = await EnterPagesAsync(journey, $"scan:{period}", (afterId, limit) => store.CustomersInTimezoneAsync(AllZones, afterId, limit, ct), now, ct);
        await using (var tx = await store.BeginJourneyWorkAsync(ct))
        {
            await tx.SetLastCheckedAsync(journey.Name, AllZones, now, ct);
            await tx.CommitAsync(ct);
        }
        return entered;
    }

    private async Task<int> EnterPagesAsync(JourneyDefinition journey, string entryKey, Func<long, int, Task<IReadOnlyList<long>>> nextPage, DateTimeOffset now, CancellationToken ct)
    {
        var entered = 0;
        long after = 0;
        while (true)
        {
            var page = await nextPage(after, PageSize);
            if (page.Count == 0) return entered;
            await using (var tx = await store.BeginJourneyWorkAsync(ct))
            {
                entered += await engine.EnterAudienceAsync(tx, journey, page, entryKey, now, ct);
                await tx.CommitAsync(ct);
            }
            after = page[^1];
        }
    }
}
