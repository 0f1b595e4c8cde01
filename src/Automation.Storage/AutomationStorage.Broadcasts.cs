using System.Text.Json;
using Automation.Core.Audit;
using Automation.Core.Broadcasts;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Broadcasts: each state change is one conditional UPDATE, so racing nodes agree on who started or cancelled one.
public abstract partial class AutomationStorage : IBroadcastStore
{
    private const string BroadcastColumns = """
        id, name, segment, channel, template, send_at, local_time, presale, holdout_percent, variants, status, audience, walked, enqueued,
        last_customer_id, created_at, started_at, finished_at
        """;

    public async Task<(long Id, bool Created)> CreateBroadcastAsync(NewBroadcast broadcast, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        var created = await writer.Connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO broadcasts (idempotency_key, name, segment, channel, template, send_at, local_time, presale, holdout_percent, variants, status, audience, created_at)
            VALUES (@IdempotencyKey, @Name, @Segment, @Channel, @Template, @SendAt, @LocalTime, @Presale, @HoldoutPercent, @variants, @status, @Audience, @CreatedAt)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """, new
        {
            broadcast.IdempotencyKey, broadcast.Name, broadcast.Segment, broadcast.Channel, broadcast.Template, SendAt = broadcast.SendAt.ToUniversalTime(),
            broadcast.LocalTime, broadcast.Presale, broadcast.HoldoutPercent,
            variants = broadcast.Variants.Count == 0 ? null : JsonSerializer.Serialize(broadcast.Variants, JsonSerializerOptions.Web),
            status = BroadcastStatus.Scheduled, broadcast.Audience, broadcast.CreatedAt,
        }, transaction, cancellationToken: cancellationToken));
        if (created is { } id)
        {
            await AuditRows.InsertAsync(writer.Connection, transaction, new AuditEntry(broadcast.CreatedAt, actor, AuditActions.BroadcastCreate,
                AuditActions.BroadcastTarget(id), null, AuditEntry.Json(new
                {
                    broadcast.Name, broadcast.Segment, broadcast.Channel, broadcast.Template, broadcast.SendAt, broadcast.LocalTime, broadcast.Presale,
                    broadcast.HoldoutPercent, broadcast.Variants, broadcast.Audience, status = BroadcastStatus.Scheduled,
                })), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (id, true);
        }
        var first = await writer.Connection.QuerySingleAsync<long>(new CommandDefinition(
            "SELECT id FROM broadcasts WHERE idempotency_key = @IdempotencyKey", new { broadcast.IdempotencyKey }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (first, false);
    }

    public async Task<Broadcast?> BroadcastAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<BroadcastRow>(new CommandDefinition(
            $"SELECT {BroadcastColumns} FROM broadcasts WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToBroadcast();
    }

    public Task<IReadOnlyList<Broadcast>> BroadcastsAsync(CancellationToken cancellationToken) =>
        BroadcastsWhereAsync("1 = 1", cancellationToken);

    public Task<IReadOnlyList<Broadcast>> SendingBroadcastsAsync(CancellationToken cancellationToken) =>
        BroadcastsWhereAsync($"status = '{BroadcastStatus.Sending}'", cancellationToken);

    private async Task<IReadOnlyList<Broadcast>> BroadcastsWhereAsync(string condition, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<BroadcastRow>(new CommandDefinition(
            $"SELECT {BroadcastColumns} FROM broadcasts WHERE {condition} ORDER BY id DESC", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToBroadcast())];
    }

    public Task<bool> CancelBroadcastAsync(long id, DateTimeOffset now, AuditActor actor, CancellationToken cancellationToken) =>
        LeaveScheduledAsync(id, BroadcastStatus.Cancelled, "finished_at", AuditActions.BroadcastCancel, now, actor, cancellationToken);

    public Task<bool> StartBroadcastAsync(long id, DateTimeOffset now, AuditActor actor, CancellationToken cancellationToken) =>
        LeaveScheduledAsync(id, BroadcastStatus.Sending, "started_at", AuditActions.BroadcastStart, now, actor, cancellationToken);

    /// <summary>Moves one broadcast from scheduled to <paramref name="status"/>, claimed by the UPDATE, with its audit entry in the same transaction.</summary>
    private async Task<bool> LeaveScheduledAsync(long id, string status, string timeColumn, string action, DateTimeOffset now, AuditActor actor,
        CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        var changed = await writer.Connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE broadcasts SET status = @status, {timeColumn} = @now WHERE id = @id AND status = @scheduled",
            new { id, now = now.ToUniversalTime(), status, scheduled = BroadcastStatus.Scheduled }, transaction, cancellationToken: cancellationToken)) == 1;
        if (changed) await AuditRows.InsertAsync(writer.Connection, transaction, StatusEntry(id, status, action, now, actor), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changed;
    }

    private static AuditEntry StatusEntry(long id, string status, string action, DateTimeOffset now, AuditActor actor) => new(now, actor, action,
        AuditActions.BroadcastTarget(id), AuditEntry.Json(new { status = BroadcastStatus.Scheduled }), AuditEntry.Json(new { status }));

    /// <summary>Who starts broadcasts whose send time came, in the audit log.</summary>
    private static readonly AuditActor BroadcastScheduler = AuditActor.System("broadcast scheduler");

    public async Task<IReadOnlyList<long>> StartDueBroadcastsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        var ids = (await writer.Connection.QueryAsync<long>(new CommandDefinition("""
            UPDATE broadcasts SET status = @sending, started_at = @now
            WHERE status = @scheduled AND send_at <= @now
            RETURNING id
            """, new { now = now.ToUniversalTime(), sending = BroadcastStatus.Sending, scheduled = BroadcastStatus.Scheduled }, transaction,
            cancellationToken: cancellationToken))).Order().ToList();
        foreach (var id in ids)
            await AuditRows.InsertAsync(writer.Connection, transaction, StatusEntry(id, BroadcastStatus.Sending, AuditActions.BroadcastStart, now, BroadcastScheduler),
                cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ids;
    }

    public async Task SaveBroadcastProgressAsync(long id, long afterCustomerId, long throughCustomerId, int walked, int enqueued, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await writer.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE broadcasts SET
                enqueued = enqueued + @enqueued,
                walked = CASE WHEN last_customer_id = @afterCustomerId THEN walked + @walked ELSE walked END,
                last_customer_id = CASE WHEN last_customer_id = @afterCustomerId THEN @throughCustomerId ELSE last_customer_id END
            WHERE id = @id
            """, new { id, afterCustomerId, throughCustomerId, walked, enqueued }, cancellationToken: cancellationToken));
    }

    public async Task FinishBroadcastAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE broadcasts SET status = @done, finished_at = @now WHERE id = @id AND status = @sending",
            new { id, now, done = BroadcastStatus.Done, sending = BroadcastStatus.Sending }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyDictionary<string, long>> BroadcastMessageCountsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM outbox WHERE journey = @journey GROUP BY status", new { journey = Broadcast.JourneyOf(id) }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Status, r => r.Count, StringComparer.Ordinal);
    }
}

/// <summary>A row of <c>broadcasts</c>.</summary>
internal sealed class BroadcastRow
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Segment { get; set; } = "";
    public string Channel { get; set; } = "";
    public string Template { get; set; } = "";
    public DateTimeOffset SendAt { get; set; }
    public string? LocalTime { get; set; }
    public string? Presale { get; set; }
    public int HoldoutPercent { get; set; }
    public string? Variants { get; set; }
    public string Status { get; set; } = "";
    public long Audience { get; set; }
    public long Walked { get; set; }
    public long Enqueued { get; set; }
    public long LastCustomerId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public Broadcast ToBroadcast() => new(Id, Name, Segment, Channel, Template, SendAt, LocalTime, Presale, HoldoutPercent,
        Variants is null ? [] : JsonSerializer.Deserialize<List<BroadcastVariant>>(Variants, JsonSerializerOptions.Web) ?? [],
        Status, Audience, Walked, Enqueued, LastCustomerId, CreatedAt, StartedAt, FinishedAt);
}
