using System.Text.Json;
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

    public async Task<(long Id, bool Created)> CreateBroadcastAsync(NewBroadcast broadcast, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
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
        }, cancellationToken: cancellationToken));
        if (created is { } id) return (id, true);
        return (await writer.Connection.QuerySingleAsync<long>(new CommandDefinition(
            "SELECT id FROM broadcasts WHERE idempotency_key = @IdempotencyKey", new { broadcast.IdempotencyKey }, cancellationToken: cancellationToken)), false);
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

    public async Task<bool> CancelBroadcastAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        return await writer.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE broadcasts SET status = @cancelled, finished_at = @now WHERE id = @id AND status = @scheduled",
            new { id, now, cancelled = BroadcastStatus.Cancelled, scheduled = BroadcastStatus.Scheduled }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> StartBroadcastAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        return await writer.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE broadcasts SET status = @sending, started_at = @now WHERE id = @id AND status = @scheduled",
            new { id, now = now.ToUniversalTime(), sending = BroadcastStatus.Sending, scheduled = BroadcastStatus.Scheduled }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<IReadOnlyList<long>> StartDueBroadcastsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        var ids = await writer.Connection.QueryAsync<long>(new CommandDefinition("""
            UPDATE broadcasts SET status = @sending, started_at = @now
            WHERE status = @scheduled AND send_at <= @now
            RETURNING id
            """, new { now = now.ToUniversalTime(), sending = BroadcastStatus.Sending, scheduled = BroadcastStatus.Scheduled }, cancellationToken: cancellationToken));
        return [.. ids];
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
