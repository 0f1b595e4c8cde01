using Automation.Core.Ingestion;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// What the marketer console reads beyond the API's views: search, a customer's events and suppressions, funnels.
public abstract partial class AutomationStorage
{
    public async Task<IReadOnlyList<CustomerMatch>> SearchAsync(string term, int limit, CancellationToken cancellationToken)
    {
        var trimmed = term.Trim();
        if (trimmed.Length == 0) return [];
        // A phone typed with spaces or dashes is found by its stored E.164 form.
        var phone = ProfileTraits.NormalizePhone(trimmed) ?? trimmed;
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // A UNION of exact matches, so each arm is an index look-up; an OR over four columns may scan the table.
        return [.. await connection.QueryAsync<CustomerMatch>(new CommandDefinition("""
            SELECT id, external_id AS ExternalId, anonymous_id AS AnonymousId, email, phone, name FROM customers WHERE id IN (
                SELECT id FROM customers WHERE external_id = @term
                UNION SELECT id FROM customers WHERE anonymous_id = @term
                UNION SELECT id FROM customers WHERE email = @term
                UNION SELECT id FROM customers WHERE phone = @phone)
            ORDER BY id LIMIT @limit
            """, new { term = trimmed, phone, limit }, cancellationToken: cancellationToken))];
    }

    public async Task<IReadOnlyList<EventView>> EventsOfAsync(long customerId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<EventViewRow>(new CommandDefinition("""
            SELECT id, type, name, properties, occurred_at, received_at FROM events
            WHERE customer_id = @customerId ORDER BY occurred_at DESC, id DESC LIMIT @limit
            """, new { customerId, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(e => new EventView(e.Id, e.Type, e.Name, e.Properties, e.OccurredAt, e.ReceivedAt))];
    }

    public async Task<IReadOnlyList<SuppressionView>> SuppressionsOfAsync(long customerId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SuppressionRow>(new CommandDefinition("""
            SELECT s.channel, s.address, s.reason, s.created_at FROM customers c
            JOIN suppressions s ON (s.channel = 'email' AND s.address = c.email) OR (s.channel = 'sms' AND s.address = c.phone)
            WHERE c.id = @customerId ORDER BY s.channel
            """, new { customerId }, cancellationToken: cancellationToken));
        return [.. rows.Select(s => new SuppressionView(s.Channel, s.Address, s.Reason, s.CreatedAt))];
    }

    public async Task<JourneyFunnel> FunnelAsync(string journey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var steps = await connection.QueryAsync<(string Step, long Count)>(new CommandDefinition("""
            SELECT s.step, COUNT(*) FROM journey_instances i JOIN journey_steps s ON s.instance_id = i.id
            WHERE i.journey = @journey GROUP BY s.step
            """, new { journey }, cancellationToken: cancellationToken));
        var messages = await connection.QueryAsync<(string Step, string? Variant, string Status, long Count)>(new CommandDefinition("""
            SELECT step, variant, status, COUNT(*) FROM outbox WHERE journey = @journey
            GROUP BY step, variant, status ORDER BY step, variant, status
            """, new { journey }, cancellationToken: cancellationToken));
        return new JourneyFunnel(steps.ToDictionary(s => s.Step, s => s.Count, StringComparer.Ordinal),
            [.. messages.Select(m => new StepMessageCount(m.Step, m.Variant, MessageStatuses.Parse(m.Status), m.Count))]);
    }

    private sealed class EventViewRow
    {
        public long Id { get; set; }
        public string Type { get; set; } = "";
        public string? Name { get; set; }
        public string Properties { get; set; } = "";
        public DateTimeOffset OccurredAt { get; set; }
        public DateTimeOffset ReceivedAt { get; set; }
    }

    private sealed class SuppressionRow
    {
        public string Channel { get; set; } = "";
        public string Address { get; set; } = "";
        public string Reason { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
    }
}
