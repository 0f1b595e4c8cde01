using System.Data.Common;
using Automation.Core.Tiers;
using Dapper;

namespace Automation.Storage;

/// <summary>Tiers and the order totals they are earned by, for the ingest transaction and for reads.</summary>
internal static class TierQueries
{
    private sealed class TotalsRow
    {
        public long CustomerId { get; set; }
        public decimal Spend { get; set; }
        public int Orders { get; set; }
    }

    internal sealed class StandingRow
    {
        public long CustomerId { get; set; }
        public string Tier { get; set; } = "";
        public DateTimeOffset Since { get; set; }
        public string? ReviewTier { get; set; }
        public DateTimeOffset? ReviewUntil { get; set; }
    }

    private sealed class ChangeRow
    {
        public string FromTier { get; set; } = "";
        public string ToTier { get; set; } = "";
        public string Reason { get; set; } = "";
        public DateTimeOffset ChangedAt { get; set; }
    }

    /// <summary>The orders CustomerStats counts: completed, not fully refunded, net of partial refunds (columns of <c>orders</c>, unqualified).</summary>
    public const string Counted = "completed_at IS NOT NULL AND NOT fully_refunded AND (refunded_amount = 0 OR refunded_amount < total)";

    public static async Task<IReadOnlyDictionary<long, OrderTotals>> OrderTotalsAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction,
        IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return new Dictionary<long, OrderTotals>();
        var p = new DynamicParameters(new { from, until });
        var rows = await connection.QueryAsync<TotalsRow>(new CommandDefinition($"""
            SELECT customer_id, SUM(total - refunded_amount) AS spend, COUNT(*) AS orders FROM orders
            WHERE customer_id {dialect.InList("ids", customerIds, p)}
              AND {Counted}
              AND completed_at >= @from AND completed_at <= @until
            GROUP BY customer_id
            """, p, transaction, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.CustomerId, r => new OrderTotals(r.Spend, r.Orders));
    }

    public static async Task<IReadOnlyDictionary<long, TierStanding>> LoadAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return new Dictionary<long, TierStanding>();
        var p = new DynamicParameters();
        var rows = await connection.QueryAsync<StandingRow>(new CommandDefinition(StandingsSql(dialect.InList("ids", customerIds, p)), p, transaction, cancellationToken: cancellationToken));
        return Standings(rows);
    }

    /// <summary>The standings of the customers <paramref name="inList"/> names (an <see cref="SqlDialect.InList"/>).</summary>
    public static string StandingsSql(string inList) => $"SELECT customer_id, tier, since, review_tier, review_until FROM customer_tiers WHERE customer_id {inList}";

    public static Dictionary<long, TierStanding> Standings(IEnumerable<StandingRow> rows) =>
        rows.ToDictionary(r => r.CustomerId, r => new TierStanding(r.Tier, r.Since, r.ReviewTier, r.ReviewUntil));

    public static async Task<IReadOnlyList<TierChange>> HistoryAsync(DbConnection connection, long customerId, CancellationToken cancellationToken) =>
        [.. (await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            "SELECT from_tier, to_tier, reason, changed_at FROM tier_history WHERE customer_id = @customerId ORDER BY changed_at, id",
            new { customerId }, cancellationToken: cancellationToken))).Select(r => new TierChange(r.FromTier, r.ToTier, r.Reason, r.ChangedAt))];
}
