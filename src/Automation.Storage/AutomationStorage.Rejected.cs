using System.Text.Json;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Ingestion's dead letters.
public abstract partial class AutomationStorage : IRejectedMessageStore
{
    public async Task KeepRejectedAsync(IReadOnlyList<RejectedMessage> messages, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return;
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO rejected_messages (received_at, message_index, message_id, errors, message)
            VALUES (@receivedAt, @Index, @MessageId, @Errors, @Message)
            """, messages.Select(m => new { receivedAt, m.Index, m.MessageId, Errors = JsonSerializer.Serialize(m.Errors, JsonSerializerOptions.Web), Message = m.Json }),
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RejectedMessageView>> ListRejectedAsync(int limit, long? before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RejectedRow>(new CommandDefinition($"""
            SELECT id, received_at, message_index, message_id, errors, message FROM rejected_messages
            {(before is null ? "" : "WHERE id < @before")}
            ORDER BY id DESC LIMIT @limit
            """, new { limit, before }, cancellationToken: cancellationToken));
        return rows.Select(r => new RejectedMessageView(r.Id, r.ReceivedAt, r.MessageIndex, r.MessageId,
            JsonSerializer.Deserialize<List<FieldError>>(r.Errors, JsonSerializerOptions.Web) ?? [], r.Message)).ToList();
    }

    private sealed class RejectedRow
    {
        public long Id { get; set; }
        public DateTimeOffset ReceivedAt { get; set; }
        public int MessageIndex { get; set; }
        public string? MessageId { get; set; }
        public string Errors { get; set; } = "[]";
        public string Message { get; set; } = "";
    }
}
