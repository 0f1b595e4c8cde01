using Automation.Core.Tiers;
using Dapper;

namespace Automation.Storage;

// Membership tiers inside the ingest or review transaction.
internal sealed partial class WriteTransaction
{
    public Task<IReadOnlyDictionary<long, OrderTotals>> OrderTotalsAsync(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        TierQueries.OrderTotalsAsync(dialect, connection, transaction, customerIds, from, until, cancellationToken);

    public Task<decimal?> OrderTotalAsync(string orderId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<decimal?>(Command("SELECT total FROM orders WHERE order_id = @orderId AND completed_at IS NOT NULL", new { orderId }, cancellationToken));

    public Task<IReadOnlyDictionary<long, TierStanding>> LoadTiersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        TierQueries.LoadAsync(dialect, connection, transaction, customerIds, cancellationToken);

    public async Task SaveTiersAsync(IReadOnlyDictionary<long, TierStanding> standings, CancellationToken cancellationToken)
    {
        foreach (var chunk in standings.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, s => [s.Key, s.Value.Tier, s.Value.Since, s.Value.ReviewTier, s.Value.ReviewUntil], p);
            await connection.ExecuteAsync(Command($"""
                INSERT INTO customer_tiers (customer_id, tier, since, review_tier, review_until) VALUES {values}
                ON CONFLICT (customer_id) DO UPDATE SET tier = excluded.tier, since = excluded.since, review_tier = excluded.review_tier, review_until = excluded.review_until
                """, p, cancellationToken));
        }
    }

    public async Task RecordTierChangesAsync(IReadOnlyList<(long CustomerId, TierChange Change)> changes, CancellationToken cancellationToken)
    {
        // Rows of one statement take their ids in the order listed: the history reads back in the order of the changes.
        foreach (var chunk in changes.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, c => [c.CustomerId, c.Change.From, c.Change.To, c.Change.Reason, c.Change.ChangedAt], p);
            await connection.ExecuteAsync(Command($"INSERT INTO tier_history (customer_id, from_tier, to_tier, reason, changed_at) VALUES {values}", p, cancellationToken));
        }
    }
}
