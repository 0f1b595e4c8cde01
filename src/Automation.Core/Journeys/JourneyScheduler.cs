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

/// <summary>A scheduled or scanned journey due now: the entry it makes, for customers of one zone or of all (<see cref="JourneyScheduler.AllZones"/>).</summary>
public sealed record DueAudience(JourneyDefinition Journey, string EntryKey, string Zone);

/// <summary>
/// The time-based half of the engine, run by a Quartz job: evaluates active instances, enters the audiences of
/// schedules that came due and of scans whose interval passed. Every pass pages through customers, so memory stays
/// bounded; each page is read once for every journey due, and the work grows with active instances and the customers
/// of the zones that have something due.
/// </summary>
public sealed partial class JourneyScheduler(JourneyCatalog catalog, JourneyEngine engine, IJourneyStore store, ICronSchedule cron, TimeProvider clock, ILogger<JourneyScheduler> logger)
{
    public const int PageSize = 2000;

    /// <summary>How many pages are read and screened at once, ahead of the page being entered.</summary>
    public const int ScreeningAhead = 2;

    /// <summary>How far back a first check of a new schedule looks, so one saved just after its hour still fires.</summary>
    public static readonly TimeSpan FirstLookBack = TimeSpan.FromHours(1);

    /// <summary>The time-zone key of scans, which do not depend on local time.</summary>
    public const string AllZones = "*";

    public async Task<TickReport> TickAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var evaluated = await EvaluateActiveAsync(now, ct);
        LogEvaluated(logger, evaluated, watch.Elapsed.TotalSeconds);

        var (due, checkedKeys) = await DueAudiencesAsync(now, ct);
        var entered = new int[due.Count];
        // With a scan due every customer is read anyway, so schedules due in any zone ride along on the same pages;
        // otherwise each zone with a schedule due is paged on its own.
        var passes = due.Any(d => d.Zone == AllZones)
            ? [AllZones]
            : due.Select(d => d.Zone).Distinct(StringComparer.Ordinal).ToList();
        foreach (var zone in passes)
        {
            watch.Restart();
            var indexes = Enumerable.Range(0, due.Count).Where(i => zone == AllZones || due[i].Zone == zone).ToList();
            var (customers, counts) = await EnterPagesAsync([.. indexes.Select(i => due[i])], zone, now, ct);
            for (var i = 0; i < indexes.Count; i++) entered[indexes[i]] += counts[i];
            var journeys = string.Join(", ", indexes.Select(i => $"{due[i].Journey.Name} ({due[i].Zone}: {entered[i]} entered)"));
            LogZoneRead(logger, customers, zone, journeys, watch.Elapsed.TotalSeconds);
        }

        await using (var tx = await store.BeginJourneyWorkAsync(ct))
        {
            foreach (var (journey, zone) in checkedKeys) await tx.SetLastCheckedAsync(journey, zone, now, ct);
            await tx.CommitAsync(ct);
        }
        var scheduled = Enumerable.Range(0, due.Count).Where(i => due[i].Journey.Trigger is ScheduleTrigger).Sum(i => entered[i]);
        return new TickReport(evaluated, scheduled, entered.Sum() - scheduled);
    }

    /// <summary>Evaluates the active instances with something to do now; returns the customers with an active instance.</summary>
    private async Task<int> EvaluateActiveAsync(DateTimeOffset now, CancellationToken ct)
    {
        var evaluated = 0;
        await PagesAsync(after => store.CustomersWithActiveInstancesAsync(after, PageSize, ct),
            async page => (page.Count, Due: await engine.ScreenActiveAsync(store, page, now, ct)),
            async screened =>
            {
                evaluated += screened.Count;
                if (screened.Due.Count == 0) return;
                await using var tx = await store.BeginJourneyWorkAsync(ct);
                await engine.EvaluateAsync(tx, screened.Due, now, ct);
                await tx.CommitAsync(ct);
            }, ct);
        return evaluated;
    }

    /// <summary>
    /// The audiences due now, in catalog order, and the (journey, zone) checks to record once they are entered: every
    /// zone of every schedule, due or not, and each scan that is due.
    /// </summary>
    private async Task<(List<DueAudience> Due, List<(string Journey, string Zone)> Checked)> DueAudiencesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var due = new List<DueAudience>();
        var checkedKeys = new List<(string, string)>();
        var journeys = catalog.Current.Running.Where(j => j.Trigger is ScheduleTrigger or ScanTrigger).ToList();
        if (journeys.Count == 0) return (due, checkedKeys);

        var zones = journeys.Any(j => j.Trigger is ScheduleTrigger) ? await store.TimezonesAsync(ct) : [];
        await using var tx = await store.BeginJourneyWorkAsync(ct);
        foreach (var journey in journeys)
        {
            switch (journey.Trigger)
            {
                case ScheduleTrigger schedule:
                    foreach (var zone in zones)
                    {
                        var lastChecked = await tx.LastCheckedAsync(journey.Name, zone, ct);
                        // Only the latest occurrence since the last check runs: after downtime, once, not once per missed tick.
                        if (cron.LatestOccurrence(schedule.Cron, FactsBuilder.ZoneOf(zone), lastChecked ?? now - FirstLookBack, now) is { } at)
                        {
                            due.Add(new DueAudience(journey, $"schedule:{at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}", zone));
                            LogScheduleDue(logger, journey.Name, at, zone);
                        }
                        checkedKeys.Add((journey.Name, zone));
                    }
                    break;
                case ScanTrigger scan:
                    if (await tx.LastCheckedAsync(journey.Name, AllZones, ct) is { } last && now - last < scan.Every) break;
                    var period = now.ToUnixTimeSeconds() / (long)scan.Every.TotalSeconds;
                    due.Add(new DueAudience(journey, $"scan:{period}", AllZones));
                    checkedKeys.Add((journey.Name, AllZones));
                    break;
            }
        }
        return (due, checkedKeys);
    }

    /// <summary>
    /// Pages through a zone's customers (or all), entering those screened in one transaction a page's worth of
    /// candidates at a time (a daily scan finds a few a page: their pages are entered together); returns the customers
    /// read and how many entered each audience.
    /// </summary>
    private async Task<(int Customers, int[] Entered)> EnterPagesAsync(IReadOnlyList<DueAudience> due, string zone, DateTimeOffset now, CancellationToken ct)
    {
        var customers = 0;
        var entered = new int[due.Count];
        AudienceScreen? pending = null;
        async Task EnterPendingAsync()
        {
            if (pending is null) return;
            await using var tx = await store.BeginJourneyWorkAsync(ct);
            var counts = await engine.EnterAudiencesAsync(tx, due, pending, now, ct);
            await tx.CommitAsync(ct);
            for (var i = 0; i < counts.Count; i++) entered[i] += counts[i];
            pending = null;
        }

        await PagesAsync(after => store.CustomersInTimezoneAsync(zone, after, PageSize, ct),
            page => engine.ScreenAsync(store, due, page, now, ct),
            async screen =>
            {
                customers += screen.CustomersRead;
                if (screen.Candidates.All(c => c.Count == 0)) return;
                // Screens of different journey sets (a reload between them) are entered apart, each with its own.
                if (pending is not null && pending.Set != screen.Set) await EnterPendingAsync();
                pending = pending is null ? screen : pending.Then(screen);
                if (pending.Candidates.Sum(c => c.Count) >= PageSize) await EnterPendingAsync();
            }, ct);
        await EnterPendingAsync();
        return (customers, entered);
    }

    /// <summary>
    /// Pages through customers in id order: reading and screening a page needs no transaction and is most of the work,
    /// so <see cref="ScreeningAhead"/> pages are screened at once while the one screened before them is acted on, in
    /// page order. A failed page ends the pass; the screens already started are waited for and their outcome unused.
    /// </summary>
    internal static async Task PagesAsync<TScreen>(Func<long, Task<IReadOnlyList<long>>> nextPage, Func<IReadOnlyList<long>, Task<TScreen>> screen,
        Func<TScreen, Task> act, CancellationToken ct)
    {
        var screening = new Queue<Task<TScreen>>();
        try
        {
            long after = 0;
            var more = true;
            while (true)
            {
                while (more && screening.Count < ScreeningAhead)
                {
                    var page = await nextPage(after);
                    more = page.Count > 0;
                    if (!more) break;
                    after = page[^1];
                    screening.Enqueue(Task.Run(() => screen(page), ct));
                }
                if (!screening.TryDequeue(out var next)) return;
                await act(await next);
            }
        }
        finally
        {
            foreach (var pending in screening) await pending.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluated the active instances of {Customers} customers in {Seconds:N1} s")]
    private static partial void LogEvaluated(ILogger logger, int customers, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Customers} customers of zone {Zone} for {Journeys} in {Seconds:N1} s")]
    private static partial void LogZoneRead(ILogger logger, int customers, string zone, string journeys, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journey {Journey}: schedule {Occurrence} in {Zone}")]
    private static partial void LogScheduleDue(ILogger logger, string journey, DateTimeOffset occurrence, string zone);
}
