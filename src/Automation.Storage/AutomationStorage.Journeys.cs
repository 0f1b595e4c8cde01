using Automation.Core.Audit;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The scheduler's pages and the API's views of journeys.
public abstract partial class AutomationStorage : IJourneyVersions
{
    public async Task<IReadOnlyList<long>> CustomersWithActiveInstancesAsync(long afterCustomerId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT DISTINCT customer_id FROM journey_instances WHERE status = 'active' AND customer_id > @afterCustomerId ORDER BY customer_id LIMIT @limit",
            new { afterCustomerId, limit }, cancellationToken: cancellationToken))];
    }

    public async Task<IReadOnlyList<CustomerSnapshot>> SnapshotsAsync(IReadOnlyCollection<long> customerIds, SnapshotParts parts, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await CustomerQueries.LoadAsync(Dialect, connection, null, customerIds, parts, cancellationToken);
    }

    public async Task<IReadOnlyList<JourneyInstance>> ActiveInstancesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await CustomerQueries.ActiveInstancesAsync(Dialect, connection, null, customerIds, cancellationToken);
    }

    public async Task<IReadOnlyList<long>> CustomersInTimezoneAsync(string timezone, long afterCustomerId, int limit, CancellationToken cancellationToken)
    {
        // The zone expression is the one ix_customers_zone is built on, so each page is one ordered index range.
        var filter = timezone == "*" ? "" : "AND COALESCE(timezone, 'UTC') = @timezone";
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT id FROM customers WHERE id > @afterCustomerId {filter} ORDER BY id LIMIT @limit",
            new { afterCustomerId, limit, timezone }, cancellationToken: cancellationToken))];
    }

    public async Task<IReadOnlyList<IReadOnlyList<long>>> AudienceCandidatesAsync(IReadOnlyList<AudienceSelection> selections, long firstId, long lastId,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await AudienceQueries.CandidatesAsync(Dialect, connection, selections, firstId, lastId, cancellationToken);
    }

    public async Task<IReadOnlyList<long>> WorkCandidatesAsync(IReadOnlyList<WorkSelection> journeys, long firstId, long lastId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await AudienceQueries.WorkCandidatesAsync(Dialect, connection, journeys, firstId, lastId, cancellationToken);
    }

    public async Task<IReadOnlyList<long>> CustomersWithExpiredPointsAsync(DateTimeOffset now, long afterCustomerId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT DISTINCT customer_id FROM points_ledger WHERE expires_at <= @now AND customer_id > @afterCustomerId ORDER BY customer_id LIMIT @limit",
            new { now, afterCustomerId, limit }, cancellationToken: cancellationToken))];
    }

    public async Task<IReadOnlyList<string>> TimezonesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // One probe of ix_customers_zone a zone, each the least after the one before: a plain DISTINCT read every
        // customer on PostgreSQL, each tick with a schedule (51 ms at 100,000 customers; a few zones this way, 0.2 ms).
        return [.. await connection.QueryAsync<string>(new CommandDefinition("""
            WITH RECURSIVE zones (zone) AS (
                SELECT MIN(COALESCE(timezone, 'UTC')) FROM customers
                UNION ALL
                SELECT (SELECT MIN(COALESCE(timezone, 'UTC')) FROM customers WHERE COALESCE(timezone, 'UTC') > zone) FROM zones WHERE zone IS NOT NULL)
            SELECT zone FROM zones WHERE zone IS NOT NULL
            """, cancellationToken: cancellationToken))];
    }

    public async Task<IReadOnlyDictionary<string, JourneyCounts>> CountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Journey, string Status, long Count)>(new CommandDefinition(
            "SELECT journey, status, COUNT(*) FROM journey_instances GROUP BY journey, status", cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.Journey).ToDictionary(g => g.Key, g => new JourneyCounts(
            (int)g.Where(r => r.Status == "active").Sum(r => r.Count),
            (int)g.Where(r => r.Status == "completed").Sum(r => r.Count),
            (int)g.Where(r => r.Status == "exited").Sum(r => r.Count)));
    }

    public async Task<IReadOnlyList<JourneyInstanceView>> InstancesOfAsync(long customerId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var instances = (await connection.QueryAsync<InstanceViewRow>(new CommandDefinition(
            "SELECT id, journey, status, end_reason, entered_at, ended_at FROM journey_instances WHERE customer_id = @customerId ORDER BY entered_at DESC, id DESC",
            new { customerId }, cancellationToken: cancellationToken))).ToList();
        var steps = (await connection.QueryAsync<StepViewRow>(new CommandDefinition("""
            SELECT s.instance_id, s.step, s.action, s.fired_at, s.outcome FROM journey_steps s
            JOIN journey_instances i ON i.id = s.instance_id
            WHERE i.customer_id = @customerId ORDER BY s.fired_at
            """, new { customerId }, cancellationToken: cancellationToken))).ToLookup(s => s.InstanceId);
        return instances.Select(i => new JourneyInstanceView(i.Id, i.Journey, i.Status, i.EndReason, i.EnteredAt, i.EndedAt,
            [.. steps[i.Id].Select(s => new JourneyStepView(s.Step, s.Action, s.FiredAt, s.Outcome))])).ToList();
    }

    public async Task<IReadOnlyList<OutboxView>> MessagesOfAsync(long customerId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            "SELECT id, journey, step, channel, template, status, created_at, due_at, variant, last_error, sent_at FROM outbox WHERE customer_id = @customerId ORDER BY created_at DESC, id DESC",
            new { customerId }, cancellationToken: cancellationToken)))
            .Select(o => new OutboxView(o.Id, o.Journey, o.Step, o.Channel, o.Template, MessageStatuses.Parse(o.Status), o.CreatedAt, o.DueAt, o.Variant, o.LastError, o.SentAt)).ToList();
    }

    private sealed class InstanceViewRow
    {
        public long Id { get; set; }
        public string Journey { get; set; } = "";
        public string Status { get; set; } = "";
        public string? EndReason { get; set; }
        public DateTimeOffset EnteredAt { get; set; }
        public DateTimeOffset? EndedAt { get; set; }
    }

    private sealed class StepViewRow
    {
        public long InstanceId { get; set; }
        public string Step { get; set; } = "";
        public string Action { get; set; } = "";
        public DateTimeOffset FiredAt { get; set; }
        public string? Outcome { get; set; }
    }

    private sealed class OutboxRow
    {
        public string? Variant { get; set; }
        public string? LastError { get; set; }
        public DateTimeOffset? SentAt { get; set; }
        public long Id { get; set; }
        public string Journey { get; set; } = "";
        public string Step { get; set; } = "";
        public string Channel { get; set; } = "";
        public string Template { get; set; } = "";
        public string Status { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset DueAt { get; set; }
    }

    public async Task<IReadOnlyList<RunningVersion>> RunningVersionsAsync(string journey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string? Hash, long Instances)>(new CommandDefinition(
            "SELECT journey_hash, COUNT(*) FROM journey_instances WHERE journey = @journey AND status = 'active' GROUP BY journey_hash ORDER BY COUNT(*) DESC",
            new { journey }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new RunningVersion(r.Hash, r.Instances))];
    }

    public async Task<long> ApplyToRunningAsync(string journey, string hash, AuditEntry audit, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        // The check is the statement's own: an instance another apply moved first no longer matches.
        var moved = await writer.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE journey_instances SET journey_hash = @hash
            WHERE journey = @journey AND status = 'active' AND (journey_hash IS NULL OR journey_hash <> @hash)
            """, new { journey, hash }, transaction, cancellationToken: cancellationToken));
        if (moved > 0) await AuditRows.InsertAsync(writer.Connection, transaction, audit with { After = AuditEntry.Json(new { hash, instances = moved }) }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return moved;
    }
}
