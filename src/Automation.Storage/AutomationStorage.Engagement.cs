using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Email engagement: opens and clicks kept row by row; rates count distinct messages, so a repeat or a race between
// two opens of one message never counts it twice.
public abstract partial class AutomationStorage : IEngagementStore
{
    public async Task<TrackedMessage?> TrackedMessageAsync(long messageId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, string? ExternalId, string? AnonymousId, string Journey, string Step, DateTimeOffset? SentAt)>(
            new CommandDefinition("""
                SELECT o.id, c.external_id, c.anonymous_id, o.journey, o.step, o.sent_at
                FROM outbox o JOIN customers c ON c.id = o.customer_id
                WHERE o.id = @messageId AND o.channel = 'email'
                """, new { messageId }, cancellationToken: cancellationToken));
        if (row.Id == 0) return null;
        return new TrackedMessage(row.Id, row.ExternalId ?? row.AnonymousId ?? "", row.ExternalId is null, row.Journey, row.Step, row.SentAt);
    }

    public async Task RecordEngagementAsync(Engagement engagement, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO email_engagement (message_id, kind, url, machine, occurred_at) VALUES (@MessageId, @Kind, @Url, @Machine, @at)",
            new { engagement.MessageId, engagement.Kind, engagement.Url, engagement.Machine, at = engagement.At.ToUniversalTime() }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<EngagementRates>> EngagementRatesAsync(DateTimeOffset sentFrom, DateTimeOffset sentUntil, string? journey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Journey, long Sent, long Opened, long Clicked, long Opens, long Clicks, long MachineOpens)>(new CommandDefinition("""
            SELECT o.journey,
                   COUNT(DISTINCT o.id),
                   COUNT(DISTINCT CASE WHEN e.kind = 'open' AND e.machine = @human THEN o.id END),
                   COUNT(DISTINCT CASE WHEN e.kind = 'click' AND e.machine = @human THEN o.id END),
                   COUNT(CASE WHEN e.kind = 'open' AND e.machine = @human THEN 1 END),
                   COUNT(CASE WHEN e.kind = 'click' AND e.machine = @human THEN 1 END),
                   COUNT(CASE WHEN e.kind = 'open' AND e.machine <> @human THEN 1 END)
            FROM outbox o LEFT JOIN email_engagement e ON e.message_id = o.id
            WHERE o.channel = 'email' AND o.sent_at >= @from AND o.sent_at < @to AND (@journey IS NULL OR o.journey = @journey)
            GROUP BY o.journey
            ORDER BY o.journey
            """, new { from = sentFrom.ToUniversalTime(), to = sentUntil.ToUniversalTime(), journey, human = false }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new EngagementRates(r.Journey, r.Sent, r.Opened, r.Clicked, r.Opens, r.Clicks, r.MachineOpens))];
    }
}
