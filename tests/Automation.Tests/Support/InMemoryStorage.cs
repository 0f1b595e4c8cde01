using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Tests.Support;

/// <summary>
/// The storage ports the engines use, held in memory, so journey, tag, tier and points logic is tested in
/// milliseconds; the contract suites in Storage/ prove the SQL on SQLite and PostgreSQL. One transaction at a time,
/// as on SQLite: it works on the committed tables, publishes them on commit and drops them otherwise. Reads outside
/// a transaction see the last commit. Not implemented: the outbox store (claiming, sending, suppressions) and
/// analytics, which the dispatcher and reports tests run on the databases.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The writer semaphore never hands out its wait handle, so it holds nothing to dispose.")]
internal sealed partial class InMemoryStorage : IIngestionStore, IJourneyStore, IJourneyQueries, ICustomerStore, IRfmStore, IDrawQueries, IRewardQueries, ITeamQueries
{
    public Task<Automation.Core.Teams.TeamView?> FindTeamAsync(long teamId, CancellationToken cancellationToken)
    {
        var tables = _committed;
        if (teamId < 1 || teamId > tables.Teams.Count) return Task.FromResult<Automation.Core.Teams.TeamView?>(null);
        var members = tables.TeamMembers.Where(m => m.Key.TeamId == teamId).Select(m => m.Value).OrderBy(m => m.Position)
            .Select(m => tables.Customer(m.CustomerId) is { } c ? new Automation.Core.Teams.TeamMemberView(c.ExternalId, c.AnonymousId, c.Name, m.Position, m.JoinedAt, m.Share) : null)
            .OfType<Automation.Core.Teams.TeamMemberView>().ToList();
        return Task.FromResult<Automation.Core.Teams.TeamView?>(new Automation.Core.Teams.TeamView(tables.Teams[(int)teamId - 1], members));
    }

    private readonly SemaphoreSlim _writer = new(1, 1);
    private volatile InMemoryTables _committed = InMemoryTables.Empty;

    private int _snapshotReads;

    /// <summary>How many times a transaction has read snapshots: each read is one round trip on a database.</summary>
    public int SnapshotReads => _snapshotReads;

    internal void CountSnapshotRead() => Interlocked.Increment(ref _snapshotReads);

    public int ConcurrentTransactions => 1;

    public async Task<IIngestTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        return new InMemoryTransaction(this, _committed, () => _writer.Release());
    }

    public async Task<IJourneyTransaction> BeginJourneyWorkAsync(CancellationToken cancellationToken) => await BeginAsync(cancellationToken);

    /// <summary>Makes a transaction's tables the committed ones; called by the transaction holding the writer.</summary>
    internal void Publish(InMemoryTables tables) => _committed = tables;

    public Task<IReadOnlyList<long>> CustomersWithActiveInstancesAsync(long afterCustomerId, int limit, CancellationToken cancellationToken) =>
        Page(_committed.Instances.Where(i => i.Status == InstanceRow.Active).Select(i => i.CustomerId), afterCustomerId, limit);

    public Task<IReadOnlyList<CustomerSnapshot>> SnapshotsAsync(IReadOnlyCollection<long> customerIds, SnapshotParts parts, CancellationToken cancellationToken) =>
        Task.FromResult(_committed.Snapshots(customerIds, parts));

    public Task<IReadOnlyList<JourneyInstance>> ActiveInstancesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        Task.FromResult(_committed.ActiveInstances(customerIds));

    public Task<IReadOnlyList<long>> CustomersInTimezoneAsync(string timezone, long afterCustomerId, int limit, CancellationToken cancellationToken) =>
        Page(_committed.Customers.Where(c => timezone == JourneyScheduler.AllZones || Zone(c) == timezone).Select(c => c.Id), afterCustomerId, limit);

    /// <summary>Reads no bound: every customer of the range and zone not recently entered, which the contract allows.</summary>
    public Task<IReadOnlyList<IReadOnlyList<long>>> AudienceCandidatesAsync(IReadOnlyList<AudienceSelection> selections, long firstId, long lastId, CancellationToken cancellationToken)
    {
        var tables = _committed;
        return Task.FromResult<IReadOnlyList<IReadOnlyList<long>>>([.. selections.Select(s => (IReadOnlyList<long>)[.. tables.Customers
            .Where(c => c.Id >= firstId && c.Id <= lastId && (s.Zone == JourneyScheduler.AllZones || Zone(c) == s.Zone))
            .Where(c => !tables.Instances.Any(i => i.CustomerId == c.Id && i.Journey == s.Journey && (s.EnteredAfter is not { } after || i.EnteredAt > after)))
            .Select(c => c.Id)])]);
    }

    /// <summary>Reads no bound: every customer of the range with an active instance of a journey listed, which the contract allows.</summary>
    public Task<IReadOnlyList<long>> WorkCandidatesAsync(IReadOnlyList<WorkSelection> journeys, long firstId, long lastId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<long>>([.. _committed.Instances
            .Where(i => i.Status == InstanceRow.Active && i.CustomerId >= firstId && i.CustomerId <= lastId && journeys.Any(j => j.Journey == i.Journey))
            .Select(i => i.CustomerId).Distinct().Order()]);

    public Task<IReadOnlyList<long>> CustomersWithExpiredPointsAsync(DateTimeOffset now, long afterCustomerId, int limit, CancellationToken cancellationToken) =>
        Page(_committed.Points.Where(p => p.Entry.ExpiresAt <= now).Select(p => p.CustomerId), afterCustomerId, limit);

    public Task<IReadOnlyList<string>> TimezonesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. _committed.Customers.Select(Zone).Distinct()]);

    public Task<IReadOnlyDictionary<string, JourneyCounts>> CountsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, JourneyCounts>>(_committed.Instances.GroupBy(i => i.Journey).ToDictionary(g => g.Key, g => new JourneyCounts(
            g.Count(i => i.Status == InstanceRow.Active), g.Count(i => i.Status == "completed"), g.Count(i => i.Status == "exited"))));

    public Task<IReadOnlyList<JourneyInstanceView>> InstancesOfAsync(long customerId, CancellationToken cancellationToken)
    {
        var tables = _committed;
        return Task.FromResult<IReadOnlyList<JourneyInstanceView>>([.. tables.Instances.Where(i => i.CustomerId == customerId)
            .OrderByDescending(i => i.EnteredAt).ThenByDescending(i => i.Id)
            .Select(i => new JourneyInstanceView(i.Id, i.Journey, i.Status, i.EndReason, i.EnteredAt, i.EndedAt,
                [.. tables.Steps.Values.Where(s => s.InstanceId == i.Id).OrderBy(s => s.FiredAt).Select(s => new JourneyStepView(s.Step, s.Action, s.FiredAt, s.Outcome))]))]);
    }

    public Task<IReadOnlyList<OutboxView>> MessagesOfAsync(long customerId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<OutboxView>>([.. _committed.Outbox.Where(o => o.Message.CustomerId == customerId)
            .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id)
            .Select(o => new OutboxView(o.Id, o.Message.Journey, o.Message.Step, o.Message.Channel, o.Message.Template, o.Status, o.CreatedAt, o.Message.DueAt,
                o.Message.Variant, null, null))]);

    public Task<JourneyFunnel> FunnelAsync(string journey, CancellationToken cancellationToken)
    {
        var tables = _committed;
        var instances = tables.Instances.Where(i => i.Journey == journey).Select(i => i.Id).ToHashSet();
        var steps = tables.Steps.Values.Where(s => instances.Contains(s.InstanceId)).GroupBy(s => s.Step).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        var messages = tables.Outbox.Where(o => o.Message.Journey == journey)
            .GroupBy(o => (o.Message.Step, o.Message.Variant, o.Status))
            .Select(g => new StepMessageCount(g.Key.Step, g.Key.Variant, g.Key.Status, g.Count()))
            .OrderBy(m => m.Step, StringComparer.Ordinal).ThenBy(m => m.Variant, StringComparer.Ordinal).ThenBy(m => m.Status.Text(), StringComparer.Ordinal);
        return Task.FromResult(new JourneyFunnel(steps, [.. messages]));
    }

    public Task<CustomerSnapshot?> FindAsync(string id, CancellationToken cancellationToken)
    {
        // The signed-in id wins over a device id that happens to be equal.
        var tables = _committed;
        var customer = tables.Customers.FirstOrDefault(c => c.ExternalId == id) ?? tables.Customers.FirstOrDefault(c => c.AnonymousId == id);
        return Task.FromResult(customer is null ? null : tables.Snapshots([customer.Id], SnapshotParts.All).Single());
    }

    public Task<IReadOnlyList<TierChange>> TierHistoryAsync(long customerId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TierChange>>([.. _committed.TierHistory.Where(h => h.CustomerId == customerId)
            .OrderBy(h => h.Change.ChangedAt).ThenBy(h => h.Id).Select(h => h.Change)]);

    public Task<OrderTotals> OrderTotalsAsync(long customerId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        Task.FromResult(_committed.OrderTotals([customerId], from, until).GetValueOrDefault(customerId));

    public Task<IReadOnlyList<CustomerMatch>> SearchAsync(string term, int limit, CancellationToken cancellationToken)
    {
        var trimmed = term.Trim();
        if (trimmed.Length == 0) return Task.FromResult<IReadOnlyList<CustomerMatch>>([]);
        var phone = ProfileTraits.NormalizePhone(trimmed) ?? trimmed;
        return Task.FromResult<IReadOnlyList<CustomerMatch>>([.. _committed.Customers
            .Where(c => c.ExternalId == trimmed || c.AnonymousId == trimmed || c.Email == trimmed || c.Phone == phone)
            .Take(limit).Select(c => new CustomerMatch(c.Id, c.ExternalId, c.AnonymousId, c.Email, c.Phone, c.Name))]);
    }

    public Task<IReadOnlyList<EventView>> EventsOfAsync(long customerId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<EventView>>([.. _committed.Events.Where(e => e.Record.CustomerId == customerId)
            .OrderByDescending(e => e.Record.OccurredAt).ThenByDescending(e => e.Id).Take(limit)
            .Select(e => new EventView(e.Id, e.Record.Type.ToString().ToLowerInvariant(), e.Record.Name, e.Record.Properties.ToJsonString(), e.Record.OccurredAt, e.Record.ReceivedAt))]);

    // Suppressions are written by the outbox store, which this store does not implement.
    public Task<IReadOnlyList<SuppressionView>> SuppressionsOfAsync(long customerId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SuppressionView>>([]);

    public async Task<int> ComputeRfmAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = (InMemoryTransaction)await BeginAsync(cancellationToken);
        var scored = transaction.ComputeRfm(now);
        await transaction.CommitAsync(cancellationToken);
        return scored;
    }

    public Task<IReadOnlyList<DrawPrizeTally>> DrawTalliesAsync(string? draw, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DrawPrizeTally>>([.. _committed.DrawEntries.Where(e => draw is null || e.Start.Draw == draw)
            .GroupBy(e => (e.Start.Draw, e.Pick.Prize)).OrderBy(g => g.Key.Draw, StringComparer.Ordinal).ThenBy(g => g.Key.Prize, StringComparer.Ordinal)
            .Select(g => new DrawPrizeTally(g.Key.Draw, g.Key.Prize, g.Count(), g.Sum(e => (long)e.Start.PointsSpent), g.Sum(e => (long)e.Pick.PointsWon)))]);

    public Task<IReadOnlyDictionary<string, long>> RewardStockTakenAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, long>>(_committed.RewardStock.ToDictionary(s => s.Key, s => (long)s.Value, StringComparer.Ordinal));

    public Task<IReadOnlyList<RewardRedemptionLine>> RewardRedemptionsAsync(string? status, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        var tables = _committed;
        return Task.FromResult<IReadOnlyList<RewardRedemptionLine>>([.. tables.RewardRedemptions.Where(r => (status is null || r.Status == status) && r.Id < (beforeId ?? long.MaxValue))
            .OrderByDescending(r => r.Id).Take(limit)
            .Select(r => new RewardRedemptionLine(tables.Customer(r.Start.CustomerId) is { } c ? c.ExternalId ?? c.AnonymousId ?? "" : "", r))]);
    }

    public Task<IReadOnlyList<DrawEntryLine>> DrawEntriesAsync(string draw, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        var tables = _committed;
        return Task.FromResult<IReadOnlyList<DrawEntryLine>>([.. tables.DrawEntries.Where(e => e.Start.Draw == draw && e.Id < (beforeId ?? long.MaxValue))
            .OrderByDescending(e => e.Id).Take(limit)
            .Select(e => new DrawEntryLine(tables.Customer(e.Start.CustomerId) is { } c ? c.ExternalId ?? c.AnonymousId ?? "" : "", e))]);
    }

    private static string Zone(CustomerProfile customer) => customer.Timezone ?? "UTC";

    private static Task<IReadOnlyList<long>> Page(IEnumerable<long> customerIds, long afterCustomerId, int limit) =>
        Task.FromResult<IReadOnlyList<long>>([.. customerIds.Where(id => id > afterCustomerId).Distinct().Order().Take(limit)]);
}
