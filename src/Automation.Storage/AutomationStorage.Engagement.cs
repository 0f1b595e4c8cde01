using Automation.Core.Analytics;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Email engagement: opens and clicks kept row by row; rates count distinct messages, so a repeat or a race between
// two opens of one message never counts it twice. Opens count only over emails that carried the pixel (tracked_opens)
// and clicks over those with tracked links (tracked_clicks), as the channel reported when it sent them.
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
        var rows = await connection.QueryAsync<(string Journey, long Sent, long WithPixel, long Opened, long WithLinks, long Clicked, long Opens, long Clicks, long MachineOpens)>(
            new CommandDefinition($"""
            SELECT o.journey, {Tallies},
                   COUNT(CASE WHEN e.kind = 'open' AND e.machine <> @machine THEN 1 END),
                   COUNT(CASE WHEN e.kind = 'click' AND e.machine <> @machine THEN 1 END),
                   COUNT(CASE WHEN e.kind = 'open' AND e.machine = @machine THEN 1 END)
            FROM outbox o LEFT JOIN email_engagement e ON e.message_id = o.id
            WHERE {SentEmails} AND (@journey IS NULL OR o.journey = @journey)
            GROUP BY o.journey
            ORDER BY o.journey
            """, new { from = sentFrom.ToUniversalTime(), to = sentUntil.ToUniversalTime(), journey, machine = true, tracked = true }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new EngagementRates(r.Journey, EmailEngagement.From(r.Sent, r.WithPixel, r.Opened, r.WithLinks, r.Clicked), r.Opens, r.Clicks, r.MachineOpens))];
    }

    public async Task<IReadOnlyList<EmailEngagementFigures>> LoadEmailEngagementAsync(AttributionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // Into a row class, not the record: SQLite types the columns of an empty result as blobs, which no constructor takes.
        var rows = await connection.QueryAsync<EngagementRow>(new CommandDefinition($"""
            SELECT o.journey, o.step, o.variant, {Tallies}
            FROM outbox o LEFT JOIN email_engagement e ON e.message_id = o.id
            WHERE {SentEmails} AND (@journey IS NULL OR o.journey = @journey)
            GROUP BY o.journey, o.step, o.variant
            ORDER BY o.journey, o.step, o.variant
            """, new { from = query.From.ToUniversalTime(), to = query.To.ToUniversalTime(), journey = query.Journey, machine = true, tracked = true }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new EmailEngagementFigures(r.Journey, r.Step, r.Variant, r.Sent, r.WithPixel, r.Opened, r.WithLinks, r.Clicked))];
    }

    private sealed class EngagementRow
    {
        public string Journey { get; set; } = "";
        public string Step { get; set; } = "";
        public string? Variant { get; set; }
        public long Sent { get; set; }
        public long WithPixel { get; set; }
        public long Opened { get; set; }
        public long WithLinks { get; set; }
        public long Clicked { get; set; }
    }

    /// <summary>Emails the provider accepted, sent from <c>@from</c> until <c>@to</c>.</summary>
    private static readonly string SentEmails =
        $"o.channel = 'email' AND o.status IN ({MessageStatus.Sent.Sql()}, {MessageStatus.Delivered.Sql()}) AND o.sent_at >= @from AND o.sent_at < @to";

    /// <summary>
    /// Sent, with a pixel, opened by a reader, with tracked links, clicked by a reader: distinct emails, so repeats count
    /// once. An open counts only on an email that carried the pixel, a click only on one with tracked links.
    /// </summary>
    private const string Tallies = """
        COUNT(DISTINCT o.id) AS sent,
        COUNT(DISTINCT CASE WHEN o.tracked_opens = @tracked THEN o.id END) AS with_pixel,
        COUNT(DISTINCT CASE WHEN o.tracked_opens = @tracked AND e.kind = 'open' AND e.machine <> @machine THEN o.id END) AS opened,
        COUNT(DISTINCT CASE WHEN o.tracked_clicks = @tracked THEN o.id END) AS with_links,
        COUNT(DISTINCT CASE WHEN o.tracked_clicks = @tracked AND e.kind = 'click' AND e.machine <> @machine THEN o.id END) AS clicked
        """;
}
