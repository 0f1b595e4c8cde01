using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Microsoft.Extensions.Logging;
using RulesEngine.Models;

namespace Automation.Core.Journeys;

/// <summary>
/// Pages of customers screened for the due audiences (<see cref="JourneyEngine.ScreenAsync"/>): the journeys as they
/// were read, how many customers were read, and per due audience, in order, the customers who look to enter it.
/// </summary>
public sealed record AudienceScreen(JourneySet Set, int CustomersRead, IReadOnlyList<IReadOnlyList<long>> Candidates)
{
    /// <summary>This screen and the next one, of the same journeys, as one: entered in one transaction.</summary>
    public AudienceScreen Then(AudienceScreen next) => new(Set, CustomersRead + next.CustomersRead,
        [.. Candidates.Zip(next.Candidates, (before, after) => (IReadOnlyList<long>)[.. before, .. after])]);
}

/// <summary>
/// Runs journeys: enters customers, fires due steps and ends instances, all inside the caller's transaction.
/// Each entry and each step is guarded by a unique key, so a retry, a second node or a replayed event never fires
/// anything twice.
/// </summary>
public sealed partial class JourneyEngine(JourneyCatalog catalog, Coupons.CouponCatalog coupons, ILogger<JourneyEngine> logger, Points.PointsSettings points,
    Tiers.TierCatalog tiers, Teams.TeamEngine? teams = null)
{
    private readonly int _pointsExpiryMonths = points.ExpiryMonths;

    /// <summary>An event older than this when it arrives still counts for stats, carts and exits, but starts no journey.</summary>
    public static readonly TimeSpan EntryWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// Applies ingested events: exits first, then entries, then the steps due at once. Customers are independent, so
    /// the group goes in rounds: round k takes each customer's k-th relevant event (in timestamp order), applies their
    /// exits, then enters each journey, in catalog order, all the customers whose event triggers it at once. One
    /// customer's events thus still go one after the other, each seeing what the earlier ones and the journeys before
    /// did (an instance entered, a tag added by a first step), while a journey's entries of a round take one statement.
    /// </summary>
    public async Task OnEventsAsync(IJourneyTransaction tx, IReadOnlyList<(InboundMessage Message, long CustomerId)> fresh, DateTimeOffset now, CancellationToken ct) =>
        await OnEventsAsync(tx, await PrepareEventsAsync(tx, fresh, new SnapshotCache(), now, ct), fresh, now, ct);

    /// <summary>
    /// Reads, ahead of <see cref="OnEventsAsync(IJourneyTransaction, PreparedEvents, IReadOnlyList{ValueTuple{InboundMessage, long}}, DateTimeOffset, CancellationToken)"/>,
    /// the journey state of the events' customers, and asks <paramref name="snapshots"/> for the parts their first
    /// events' entries will read: an ingest group's tag rules then read those with their own, in one round trip.
    /// </summary>
    public async Task<PreparedEvents> PrepareEventsAsync(IJourneyTransaction tx, IReadOnlyList<(InboundMessage Message, long CustomerId)> fresh, SnapshotCache snapshots,
        DateTimeOffset now, CancellationToken ct)
    {
        var prepared = new PreparedEvents(catalog.Current, new CustomerState(coupons.EligibleReads, snapshots));
        var relevant = Relevant(prepared.Set, fresh);
        await LoadJourneysAsync(tx, prepared, relevant, ct);
        var firsts = relevant.GroupBy(f => f.CustomerId).Select(g => g.First());
        foreach (var (customerId, parts) in EntryReads(prepared, firsts, now)) prepared.State.Want(customerId, parts);
        return prepared;
    }

    /// <summary>
    /// <see cref="OnEventsAsync(IJourneyTransaction, IReadOnlyList{ValueTuple{InboundMessage, long}}, DateTimeOffset, CancellationToken)"/>
    /// with the state <see cref="PrepareEventsAsync"/> read; <paramref name="fresh"/> may hold events that came since
    /// (the tag rules'), whose customers' state is read now.
    /// </summary>
    public async Task OnEventsAsync(IJourneyTransaction tx, PreparedEvents prepared, IReadOnlyList<(InboundMessage Message, long CustomerId)> fresh, DateTimeOffset now,
        CancellationToken ct)
    {
        var (set, state) = (prepared.Set, prepared.State);
        var relevant = Relevant(set, fresh);
        if (relevant.Count == 0) return;
        await LoadJourneysAsync(tx, prepared, relevant, ct);
        var journeys = set.Running.ToList();
        var writes = new PendingJourneyWrites(tx, now);
        var perCustomer = relevant.GroupBy(f => f.CustomerId).Select(g => g.ToList()).ToList();
        for (var round = 0; ; round++)
        {
            var events = perCustomer.Where(list => list.Count > round).Select(list => list[round]).OrderBy(f => f.Message.Timestamp).ToList();
            if (events.Count == 0) break;
            foreach (var (message, customerId) in events) ApplyExits(set, state, writes, message, customerId, now);
            var triggering = events.Where(e => now - e.Message.Timestamp <= EntryWindow)
                .Select(e => (e.Message, e.CustomerId, Facts: FactsBuilder.Event(e.Message.EventName, e.Message.Properties))).ToList();
            await state.LoadSnapshotsAsync(tx, EntryReads(prepared, events, now), ct);
            foreach (var journey in journeys)
            {
                if (journey.Trigger is not EventTrigger trigger) continue;
                var candidates = triggering.Where(e => trigger.Events.Contains(e.Message.EventName!)).ToList();
                if (candidates.Count == 0) continue;
                // What an earlier journey's first steps did (a tag, points, a coupon) counts for this one's condition.
                await state.RereadChangedAsync(tx, ct);
                var entries = candidates
                    .Where(e => CanEnter(set, journey, e.CustomerId, state, e.Facts, e.Message.Timestamp, now))
                    .Select(e => new JourneyEntry(e.CustomerId, journey.Name, e.Message.MessageId, e.Message.Timestamp, TriggerEvent(e.Message), journey.Hash)).ToList();
                if (entries.Count > 0) await EnterAndEvaluateAsync(tx, writes, set, journey, state, entries, now, ct);
            }
        }
        await writes.FlushAsync(ct);
    }

    /// <summary>The events a running journey exits or is triggered by, in timestamp order.</summary>
    private static List<(InboundMessage Message, long CustomerId)> Relevant(JourneySet set, IReadOnlyList<(InboundMessage Message, long CustomerId)> fresh)
    {
        var names = set.Running.SelectMany(j => j.Exit.Events.Concat(j.Trigger is EventTrigger t ? t.Events : [])).ToHashSet(StringComparer.Ordinal);
        return [.. fresh.Where(f => f.Message.Type == MessageType.Track && f.Message.EventName is { } n && names.Contains(n)).OrderBy(f => f.Message.Timestamp)];
    }

    /// <summary>The active instances and last entries of these events' customers not read yet, and the journey versions those instances run.</summary>
    private async Task LoadJourneysAsync(IJourneyTransaction tx, PreparedEvents prepared, List<(InboundMessage Message, long CustomerId)> events, CancellationToken ct)
    {
        var read = await prepared.State.LoadJourneysAsync(tx, events.Select(e => e.CustomerId).ToHashSet(), ct);
        await catalog.LoadVersionsAsync(read.SelectMany(prepared.State.ActiveOf), ct);
    }

    /// <summary>
    /// What the entries these events may make read of each customer: only customers who may enter a journey the event
    /// triggers, and only the parts those journeys read. Most events come from customers already in (or waiting to
    /// re-enter) the journeys they trigger, most that may enter are kept out by a trigger condition reading a part or
    /// two, and a snapshot is most of the cost.
    /// </summary>
    private static IEnumerable<(long CustomerId, SnapshotParts Parts)> EntryReads(PreparedEvents prepared, IEnumerable<(InboundMessage Message, long CustomerId)> events,
        DateTimeOffset now) =>
        events.Where(e => now - e.Message.Timestamp <= EntryWindow).SelectMany(e => prepared.Set.Running
            .Where(j => j.Trigger is EventTrigger t && t.Events.Contains(e.Message.EventName!) && MayEnter(j, e.CustomerId, prepared.State, e.Message.Timestamp))
            .Select(j => (e.CustomerId, prepared.Set.Compiled(j.Name).EntryReads)));

    /// <summary>
    /// An ingest group's journey state and journeys as they were read ahead of its tag rules (<see cref="PrepareEventsAsync"/>);
    /// the snapshots it reads go to the cache it was given.
    /// </summary>
    public sealed class PreparedEvents
    {
        internal PreparedEvents(JourneySet set, CustomerState state) => (Set, State) = (set, state);

        internal JourneySet Set { get; }

        internal CustomerState State { get; }
    }

    /// <summary>Ends the customer's active instances that this event exits, unless they were entered after it happened.</summary>
    private static void ApplyExits(JourneySet set, CustomerState state, PendingJourneyWrites writes, InboundMessage message, long customerId, DateTimeOffset now)
    {
        foreach (var instance in state.ActiveOf(customerId).ToList())
        {
            if (set.VersionOf(instance)?.Definition is { } journey && journey.Exit.Events.Contains(message.EventName!) && message.Timestamp >= instance.EnteredAt)
            {
                writes.End(new InstanceEnd(instance.Id, JourneyEnd.Exited, $"event: {message.EventName}", now), instance.Journey);
                state.Ended(instance);
            }
        }
    }

    /// <summary>The event an instance was entered by, as its facts and its messages' context read it.</summary>
    private static JsonObject TriggerEvent(InboundMessage message) =>
        new() { ["name"] = message.EventName, ["messageId"] = message.MessageId, ["properties"] = message.Properties.DeepClone() };

    /// <summary>
    /// Finds, outside any transaction, the customers of a page who look to enter each due scheduled or scanned journey:
    /// in its zone (or <see cref="JourneyScheduler.AllZones"/>), selected by its audience, past its re-entry wait.
    /// Storage first narrows the page to each audience's bound less its recent entries
    /// (<see cref="IJourneyStore.AudienceCandidatesAsync"/>); only those customers are read, with only the parts of the
    /// snapshot the audiences read, so a daily pass over a million customers reads the few that may enter.
    /// <see cref="EnterAudiencesAsync"/> confirms them, in its transaction, against what is current then.
    /// </summary>
    public async Task<AudienceScreen> ScreenAsync(IJourneyStore store, IReadOnlyList<DueAudience> due, IReadOnlyCollection<long> customerIds, DateTimeOffset now,
        CancellationToken ct)
    {
        var set = catalog.Current;
        if (customerIds.Count == 0) return new AudienceScreen(set, 0, [.. due.Select(_ => Array.Empty<long>())]);
        var triggers = due.Select(d => set.Compiled(d.Journey.Name).Trigger).ToArray();
        var selections = due.Select((d, i) => new AudienceSelection(triggers[i]?.Bound(now) ?? AudienceBound.Everyone, d.Zone, d.Journey.Name, RecentEntriesAfter(d.Journey, now))).ToList();
        var bounded = (await store.AudienceCandidatesAsync(selections, customerIds.Min(), customerIds.Max(), ct)).Select(ids => ids.ToHashSet()).ToArray();
        var reads = triggers.Aggregate(SnapshotParts.Profile, (parts, trigger) => parts | (trigger?.Reads ?? SnapshotParts.Profile));
        var selected = due.Select(_ => new List<long>()).ToArray();
        var noEvent = new EventFacts();
        foreach (var snapshot in await store.SnapshotsAsync([.. bounded.SelectMany(ids => ids).Distinct()], reads, ct))
        {
            // One customer's facts serve every audience due.
            var facts = FactsBuilder.Facts(snapshot, null, noEvent, now, tiers.Program);
            var id = snapshot.Profile.Id;
            for (var d = 0; d < due.Count; d++)
            {
                if (bounded[d].Contains(id) && InZone(snapshot, due[d].Zone) && (triggers[d] is not { } trigger || Holds(due[d].Journey, trigger, facts, id, now)))
                    selected[d].Add(id);
            }
        }
        return new AudienceScreen(set, customerIds.Count, selected);
    }

    /// <summary>
    /// Entries after this keep a customer out of the journey now; null when any entry does (no re-entry). A minute later
    /// than the exact cut-off, so a time's precision in storage never keeps out one whose wait is over: the transaction
    /// checks exactly.
    /// </summary>
    private static DateTimeOffset? RecentEntriesAfter(JourneyDefinition journey, DateTimeOffset now) =>
        journey.ReEntryAfter is { } wait ? now - wait + TimeSpan.FromMinutes(1) : null;

    /// <summary>
    /// Enters a screened page into the due journeys, in the order given; returns the count entered per entry. Each
    /// customer the screen found, and each one an earlier journey's action changed on this page (a tag, points, a
    /// coupon), is read again with the parts entering reads and checked before entering, so entries follow what holds now.
    /// </summary>
    public async Task<IReadOnlyList<int>> EnterAudiencesAsync(IJourneyTransaction tx, IReadOnlyList<DueAudience> due, AudienceScreen screen, DateTimeOffset now, CancellationToken ct)
    {
        var set = screen.Set;
        var state = new CustomerState(coupons.EligibleReads);
        var writes = new PendingJourneyWrites(tx, now);
        var entered = new int[due.Count];
        for (var d = 0; d < due.Count; d++)
        {
            await state.RereadChangedAsync(tx, ct);
            var (journey, entryKey, zone) = due[d];
            var candidates = screen.Candidates[d].Union(state.Touched).ToList();
            await state.LoadSnapshotsAsync(tx, candidates, set.Compiled(journey.Name).EntryReads, ct);
            // Active instances are not read: one would be the customer's last entry into the journey, so the re-entry
            // wait keeps them out, and where it has passed the unique index on active instances refuses the entry.
            foreach (var (key, at) in await tx.LoadLastEntriesAsync(candidates, journey.Name, ct)) state.LastEntries.TryAdd(key, at);
            var entries = candidates
                .Where(id => state.Snapshots.TryGetValue(id, out var s) && InZone(s, zone) && CanEnter(set, journey, id, state, new EventFacts(), now, now))
                .Select(id => new JourneyEntry(id, journey.Name, entryKey, now, null, journey.Hash)).ToList();
            entered[d] = await EnterAndEvaluateAsync(tx, writes, set, journey, state, entries, now, ct);
            await writes.FlushAsync(ct);
        }
        return entered;
    }

    private static bool InZone(CustomerSnapshot snapshot, string zone) =>
        zone == JourneyScheduler.AllZones || (snapshot.Profile.Timezone ?? FactsBuilder.DefaultZone) == zone;

    /// <summary>
    /// Finds, outside any transaction, the customers of a page with an active instance that has something to do now:
    /// past its max age, its exit condition holding, a step not taken holding, or every step taken. Most instances wait
    /// (a second step days away): storage first narrows the page to the instances whose journey's bounds say they may
    /// have work (<see cref="IJourneyStore.WorkCandidatesAsync"/>), and only their customers are read. The scheduler
    /// evaluates those found in its transaction, against what is current then.
    /// </summary>
    public async Task<IReadOnlyList<long>> ScreenActiveAsync(IJourneyStore store, IReadOnlyCollection<long> customerIds, DateTimeOffset now, CancellationToken ct)
    {
        var set = catalog.Current;
        if (customerIds.Count == 0) return [];
        var work = set.Running.Select(j => WorkSelection.Of(set.Compiled(j.Name), now)).ToList();
        var candidates = await store.WorkCandidatesAsync(work, customerIds.Min(), customerIds.Max(), ct);
        if (candidates.Count == 0) return [];
        var instances = await store.ActiveInstancesAsync(candidates, ct);
        await catalog.LoadVersionsAsync(instances, ct);
        var snapshots = (await store.SnapshotsAsync([.. instances.Select(i => i.CustomerId).Distinct()], StepReads(set, instances), ct)).ToDictionary(s => s.Profile.Id);
        return [.. instances
            .Where(i => set.VersionOf(i)?.Definition is { } journey && snapshots.TryGetValue(i.CustomerId, out var snapshot) && HasWork(set, journey, i, snapshot, now))
            .Select(i => i.CustomerId).Distinct()];
    }

    /// <summary>What evaluating these instances reads of a snapshot: their journeys' steps and exits (actions need only the profile).</summary>
    private static SnapshotParts StepReads(JourneySet set, IEnumerable<JourneyInstance> instances) =>
        instances.Select(set.VersionOf).OfType<CompiledJourney>().Distinct()
            .Aggregate(SnapshotParts.Profile, (parts, version) => parts | version.StepReads);

    /// <summary>Whether <see cref="EvaluateInstancesAsync"/> would write anything for the instance now.</summary>
    private bool HasWork(JourneySet set, JourneyDefinition journey, JourneyInstance instance, CustomerSnapshot snapshot, DateTimeOffset now)
    {
        var (end, steps) = Decide(set, journey, instance, snapshot, now);
        return end is not null || steps.Count > 0 || set.CompiledOf(journey).Steps.All(s => instance.StepsDone.Contains(s.Step.Name));
    }

    /// <summary>
    /// What evaluating an instance at <paramref name="now"/> comes to, before anything is written: an end (past its max
    /// age, or its exit condition holding), or the steps not taken whose conditions hold, in file order, up to one whose
    /// action is Exit (the steps after it wait for what the exit does).
    /// </summary>
    private (InstanceEnd? End, List<JourneyStep> Steps) Decide(JourneySet set, JourneyDefinition journey, JourneyInstance instance, CustomerSnapshot snapshot, DateTimeOffset now)
    {
        if (now - instance.EnteredAt > journey.MaxAge) return (new InstanceEnd(instance.Id, JourneyEnd.Completed, "max age", now), []);
        var compiled = set.CompiledOf(journey);
        var facts = FactsBuilder.Facts(snapshot, instance, TriggerFacts(instance), now, tiers.Program);
        if (compiled.Exit is { } exit && Holds(journey, exit, facts, snapshot.Profile.Id, now))
            return (new InstanceEnd(instance.Id, JourneyEnd.Exited, "exit condition", now), []);
        var steps = new List<JourneyStep>();
        foreach (var (step, rule) in compiled.Steps)
        {
            if (instance.StepsDone.Contains(step.Name) || !Holds(journey, rule, facts, snapshot.Profile.Id, now)) continue;
            steps.Add(step);
            if (step.Action is ExitAction) break;
        }
        return (null, steps);
    }

    private static EventFacts TriggerFacts(JourneyInstance instance) =>
        FactsBuilder.Event(instance.TriggerEvent?["name"]?.GetValue<string>(), instance.TriggerEvent?["properties"] as JsonObject);

    /// <summary>Evaluates every active instance of these customers at <paramref name="now"/>.</summary>
    public async Task EvaluateAsync(IJourneyTransaction tx, IReadOnlyCollection<long> customerIds, DateTimeOffset now, CancellationToken ct)
    {
        var set = catalog.Current;
        var state = new CustomerState(coupons.EligibleReads);
        await state.LoadInstancesAsync(tx, customerIds, ct);
        await catalog.LoadVersionsAsync(customerIds.SelectMany(state.ActiveOf), ct);
        await state.LoadSnapshotsAsync(tx, customerIds, StepReads(set, customerIds.SelectMany(state.ActiveOf)), ct);
        var writes = new PendingJourneyWrites(tx, now);
        // A disabled or removed journey's instances wait, untouched.
        var instances = customerIds.SelectMany(id => state.ActiveOf(id).Select(i => (Journey: set.VersionOf(i)?.Definition, Instance: i, Snapshot: state.Snapshots[id])))
            .Where(e => e.Journey is not null).Select(e => (e.Journey!, e.Instance, e.Snapshot)).ToList();
        await EvaluateInstancesAsync(tx, writes, state, set, instances, now, ct);
        await writes.FlushAsync(ct);
    }

    /// <summary>Whether the customer may enter now: not in it, re-entry wait over, trigger condition or audience holding.</summary>
    /// <summary>Whether the customer may enter and the trigger holds; the customer's snapshot is read once <see cref="MayEnter"/> says they may.</summary>
    private bool CanEnter(JourneySet set, JourneyDefinition journey, long customerId, CustomerState state, EventFacts eventFacts, DateTimeOffset enteredAt, DateTimeOffset now) =>
        MayEnter(journey, customerId, state, enteredAt) && (set.Compiled(journey.Name).Trigger is not { } trigger
            || Holds(journey, trigger, FactsBuilder.Facts(state.Snapshots[customerId], null, eventFacts, now, tiers.Program), customerId, now));

    /// <summary>Whether the customer is out of the journey and past its re-entry wait, whatever its trigger says.</summary>
    private static bool MayEnter(JourneyDefinition journey, long customerId, CustomerState state, DateTimeOffset enteredAt) =>
        !state.ActiveOf(customerId).Any(i => i.Journey == journey.Name) &&
        ReEntryWaitOver(journey, state.LastEntries.TryGetValue((customerId, journey.Name), out var lastEntry) ? lastEntry : null, enteredAt);

    private static bool ReEntryWaitOver(JourneyDefinition journey, DateTimeOffset? lastEntry, DateTimeOffset enteredAt) =>
        lastEntry is not { } last || (journey.ReEntryAfter is { } wait && enteredAt - last >= wait);

    /// <summary>Makes the entries (those already made or with an instance active are skipped) and runs the steps due at once; returns how many entered.</summary>
    private async Task<int> EnterAndEvaluateAsync(IJourneyTransaction tx, PendingJourneyWrites writes, JourneySet set, JourneyDefinition journey, CustomerState state,
        IReadOnlyList<JourneyEntry> entries, DateTimeOffset now, CancellationToken ct)
    {
        var instances = await writes.EnterAsync(entries, ct);
        foreach (var instance in instances) state.Entered(instance);
        await EvaluateInstancesAsync(tx, writes, state, set, [.. instances.Select(i => (journey, i, state.Snapshots[i.CustomerId]))], now, ct);
        return instances.Count;
    }

    /// <summary>
    /// Evaluates instances at <paramref name="now"/> as <see cref="Decide"/> says: ends, or steps that fire, whose actions
    /// run; an instance with every step taken completes. The steps of all the instances are recorded together first, and
    /// only those recorded now run their actions: a step already recorded had fired elsewhere.
    /// </summary>
    private async Task EvaluateInstancesAsync(IJourneyTransaction tx, PendingJourneyWrites writes, CustomerState state, JourneySet set,
        IReadOnlyList<(JourneyDefinition Journey, JourneyInstance Instance, CustomerSnapshot Snapshot)> instances, DateTimeOffset now, CancellationToken ct)
    {
        var firing = new List<(JourneyDefinition Journey, JourneyInstance Instance, CustomerSnapshot Snapshot, List<JourneyStep> Steps)>();
        foreach (var (journey, instance, snapshot) in instances)
        {
            var (end, steps) = Decide(set, journey, instance, snapshot, now);
            if (end is not null) writes.End(end, journey.Name);
            else firing.Add((journey, instance, snapshot, steps));
        }

        var recorded = await writes.RecordStepsAsync([.. firing.SelectMany(f => f.Steps.Select(step => new FiredStep(f.Instance.Id, step.Name, step.Action.Name, now)))], ct);
        var issuedAhead = await IssueCouponsAheadAsync(tx, [.. firing.SelectMany(f => f.Steps.Where(step => recorded.Contains((f.Instance.Id, step.Name)))
            .Select(step => (f.Journey, f.Instance, f.Snapshot, step)))], now, ct);
        foreach (var (journey, instance, snapshot, steps) in firing)
        {
            var done = instance.StepsDone.ToHashSet(StringComparer.Ordinal);
            var exited = false;
            foreach (var step in steps.Where(step => recorded.Contains((instance.Id, step.Name))))
            {
                done.Add(step.Name);
                exited = await RunActionAsync(tx, writes, state, issuedAhead, journey, instance, step, snapshot, now, ct);
                if (exited) break;
            }
            if (!exited && set.CompiledOf(journey).Steps.All(s => done.Contains(s.Step.Name)))
                writes.End(new InstanceEnd(instance.Id, JourneyEnd.Completed, "all steps done", now), journey.Name);
        }
    }

    // The step's points, times a perk of the tier held when it names one (rounded down: a perk of 0 gives none).
    private int Awarded(AwardPointsAction award, CustomerSnapshot snapshot)
    {
        if (award.TimesPerk is not { } perk) return award.Points;
        var perks = tiers.Program?.Find(snapshot.Tier?.Tier)?.Perks ?? Tiers.TierPerks.None;
        return Points.PointsEarning.Earned(award.Points, perks.Number(perk));
    }

    /// <summary>
    /// Issues the coupons these steps will carry or give, all in one batch (a member-day page issues hundreds), before
    /// their actions run; the actions then take their codes from it. Each is the issue the step itself would have made
    /// (same campaign, eligibility, key and order), so what a customer gets does not change, only how many statements.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, Coupons.CouponIssue>> IssueCouponsAheadAsync(IJourneyTransaction tx,
        IReadOnlyList<(JourneyDefinition Journey, JourneyInstance Instance, CustomerSnapshot Snapshot, JourneyStep Step)> steps, DateTimeOffset now, CancellationToken ct)
    {
        var requests = new List<Coupons.CouponIssueRequest>();
        foreach (var (journey, instance, snapshot, step) in steps)
        {
            var campaignName = step.Action switch
            {
                IssueCouponAction issue => issue.Campaign,
                SendAction send => CouponOf(AssignVariant(journey, send, snapshot).Context),
                _ => null,
            };
            if (campaignName is not null && coupons.Find(campaignName) is { } campaign && Ineligible(campaign, instance, snapshot, now) is null)
                requests.Add(new Coupons.CouponIssueRequest(campaign, snapshot.Profile.Id, IssueKey(journey, instance, campaign), now));
        }
        var issued = new Dictionary<string, Coupons.CouponIssue>(StringComparer.Ordinal);
        if (requests.Count < 2) return issued;
        foreach (var (request, issue) in requests.Zip(await tx.IssueCouponsAsync(requests, ct))) issued.TryAdd(request.IssueKey, issue);
        return issued;
    }

    private static (string? Variant, JsonObject Context) AssignVariant(JourneyDefinition journey, SendAction send, CustomerSnapshot snapshot) =>
        Messaging.Variants.Assign(journey.Name, snapshot.Profile.ExternalId ?? snapshot.Profile.AnonymousId ?? snapshot.Profile.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), send.Context);

    /// <summary>The campaign a message promises a code of (its context's <c>Coupon</c>), if any.</summary>
    private static string? CouponOf(JsonObject context) =>
        context["Coupon"] is JsonValue campaign && campaign.TryGetValue<string>(out var name) ? name : null;

    /// <summary>Every step of one instance naming the campaign (an IssueCoupon, then Sends that remind of it) gets the same code.</summary>
    private static string IssueKey(JourneyDefinition journey, JourneyInstance instance, Coupons.CouponCampaign campaign) =>
        $"journey:{journey.Name}:{instance.Id}:{campaign.Name}";

    /// <summary>Runs a step's action; true when it ended the instance.</summary>
    private async Task<bool> RunActionAsync(IJourneyTransaction tx, PendingJourneyWrites writes, CustomerState state, IReadOnlyDictionary<string, Coupons.CouponIssue> issuedAhead,
        JourneyDefinition journey, JourneyInstance instance, JourneyStep step, CustomerSnapshot snapshot, DateTimeOffset now, CancellationToken ct)
    {
        var customerId = snapshot.Profile.Id;
        var source = $"{journey.Name}:{instance.Id}:{step.Name}";
        writes.Counts.Stepped(journey.Name);
        // The step's span: a message it queues carries it, and the dispatcher's send continues it.
        using var activity = Telemetry.AutomationActivities.Source.StartActivity("journey.step");
        activity?.SetTag("automation.journey", journey.Name);
        activity?.SetTag("automation.journey.step", step.Name);
        activity?.SetTag("automation.journey.action", step.Action.Name);
        switch (step.Action)
        {
            case SendAction send:
                var (variant, assigned) = AssignVariant(journey, send, snapshot);
                // Without variants the assigned context is the step's own, which the journey keeps: the message gets a copy.
                var sent = (JsonObject)assigned.DeepClone();
                // A message that promises a coupon carries the code it was issued, or is not sent.
                if (CouponOf(sent) is { } campaignName)
                {
                    if (await IssueCouponAsync(tx, writes, issuedAhead, journey, instance, step, snapshot, campaignName, now, ct) is not { } coupon) return false;
                    sent["Coupon"] = coupon.ToContext();
                }
                // A variant may name its own template (and, laid over the context, anything else the step gives).
                writes.Enqueue(new OutboxMessage(variant is null ? source : $"{source}:{variant}", customerId, journey.Name, instance.Id, step.Name,
                    sent["Channel"]!.GetValue<string>(), sent["Template"]!.GetValue<string>(), sent, now, variant)
                    { TraceParent = Telemetry.AutomationActivities.CurrentTraceParent() });
                return false;
            case AddTagAction add:
                await tx.AddTagsAsync([(customerId, add.Tag)], source, now, ct);
                state.Changed(customerId);
                return false;
            case RemoveTagAction remove:
                await tx.RemoveTagsAsync([(customerId, remove.Tag)], ct);
                state.Changed(customerId);
                return false;
            case AwardPointsAction award when Awarded(award, snapshot) is var awarded and > 0:
                await tx.AddPointsAsync(customerId, awarded, Points.PointsKinds.Award, $"journey {journey.Name} step {step.Name}", source, now,
                    now.AddMonths(_pointsExpiryMonths), ct);
                state.Changed(customerId);
                return false;
            case AwardPointsAction:
                return false;
            case IssueCouponAction issue:
                if (await IssueCouponAsync(tx, writes, issuedAhead, journey, instance, step, snapshot, issue.Campaign, now, ct) is not null) state.Changed(customerId);
                return false;
            case OpenTeamAction open:
                // The Team Opened event is stored for the timeline and later triggers; it starts no journey within this evaluation.
                var opening = teams?.Campaign(open.Campaign) is { } teamCampaign
                    ? await teams.OpenAsync(tx, teamCampaign, customerId, now, ct)
                    : Teams.TeamResult.Refused(Teams.TeamRefusal.UnknownCampaign, $"there is no team campaign '{open.Campaign}' in rules/teams/");
                if (opening.Reason is { } why)
                {
                    LogStepRefused(logger, journey.Name, step.Name, customerId, why);
                    writes.StepOutcome(instance.Id, step.Name, $"no team opened: {why}");
                }
                else
                {
                    writes.StepOutcome(instance.Id, step.Name, $"team {opening.Team!.Id} of {open.Campaign}");
                }
                return false;
            case ExitAction:
                writes.End(new InstanceEnd(instance.Id, JourneyEnd.Exited, $"step: {step.Name}", now), journey.Name);
                return true;
            default:
                throw new System.Diagnostics.UnreachableException($"No handler for the action {step.Action.Name}.");
        }
    }

    /// <summary>
    /// Issues a code of the campaign to the customer under the instance's <see cref="IssueKey"/>, or takes the one
    /// issued ahead. Null, logged with the reason, when the campaign is gone, the customer is not eligible or a limit is
    /// reached.
    /// </summary>
    private async Task<Coupons.IssuedCoupon?> IssueCouponAsync(IJourneyTransaction tx, PendingJourneyWrites writes, IReadOnlyDictionary<string, Coupons.CouponIssue> issuedAhead,
        JourneyDefinition journey, JourneyInstance instance, JourneyStep step, CustomerSnapshot snapshot, string campaignName, DateTimeOffset now, CancellationToken ct)
    {
        var customerId = snapshot.Profile.Id;
        string refusal;
        if (coupons.Find(campaignName) is not { } campaign)
            refusal = "no such campaign in rules/coupons";
        else if (Ineligible(campaign, instance, snapshot, now) is { } ineligible)
            refusal = ineligible;
        else
        {
            var key = IssueKey(journey, instance, campaign);
            var issue = issuedAhead.TryGetValue(key, out var ahead) ? ahead : await tx.IssueCouponAsync(new Coupons.CouponIssueRequest(campaign, customerId, key, now), ct);
            if (issue.Coupon is { } coupon) return coupon;
            refusal = issue.Refusal!;
        }
        LogCouponRefused(logger, journey.Name, step.Name, customerId, campaignName, refusal);
        writes.StepOutcome(instance.Id, step.Name, $"no coupon of {campaignName}: {refusal}");
        return null;
    }

    private string? Ineligible(Coupons.CouponCampaign campaign, JourneyInstance instance, CustomerSnapshot snapshot, DateTimeOffset now) =>
        campaign.Eligible is null ? null : Coupons.CouponEligibility.Refusal(campaign, FactsBuilder.Facts(snapshot, instance, TriggerFacts(instance), now, tiers.Program), now);

    private bool Holds(JourneyDefinition journey, CompiledRule rule, Facts facts, long customerId, DateTimeOffset now)
    {
        var result = rule.Evaluate(facts, now);
        if (result.QuarantinedNow is { } quarantine)
            LogQuarantined(logger, journey.Name, rule.Name, quarantine.Reason, quarantine.CustomerId);
        else if (result.Error is { } error)
            LogRuleFailed(logger, journey.Name, rule.Name, customerId, error);
        return result.Holds;
    }

    /// <summary>
    /// Customers' journey instances and last entries, and their snapshots (in a <see cref="SnapshotCache"/>, which
    /// others may share), each read when first needed and kept current as this evaluation changes them.
    /// </summary>
    /// <param name="actionReads">
    /// Parts every snapshot holds whatever was asked, for the steps' actions: a coupon is issued only where its
    /// campaign's <c>Eligible</c> holds, evaluated against the snapshot the step was (<see cref="Coupons.CouponCatalog.EligibleReads"/>).
    /// </param>
    /// <param name="snapshots">Where snapshots are read and kept.</param>
    internal sealed class CustomerState(SnapshotParts actionReads, SnapshotCache snapshots)
    {
        public IReadOnlyDictionary<long, CustomerSnapshot> Snapshots => snapshots.Snapshots;
        public Dictionary<(long CustomerId, string Journey), DateTimeOffset> LastEntries { get; } = [];
        private readonly Dictionary<long, List<JourneyInstance>> _active = [];

        /// <summary>Customers whose active instances and last entries are read.</summary>
        private readonly HashSet<long> _journeysRead = [];

        /// <summary>Every customer an action changed.</summary>
        public HashSet<long> Touched { get; } = [];

        public CustomerState(SnapshotParts actionReads) : this(actionReads, new SnapshotCache())
        {
        }

        /// <summary>Reads the active instances and last entries of those of these customers not read yet; returns those read now.</summary>
        public async Task<IReadOnlyList<long>> LoadJourneysAsync(IJourneyTransaction tx, IReadOnlyCollection<long> customerIds, CancellationToken ct)
        {
            var unread = customerIds.Where(_journeysRead.Add).ToList();
            if (unread.Count == 0) return unread;
            var journeys = await tx.LoadJourneysAsync(unread, ct);
            foreach (var instance in journeys.Active) Add(instance);
            foreach (var (key, at) in journeys.LastEntries) LastEntries[key] = at;
            return unread;
        }

        /// <summary>Asks for these parts of the customer's snapshot with the next read (<see cref="SnapshotCache.Want"/>).</summary>
        public void Want(long customerId, SnapshotParts parts) => snapshots.Want(customerId, parts | actionReads);

        /// <summary>Reads these customers' snapshots with at least these parts, unless read so already.</summary>
        public Task LoadSnapshotsAsync(IJourneyTransaction tx, IEnumerable<long> customerIds, SnapshotParts parts, CancellationToken ct) =>
            snapshots.LoadAsync(tx, customerIds, parts | actionReads, ct);

        /// <summary>Reads each customer's snapshot with at least the parts asked for them, unless read so already.</summary>
        public Task LoadSnapshotsAsync(IJourneyTransaction tx, IEnumerable<(long CustomerId, SnapshotParts Parts)> reads, CancellationToken ct) =>
            snapshots.LoadAsync(tx, reads.Select(r => (r.CustomerId, r.Parts | actionReads)), ct);

        /// <summary>Reads the active instances of these customers.</summary>
        public async Task LoadInstancesAsync(IJourneyTransaction tx, IReadOnlyCollection<long> customerIds, CancellationToken ct)
        {
            foreach (var instance in await tx.LoadActiveInstancesAsync(customerIds, ct)) Add(instance);
        }

        public void Changed(long customerId)
        {
            snapshots.Changed(customerId);
            Touched.Add(customerId);
        }

        public Task RereadChangedAsync(IJourneyTransaction tx, CancellationToken ct) => snapshots.RereadChangedAsync(tx, ct);

        public List<JourneyInstance> ActiveOf(long customerId) => _active.TryGetValue(customerId, out var list) ? list : [];

        public void Entered(JourneyInstance instance)
        {
            Add(instance);
            LastEntries[(instance.CustomerId, instance.Journey)] = instance.EnteredAt;
        }

        public void Ended(JourneyInstance instance) => _active[instance.CustomerId].Remove(instance);

        private void Add(JourneyInstance instance)
        {
            if (!_active.TryGetValue(instance.CustomerId, out var list)) _active[instance.CustomerId] = list = [];
            list.Add(instance);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Journey {Journey} rule {Rule} is quarantined and no longer evaluated until its file changes: it {Reason} for customer {CustomerId}")]
    private static partial void LogQuarantined(ILogger logger, string journey, string rule, string reason, string customerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journey {Journey} step {Step} did nothing for customer {CustomerId}: {Reason}")]
    private static partial void LogStepRefused(ILogger logger, string journey, string step, long customerId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journey {Journey} rule {Rule} failed for customer {CustomerId}: {Error}")]
    private static partial void LogRuleFailed(ILogger logger, string journey, string rule, long customerId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journey {Journey} step {Step} issued no coupon of {Campaign} to customer {CustomerId}, and sent nothing that promises one: {Reason}")]
    private static partial void LogCouponRefused(ILogger logger, string journey, string step, long customerId, string campaign, string reason);
}
