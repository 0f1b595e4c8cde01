using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Journey work inside the same transaction as an ingest or a scheduler pass.
internal sealed partial class WriteTransaction
{
    private const string Active = "active";

    public Task<IReadOnlyList<CustomerSnapshot>> LoadSnapshotsAsync(IReadOnlyDictionary<long, SnapshotParts> reads, CancellationToken cancellationToken) =>
        CustomerQueries.LoadAsync(dialect, connection, transaction, reads, cancellationToken);

    public Task<IReadOnlyList<JourneyInstance>> LoadActiveInstancesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        CustomerQueries.ActiveInstancesAsync(dialect, connection, transaction, customerIds, cancellationToken);

    public Task<IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset>> LoadLastEntriesAsync(IReadOnlyCollection<long> customerIds, string? journey, CancellationToken cancellationToken) =>
        CustomerQueries.LastEntriesAsync(dialect, connection, transaction, customerIds, journey, cancellationToken);

    public Task<CustomerJourneys> LoadJourneysAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        CustomerQueries.JourneysAsync(dialect, connection, transaction, customerIds, cancellationToken);

    public async Task AddTagsAsync(IReadOnlyList<(long CustomerId, string Tag)> tags, string source, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (tags.Count == 0) return;
        var p = new DynamicParameters();
        var rows = dialect.InsertRows(tags, t => [t.CustomerId, t.Tag, source, at], p, "bigint", "text", "text", "timestamptz");
        await connection.ExecuteAsync(Command($"INSERT INTO customer_tags (customer_id, tag, source, added_at) {rows} ON CONFLICT DO NOTHING", p, cancellationToken));
    }

    public async Task RemoveTagsAsync(IReadOnlyList<(long CustomerId, string Tag)> tags, CancellationToken cancellationToken)
    {
        foreach (var chunk in tags.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, t => [t.CustomerId, t.Tag], p);
            await connection.ExecuteAsync(Command($"DELETE FROM customer_tags WHERE (customer_id, tag) IN (VALUES {values})", p, cancellationToken));
        }
    }

    public async Task<IReadOnlySet<string>> AddPointsAsync(IReadOnlyList<Core.Points.PointsGrant> grants, CancellationToken cancellationToken)
    {
        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in grants.DistinctBy(g => g.SourceKey, StringComparer.Ordinal).Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, g => [g.CustomerId, g.Points, g.Kind, g.Reason, g.SourceKey, g.At, g.ExpiresAt], p);
            added.UnionWith(await connection.QueryAsync<string>(Command($"""
                INSERT INTO points_ledger (customer_id, points, kind, reason, source_key, created_at, expires_at) VALUES {values}
                ON CONFLICT (source_key) DO NOTHING
                RETURNING source_key
                """, p, cancellationToken)));
        }
        return added;
    }

    public async Task<Core.Points.PointsEntry?> FindPointsAsync(string sourceKey, CancellationToken cancellationToken) =>
        (await connection.QuerySingleOrDefaultAsync<PointsRow>(Command(
            $"SELECT {PointsRow.Columns} FROM points_ledger WHERE source_key = @sourceKey", new { sourceKey }, cancellationToken)))?.ToEntry();

    public async Task<IReadOnlyList<Core.Points.PointsEntry>> LoadPointsAsync(long customerId, CancellationToken cancellationToken) =>
        [.. (await connection.QueryAsync<PointsRow>(Command(
            $"SELECT {PointsRow.Columns} FROM points_ledger WHERE customer_id = @customerId ORDER BY created_at, id", new { customerId }, cancellationToken))).Select(r => r.ToEntry())];

    public Task SetStepOutcomeAsync(long instanceId, string stepName, string outcome, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command("UPDATE journey_steps SET outcome = @outcome WHERE instance_id = @instanceId AND step = @step",
            new { instanceId, step = stepName, outcome }, cancellationToken));

    public Task LockCustomersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        // Without row locks writers take turns: nothing to order.
        if (dialect.RowLockClause.Length == 0 || customerIds.Count == 0) return Task.CompletedTask;
        var p = new DynamicParameters();
        return connection.ExecuteAsync(Command($"SELECT id FROM customers WHERE id {dialect.InList("ids", customerIds, p)} ORDER BY id {dialect.RowLockClause}", p, cancellationToken));
    }

    public Task<DateTimeOffset?> LastCheckedAsync(string journey, string timezone, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<DateTimeOffset?>(Command(
            "SELECT last_checked_at FROM journey_schedule_state WHERE journey = @journey AND timezone = @timezone", new { journey, timezone }, cancellationToken));

    public Task SetLastCheckedAsync(string journey, string timezone, DateTimeOffset at, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command("""
            INSERT INTO journey_schedule_state (journey, timezone, last_checked_at) VALUES (@journey, @timezone, @at)
            ON CONFLICT (journey, timezone) DO UPDATE SET last_checked_at = excluded.last_checked_at
            """, new { journey, timezone, at }, cancellationToken));

    private sealed class PointsRow
    {
        public const string Columns = "id, points, kind, reason, source_key, created_at, expires_at";
        public long Id { get; set; }
        public int Points { get; set; }
        public string Kind { get; set; } = "";
        public string Reason { get; set; } = "";
        public string SourceKey { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset? ExpiresAt { get; set; }

        public Core.Points.PointsEntry ToEntry() => new(Id, Points, Kind, Reason, SourceKey, CreatedAt, ExpiresAt);
    }
}
