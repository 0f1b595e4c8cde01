using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>
/// A group's events go in as one statement: on PostgreSQL a text array a column, unnested; on SQLite a JSON array of
/// rows. Either way every cell must come back as it went in — times to the microsecond whatever their offset,
/// JSON, nulls, text with quotes, commas and braces (which an array's text form would otherwise split on) — and a
/// message id stored already, or twice in the group, is stored once.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class EventInsertTests(string provider)
{
    private static readonly DateTimeOffset Received = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    [Test]
    public async Task Every_cell_of_a_large_group_comes_back_as_it_went_in_and_repeated_ids_are_stored_once()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        // 1 µs and 7 ticks past the second, in UTC+8: stored as its UTC instant, to the microsecond.
        var occurred = new DateTimeOffset(2026, 8, 31, 23, 30, 15, TimeSpan.FromHours(8)).AddTicks(17);
        List<EventRecord> events;
        IReadOnlySet<string> first, second;
        await using (var tx = await db.Storage.BeginAsync(None))
        {
            var customer = (await tx.CreateCustomersAsync([new NewCustomer("c1", null)], Received, None)).Single();
            events = [.. Enumerable.Range(0, 60).Select(i => new EventRecord($"m{i}", customer.Id, i % 2 == 0 ? MessageType.Track : MessageType.Identify,
                i % 2 == 0 ? $"Product \"{i}\", {{viewed}}" : null,
                new JsonObject { ["sku"] = $"S-{i}", ["price"] = 12.5m, ["note"] = "含\"引号\", {括号}\\" },
                i % 3 == 0 ? null : new JsonObject { ["ip"] = "127.0.0.1" }, occurred.AddMinutes(i), Received))];
            first = await tx.InsertEventsAsync([.. events, events[5] with { Name = "again, in the same group" }], None);
            second = await tx.InsertEventsAsync([events[0], events[59], events[0] with { MessageId = "m60" }], None);
            await tx.CommitAsync(None);
        }

        first.Should().BeEquivalentTo(events.Select(e => e.MessageId));
        second.Should().BeEquivalentTo(["m60"], "m0 and m59 were stored by the first call");
        await using var connection = await db.Storage.OpenConnectionAsync(None);
        var rows = (await connection.QueryAsync<(string MessageId, string Type, string? Name, string Properties, string? Context, DateTimeOffset OccurredAt)>(
            "SELECT message_id, type, name, properties, context, occurred_at FROM events")).ToDictionary(r => r.MessageId);
        rows.Should().HaveCount(61);
        foreach (var e in events)
        {
            var row = rows[e.MessageId];
            row.Name.Should().Be(e.Name);
            row.Type.Should().Be(e.Type == MessageType.Track ? "track" : "identify");
            JsonNode.DeepEquals(JsonNode.Parse(row.Properties), e.Properties).Should().BeTrue(row.Properties);
            (row.Context is null ? null : JsonNode.Parse(row.Context)).Should().Match<JsonNode?>(c => JsonNode.DeepEquals(c, e.Context));
            row.OccurredAt.Should().BeCloseTo(e.OccurredAt, TimeSpan.FromTicks(9), "the same instant, to the microsecond PostgreSQL keeps");
        }
    }
}
