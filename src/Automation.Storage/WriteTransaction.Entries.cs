using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Dapper;

namespace Automation.Storage;

// Instances, steps, ends and outbox rows, each kind in one statement whatever the number of rows: a scheduled scan
// enters a page of customers at once, and one statement per row was what bounded it.
internal sealed partial class WriteTransaction
{
    public async Task<IReadOnlyList<JourneyInstance>> EnterAsync(IReadOnlyList<JourneyEntry> entries, CancellationToken cancellationToken)
    {
        var entered = new List<JourneyInstance>(entries.Count);
        if (entries.Count == 0) return entered;
        var p = new DynamicParameters();
        var values = dialect.InsertRows(entries, e => [e.CustomerId, e.Journey, e.EntryKey, Active, e.TriggerEvent, e.EnteredAt, e.JourneyHash], p,
            "bigint", "text", "text", "text", "jsonb", "timestamptz", "text");
        var rows = await connection.QueryAsync<(long Id, long CustomerId, string Journey)>(Command($"""
            INSERT INTO journey_instances (customer_id, journey, entry_key, status, trigger_event, entered_at, journey_hash) {values}
            ON CONFLICT DO NOTHING
            RETURNING id, customer_id, journey
            """, p, cancellationToken));
        // RETURNING promises no order: match rows to entries by (customer, journey), unique among active instances.
        // Removing each match keeps a second entry for the same pair (which the active index refused) out.
        var ids = rows.ToDictionary(r => (r.CustomerId, r.Journey), r => r.Id);
        foreach (var e in entries)
        {
            if (ids.Remove((e.CustomerId, e.Journey), out var id))
                entered.Add(new JourneyInstance(id, e.CustomerId, e.Journey, e.EnteredAt, null, [], e.TriggerEvent, e.JourneyHash));
        }
        return entered;
    }

    public async Task<IReadOnlyList<FiredStep>> RecordStepsAsync(IReadOnlyList<FiredStep> steps, CancellationToken cancellationToken)
    {
        var recorded = new List<FiredStep>(steps.Count);
        if (steps.Count == 0) return recorded;
        var p = new DynamicParameters();
        var values = dialect.InsertRows(steps, s => [s.InstanceId, s.Step, s.Action, s.At], p, "bigint", "text", "text", "timestamptz");
        var inserted = (await connection.QueryAsync<(long InstanceId, string Step)>(Command($"""
            INSERT INTO journey_steps (instance_id, step, action, fired_at) {values}
            ON CONFLICT DO NOTHING
            RETURNING instance_id, step
            """, p, cancellationToken))).ToHashSet();
        recorded.AddRange(steps.Where(s => inserted.Remove((s.InstanceId, s.Step))));

        // The last step recorded for an instance sets its time, as if each had been written in turn.
        var lastStepAt = new Dictionary<long, DateTimeOffset>();
        foreach (var step in recorded) lastStepAt[step.InstanceId] = step.At;
        foreach (var group in lastStepAt.GroupBy(s => s.Value, s => s.Key))
        {
            var moved = new DynamicParameters(new { at = group.Key });
            await connection.ExecuteAsync(Command($"UPDATE journey_instances SET last_step_at = @at WHERE id {dialect.InList("ids", group, moved)}", moved, cancellationToken));
        }
        return recorded;
    }

    public async Task EndAsync(IReadOnlyList<InstanceEnd> ends, CancellationToken cancellationToken)
    {
        // The first end given for an instance wins, as the status condition would make it when written in turn.
        var first = ends.DistinctBy(e => e.InstanceId);
        foreach (var group in first.GroupBy(e => (e.End, e.Reason, e.At), e => e.InstanceId))
        {
            var p = new DynamicParameters(new { status = group.Key.End == JourneyEnd.Completed ? "completed" : "exited", reason = group.Key.Reason, at = group.Key.At, active = Active });
            // "status || ''" keeps SQLite off the (status, customer_id) index, which it otherwise prefers to the id list and
            // which reads every active instance: the ids find the rows, the status only filters them.
            await connection.ExecuteAsync(Command(
                $"UPDATE journey_instances SET status = @status, end_reason = @reason, ended_at = @at WHERE id {dialect.InList("ids", group, p)} AND status || '' = @active",
                p, cancellationToken));
        }
    }

    public async Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return;
        var p = new DynamicParameters();
        var values = dialect.InsertRows(messages, m => [m.IdempotencyKey, m.CustomerId, m.Journey, m.InstanceId, m.Step, m.Channel, m.Template, m.Context,
            (m.Variant == Variants.Holdout ? MessageStatus.Holdout : MessageStatus.Queued).Text(), now, m.DueAt, IsTransactional(m), m.Variant, m.TraceParent], p,
            "text", "bigint", "text", "bigint", "text", "text", "text", "jsonb", "text", "timestamptz", "timestamptz", "boolean", "text", "text");
        await connection.ExecuteAsync(Command($"""
            INSERT INTO outbox (idempotency_key, customer_id, journey, instance_id, step, channel, template, context, status, created_at, due_at, transactional, variant, trace_parent)
            {values}
            ON CONFLICT (idempotency_key) DO NOTHING
            """, p, cancellationToken));
    }

    private static bool IsTransactional(OutboxMessage m) =>
        m.Context["Transactional"] is System.Text.Json.Nodes.JsonValue t && t.TryGetValue<bool>(out var transactional) && transactional;
}
