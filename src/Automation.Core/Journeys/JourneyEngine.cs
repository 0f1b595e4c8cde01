using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Microsoft.Extensions.Logging;
using RulesEngine.Models;

namespace Automation.Core.Journeys;

/// <summary>
/// Runs journeys: enters customers, fires due steps and ends instances, all inside the caller's transaction.
/// Each entry and each step is guarded by a unique key, so a retry, a second node or a replayed event never fires
/// anything twice.
/// </summary>
public sealed class JourneyEngine(JourneyCatalog catalog, ILogger<JourneyEngine> logger, Points.PointsSettings? points = null)
{
    private readonly int _pointsExpiryMonths = (points ?? new Points.PointsSettings()).ExpiryMonths;

    /// <summary>An event older than this when it arrives still counts for stats, carts and exits, but starts no journey.</summary>
    public static readonly TimeSpan EntryWindow = TimeSpan.FromHours(24);

    /// <summary>Applies ingested events: exits first, then entries, then the steps due at once.</summary>
    public async Task OnEventsAsync(IJourneyTransaction tx, IReadOnlyList<(InboundMessage Message, long CustomerId)> fresh, DateTimeOffset now, CancellationToken ct)
    {
        var set = catalog.Current;
        var journeys = set.Running.ToList();
        var names = journeys.SelectMany(j => j.Exit.Events.Concat(j.Trigger is EventTrigger t ? t.Events : [])).ToHashSet(StringComparer.Ordinal);
        var relevant = fresh
            .Where(f => f.Message.Type == MessageType.Track && f.Message.EventName is { } n && names.Contains(n))
            .OrderBy(f => f.Message.Timestamp)
            .ToList();
        if (relevant.Count == 0) return;

        var customerIds = relevant.Select(f => f.CustomerId).ToHashSet();
        var state = await CustomerState.LoadAsync(tx, customerIds, ct);
        var writes = new PendingJourneyWrites(tx, now);
        foreach (var (message, customerId) in relevant)
        {
            var snapshot = state.Snapshots[customerId];
            foreach (var instance in state.ActiveOf(customerId).ToList())
            {
                if (set.Find(instance.Journey) is { } journey && journey.Exit.Events.Contains(message.EventName!) && message.Timestamp >= instance.EnteredAt)
                {
                    await writes.EndAsync(new InstanceEnd(instance.Id, JourneyEnd.Exited, $"event: {message.EventName}", now), ct);
                    state.Ended(instance);
                }
            }

            if (now - message.Timestamp > EntryWindow) continue;
            var eventFacts = FactsBuilder.Event(message.EventName, message.Properties);
            foreach (var journey in journeys.Where(j => j.Trigger is EventTrigger t && t.Events.Contains(message.EventName!)))
            {
                var triggerEvent = new JsonObject { ["name"] = message.EventName, ["messageId"] = message.MessageId, ["properties"] = message.Properties.DeepClone() };
                if (CanEnter(set, journey, snapshot, state, eventFacts, message.Timestamp, now))
                    await EnterAndEvaluateAsync(tx, writes, set, journey, state, [new JourneyEntry(customerId, journey.Name, message.MessageId, message.Timestamp, triggerEvent)], now, ct);
            }
        }
        await writes.FlushAsync(ct);
    }

    /// <summary>
    /// Enters a page of customers into due scheduled or scanned journeys, each customer into those of its entries whose
    /// zone is theirs (or <see cref="JourneyScheduler.AllZones"/>) and whose audience selects them; returns the count
    /// entered per entry, in the order given. The page is read once for all of them; a customer an earlier journey's
    /// action changed (a tag, points, a coupon) is read again before the next journey's audience looks at them.
    /// </summary>
    public async Task<IReadOnlyList<int>> EnterAudiencesAsync(IJourneyTransaction tx, IReadOnlyList<DueAudience> due, IReadOnlyCollection<long> customerIds,
        DateTimeOffset now, CancellationToken ct)
    {
        var set = catalog.Current;
        var state = await CustomerState.LoadAsync(tx, customerIds, ct);
        var writes = new PendingJourneyWrites(tx, now);
        var entered = new int[due.Count];
        for (var d = 0; d < due.Count; d++)
        {
            await state.RereadChangedAsync(tx, ct);
            var (journey, entryKey, zone) = due[d];
            var entries = new List<JourneyEntry>();
            foreach (var id in customerIds)
            {
                var snapshot = state.Snapshots[id];
                if (zone != JourneyScheduler.AllZones && (snapshot.Profile.Timezone ?? FactsBuilder.DefaultZone) != zone) continue;
                if (CanEnter(set, journey, snapshot, state, new EventFacts(), now, now))
                    entries.Add(new JourneyEntry(id, journey.Name, entryKey, now, null));
            }
            entered[d] = await EnterAndEvaluateAsync(tx, writes, set, journey, state, entries, now, ct);
            await writes.FlushAsync(ct);
        }
        return entered;
    }

    /// <summary>Evaluates every active instance of these customers at <paramref name="now"/>.</summary>
    public async Task EvaluateAsync(IJourneyTransaction tx, IReadOnlyCollection<long> customerIds, DateTimeOffset now, CancellationToken ct)
    {
        var set = catalog.Current;
        var state = await CustomerState.LoadAsync(tx, customerIds, ct);
        var writes = new PendingJourneyWrites(tx, now);
        foreach (var id in customerIds)
        {
            foreach (var instance in state.ActiveOf(id).ToList())
            {
                if (set.Find(instance.Journey) is not { } journey) continue; // disabled or removed: waits, untouched
                await EvaluateInstanceAsync(tx, writes, state, set, journey, instance, state.Snapshots[id], now, ct);
            }
        }
        await writes.FlushAsync(ct);
    }

    /// <summary>Whether the customer may enter now: not in it, re-entry wait over, trigger condition or audience holding.</summary>
    private bool CanEnter(JourneySet set, JourneyDefinition journey, CustomerSnapshot snapshot, CustomerState state, EventFacts eventFacts, DateTimeOffset enteredAt, DateTimeOffset now)
    {
        var customerId = snapshot.Profile.Id;
        if (state.ActiveOf(customerId).Any(i => i.Journey == journey.Name)) return false;
        if (state.LastEntries.TryGetValue((customerId, journey.Name), out var lastEntry) &&
            (journey.ReEntryAfter is not { } wait || enteredAt - lastEntry < wait))
            return false;
        return set.Compiled(journey.Name).Trigger is not { } trigger || Holds(journey, trigger, FactsBuilder.Facts(snapshot, null, eventFacts, now), customerId);
    }

    /// <summary>Makes the entries (those already made or with an instance active are skipped) and runs the steps due at once; returns how many entered.</summary>
    private async Task<int> EnterAndEvaluateAsync(IJourneyTransaction tx, PendingJourneyWrites writes, JourneySet set, JourneyDefinition journey, CustomerState state,
        IReadOnlyList<JourneyEntry> entries, DateTimeOffset now, CancellationToken ct)
    {
        var instances = await writes.EnterAsync(entries, ct);
        foreach (var instance in instances)
        {
            state.Entered(instance);
            await EvaluateInstanceAsync(tx, writes, state, set, journey, instance, state.Snapshots[instance.CustomerId], now, ct);
        }
        return instances.Count;
    }

    private async Task EvaluateInstanceAsync(IJourneyTransaction tx, PendingJourneyWrites writes, CustomerState state, JourneySet set, JourneyDefinition journey, JourneyInstance instance,
        CustomerSnapshot snapshot, DateTimeOffset now, CancellationToken ct)
    {
        if (now - instance.EnteredAt > journey.MaxAge)
        {
            await writes.EndAsync(new InstanceEnd(instance.Id, JourneyEnd.Completed, "max age", now), ct);
            return;
        }

        var eventFacts = FactsBuilder.Event(instance.TriggerEvent?["name"]?.GetValue<string>(), instance.TriggerEvent?["properties"] as JsonObject);
        var compiled = set.Compiled(journey.Name);
        var facts = FactsBuilder.Facts(snapshot, instance, eventFacts, now);
        if (compiled.Exit is { } exit && Holds(journey, exit, facts, snapshot.Profile.Id))
        {
            await writes.EndAsync(new InstanceEnd(instance.Id, JourneyEnd.Exited, "exit condition", now), ct);
            return;
        }

        var done = instance.StepsDone.ToHashSet(StringComparer.Ordinal);
        foreach (var (step, rule) in compiled.Steps)
        {
            if (done.Contains(step.Name) || !Holds(journey, rule, facts, snapshot.Profile.Id)) continue;
            if (!await writes.RecordStepAsync(new FiredStep(instance.Id, step.Name, step.Action, now), ct)) continue;
            done.Add(step.Name);
            if (await RunActionAsync(tx, writes, state, journey, instance, step, snapshot, now, ct))
                return; // an Exit action ended the instance
        }

        if (compiled.Steps.All(s => done.Contains(s.Step.Name)))
            await writes.EndAsync(new InstanceEnd(instance.Id, JourneyEnd.Completed, "all steps done", now), ct);
    }

    /// <summary>Runs a step's action; true when it ended the instance.</summary>
    private async Task<bool> RunActionAsync(IJourneyTransaction tx, PendingJourneyWrites writes, CustomerState state, JourneyDefinition journey, JourneyInstance instance, JourneyStep step,
        CustomerSnapshot snapshot, DateTimeOffset now, CancellationToken ct)
    {
        var customerId = snapshot.Profile.Id;
        var source = $"{journey.Name}:{instance.Id}:{step.Name}";
        var context = step.ActionContext;
        switch (step.Action)
        {
            case JourneyActions.Send:
                var (variant, sent) = Messaging.Variants.Assign(journey.Name, snapshot.Profile.ExternalId ?? snapshot.Profile.AnonymousId ?? customerId.ToString(System.Globalization.CultureInfo.InvariantCulture), context);
                writes.Enqueue(new OutboxMessage(variant is null ? source : $"{source}:{variant}", customerId, journey.Name, instance.Id, step.Name,
                    sent["Channel"]!.GetValue<string>(), sent["Template"]!.GetValue<string>(), (JsonObject)sent.DeepClone(), now, variant));
                return false;
            case JourneyActions.AddTag:
                await tx.AddTagAsync(customerId, context["Tag"]!.GetValue<string>(), source, now, ct);
                state.Changed(customerId);
                return false;
            case JourneyActions.RemoveTag:
                await tx.RemoveTagAsync(customerId, context["Tag"]!.GetValue<string>(), ct);
                state.Changed(customerId);
                return false;
            case JourneyActions.AwardPoints:
                await tx.AddPointsAsync(customerId, context["Points"]!.GetValue<int>(), Points.PointsKinds.Award, $"journey {journey.Name} step {step.Name}", source, now,
                    now.AddMonths(_pointsExpiryMonths), ct);
                state.Changed(customerId);
                return false;
            case JourneyActions.IssueCoupon:
                await tx.IssueCouponAsync(customerId, context["Coupon"]!.GetValue<string>(), source, now, ct);
                state.Changed(customerId);
                return false;
            case JourneyActions.Exit:
                await writes.EndAsync(new InstanceEnd(instance.Id, JourneyEnd.Exited, $"step: {step.Name}", now), ct);
                return true;
            default:
                throw new InvalidOperationException($"Unknown action '{step.Action}' passed validation.");
        }
    }

    private bool Holds(JourneyDefinition journey, CompiledRule rule, Facts facts, long customerId)
    {
        if (rule.Holds(facts, out var error)) return true;
        if (error is not null)
            logger.LogWarning("Journey {Journey} rule {Rule} failed for customer {CustomerId}: {Error}", journey.Name, rule.Name, customerId, error);
        return false;
    }

    /// <summary>The customers' snapshots and journey instances, kept current as this evaluation changes them.</summary>
    private sealed class CustomerState
    {
        public required Dictionary<long, CustomerSnapshot> Snapshots { get; init; }
        public required Dictionary<long, List<JourneyInstance>> Active { get; init; }
        public required Dictionary<(long CustomerId, string Journey), DateTimeOffset> LastEntries { get; init; }

        public static async Task<CustomerState> LoadAsync(IJourneyTransaction tx, IReadOnlyCollection<long> customerIds, CancellationToken ct)
        {
            var snapshots = await tx.LoadSnapshotsAsync(customerIds, ct);
            var active = await tx.LoadActiveInstancesAsync(customerIds, ct);
            var lastEntries = await tx.LoadLastEntriesAsync(customerIds, ct);
            return new CustomerState
            {
                Snapshots = snapshots.ToDictionary(s => s.Profile.Id),
                Active = active.GroupBy(i => i.CustomerId).ToDictionary(g => g.Key, g => g.ToList()),
                LastEntries = lastEntries.ToDictionary(),
            };
        }

        /// <summary>Customers whose snapshot an action changed since it was read.</summary>
        private readonly HashSet<long> _changed = [];

        public void Changed(long customerId) => _changed.Add(customerId);

        public async Task RereadChangedAsync(IJourneyTransaction tx, CancellationToken ct)
        {
            if (_changed.Count == 0) return;
            foreach (var snapshot in await tx.LoadSnapshotsAsync(_changed, ct)) Snapshots[snapshot.Profile.Id] = snapshot;
            _changed.Clear();
        }

        public IEnumerable<JourneyInstance> ActiveOf(long customerId) => Active.TryGetValue(customerId, out var list) ? list : [];

        public void Entered(JourneyInstance instance)
        {
            if (!Active.TryGetValue(instance.CustomerId, out var list)) Active[instance.CustomerId] = list = [];
            list.Add(instance);
            LastEntries[(instance.CustomerId, instance.Journey)] = instance.EnteredAt;
        }

        public void Ended(JourneyInstance instance) => Active[instance.CustomerId].Remove(instance);
    }
}
