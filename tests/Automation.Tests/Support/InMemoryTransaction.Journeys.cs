using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Tests.Support;

// Journey work inside the transaction: instances, steps, outbox rows, tags, points, and tiers.
internal sealed partial class InMemoryTransaction
{
    public Task<IReadOnlyList<CustomerSnapshot>> LoadSnapshotsAsync(IReadOnlyDictionary<long, SnapshotParts> reads, CancellationToken cancellationToken)
    {
        store.CountSnapshotRead();
        return Done(_tables.Snapshots(reads));
    }

    public Task<IReadOnlyList<JourneyInstance>> LoadActiveInstancesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        Done(_tables.ActiveInstances(customerIds));

    public Task<IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset>> LoadLastEntriesAsync(IReadOnlyCollection<long> customerIds, string? journey, CancellationToken cancellationToken) =>
        Done(_tables.LastEntries(customerIds, journey));

    public Task<CustomerJourneys> LoadJourneysAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        Done(new CustomerJourneys(_tables.ActiveInstances(customerIds), _tables.LastEntries(customerIds, null)));

    public Task<IReadOnlyList<JourneyInstance>> EnterAsync(IReadOnlyList<JourneyEntry> entries, CancellationToken cancellationToken)
    {
        var rows = _tables.Instances.ToBuilder();
        var entered = new List<JourneyInstance>();
        foreach (var e in entries)
        {
            // The two unique keys: an entry key per customer and journey, and one active instance per customer and journey.
            if (rows.Any(i => i.CustomerId == e.CustomerId && i.Journey == e.Journey && (i.EntryKey == e.EntryKey || i.Status == InstanceRow.Active))) continue;
            var row = new InstanceRow(rows.Count + 1, e.CustomerId, e.Journey, e.EntryKey, e.EnteredAt, JsonCopy.OrNull(e.TriggerEvent), e.JourneyHash);
            rows.Add(row);
            entered.Add(new JourneyInstance(row.Id, e.CustomerId, e.Journey, e.EnteredAt, null, [], e.TriggerEvent, e.JourneyHash));
        }
        _tables = _tables with { Instances = rows.ToImmutable() };
        return Done<IReadOnlyList<JourneyInstance>>(entered);
    }

    public Task<IReadOnlyList<FiredStep>> RecordStepsAsync(IReadOnlyList<FiredStep> steps, CancellationToken cancellationToken)
    {
        var rows = _tables.Steps;
        var instances = _tables.Instances;
        var recorded = new List<FiredStep>();
        foreach (var s in steps)
        {
            // A step fires at most once per instance; the last one recorded sets the instance's last step time.
            if (rows.ContainsKey((s.InstanceId, s.Step))) continue;
            rows = rows.Add((s.InstanceId, s.Step), new StepRow(s.InstanceId, s.Step, s.Action, s.At));
            var index = (int)s.InstanceId - 1;
            instances = instances.SetItem(index, instances[index] with { LastStepAt = s.At });
            recorded.Add(s);
        }
        _tables = _tables with { Steps = rows, Instances = instances };
        return Done<IReadOnlyList<FiredStep>>(recorded);
    }

    public Task SetStepOutcomeAsync(long instanceId, string stepName, string outcome, CancellationToken cancellationToken)
    {
        if (_tables.Steps.TryGetValue((instanceId, stepName), out var row))
            _tables = _tables with { Steps = _tables.Steps.SetItem((instanceId, stepName), row with { Outcome = outcome }) };
        return Task.CompletedTask;
    }

    public Task EndAsync(IReadOnlyList<InstanceEnd> ends, CancellationToken cancellationToken)
    {
        var instances = _tables.Instances;
        foreach (var end in ends)
        {
            // Only an active instance ends, so the first end given for an instance wins.
            var index = (int)end.InstanceId - 1;
            if (instances[index].Status != InstanceRow.Active) continue;
            instances = instances.SetItem(index, instances[index] with
            {
                Status = end.End == JourneyEnd.Completed ? "completed" : "exited", EndReason = end.Reason, EndedAt = end.At,
            });
        }
        _tables = _tables with { Instances = instances };
        return Task.CompletedTask;
    }

    public Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = _tables.Outbox.ToBuilder();
        var keys = rows.Select(o => o.Message.IdempotencyKey).ToHashSet(StringComparer.Ordinal);
        foreach (var m in messages.Where(m => keys.Add(m.IdempotencyKey)))
            rows.Add(new OutboxRow(rows.Count + 1, m with { Context = JsonCopy.Of(m.Context) }, m.Variant == Variants.Holdout ? MessageStatus.Holdout : MessageStatus.Queued, now));
        _tables = _tables with { Outbox = rows.ToImmutable() };
        return Task.CompletedTask;
    }

    public Task AddTagsAsync(IReadOnlyList<(long CustomerId, string Tag)> tags, string source, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var (customerId, tag) in tags)
            if (!_tables.Tags.ContainsKey((customerId, tag)))
                _tables = _tables with { Tags = _tables.Tags.Add((customerId, tag), new TagRow(customerId, tag, source, at)) };
        return Task.CompletedTask;
    }

    public Task RemoveTagsAsync(IReadOnlyList<(long CustomerId, string Tag)> tags, CancellationToken cancellationToken)
    {
        _tables = _tables with { Tags = _tables.Tags.RemoveRange(tags) };
        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<string>> AddPointsAsync(IReadOnlyList<PointsGrant> grants, CancellationToken cancellationToken)
    {
        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in grants)
        {
            if (_tables.Points.Any(p => p.Entry.SourceKey == g.SourceKey)) continue;
            var entry = new PointsEntry(_tables.Points.Count + 1, g.Points, g.Kind, g.Reason, g.SourceKey, g.At, g.ExpiresAt);
            _tables = _tables with { Points = _tables.Points.Add(new LedgerRow(g.CustomerId, entry)) };
            added.Add(g.SourceKey);
        }
        return Done<IReadOnlySet<string>>(added);
    }

    public Task<PointsEntry?> FindPointsAsync(string sourceKey, CancellationToken cancellationToken) =>
        Done(_tables.Points.FirstOrDefault(p => p.Entry.SourceKey == sourceKey)?.Entry);

    public Task<IReadOnlyList<PointsEntry>> LoadPointsAsync(long customerId, CancellationToken cancellationToken) => Done(_tables.Ledger(customerId));

    public Task<decimal?> OrderTotalAsync(string orderId, CancellationToken cancellationToken) =>
        Done(_tables.Orders.GetValueOrDefault(orderId) is { CompletedAt: not null } order ? order.Total : (decimal?)null);

    // One transaction at a time holds every customer already.
    public Task LockCustomersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyDictionary<long, OrderTotals>> OrderTotalsAsync(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        Done(_tables.OrderTotals(customerIds, from, until));

    public Task<IReadOnlyDictionary<long, TierStanding>> LoadTiersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        Done<IReadOnlyDictionary<long, TierStanding>>(customerIds.Distinct().Where(_tables.Tiers.ContainsKey).ToDictionary(id => id, id => _tables.Tiers[id]));

    public Task SaveTiersAsync(IReadOnlyDictionary<long, TierStanding> standings, CancellationToken cancellationToken)
    {
        _tables = _tables with { Tiers = _tables.Tiers.SetItems(standings) };
        return Task.CompletedTask;
    }

    public Task RecordTierChangesAsync(IReadOnlyList<(long CustomerId, TierChange Change)> changes, CancellationToken cancellationToken)
    {
        foreach (var (customerId, change) in changes)
            _tables = _tables with { TierHistory = _tables.TierHistory.Add(new TierChangeRow(_tables.TierHistory.Count + 1, customerId, change)) };
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> LastCheckedAsync(string journey, string timezone, CancellationToken cancellationToken) =>
        Done(_tables.ScheduleChecks.TryGetValue((journey, timezone), out var at) ? at : (DateTimeOffset?)null);

    public Task SetLastCheckedAsync(string journey, string timezone, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _tables = _tables with { ScheduleChecks = _tables.ScheduleChecks.SetItem((journey, timezone), at) };
        return Task.CompletedTask;
    }
}
