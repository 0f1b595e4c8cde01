using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Referral attribution and rewards inside the caller's transaction.
internal sealed partial class WriteTransaction
{
    public async Task<bool> AttributeAsync(long referredId, long referrerId, string source, DateTimeOffset at, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(Command("""
            INSERT INTO referrals (referred_id, referrer_id, source, attributed_at) VALUES (@referredId, @referrerId, @source, @at)
            ON CONFLICT (referred_id) DO NOTHING
            """, new { referredId, referrerId, source, at }, cancellationToken)) == 1;

    public async Task<IReadOnlyCollection<long>> RecordFirstOrdersAsync(IReadOnlyList<(long CustomerId, string OrderId, DateTimeOffset OrderedAt)> orders,
        CancellationToken cancellationToken)
    {
        if (orders.Count == 0) return [];
        var p = new DynamicParameters();
        var pending = (await connection.QueryAsync<long>(Command(
            $"SELECT referred_id FROM referrals WHERE first_order_id IS NULL AND referred_id {dialect.InList("ids", orders.Select(o => o.CustomerId).Distinct(), p)}",
            p, cancellationToken))).ToHashSet();
        var noted = new List<long>();
        foreach (var first in orders.Where(o => pending.Contains(o.CustomerId)).GroupBy(o => o.CustomerId).Select(g => g.MinBy(o => o.OrderedAt)))
        {
            // Still claimed in the statement: a concurrent ingest of another order of the customer notes one of them.
            if (await connection.ExecuteAsync(Command(
                    "UPDATE referrals SET first_order_id = @OrderId, first_order_at = @OrderedAt WHERE referred_id = @CustomerId AND first_order_id IS NULL",
                    new { first.CustomerId, first.OrderId, first.OrderedAt }, cancellationToken)) == 1)
                noted.Add(first.CustomerId);
        }
        return noted;
    }

    public async Task<IReadOnlyList<DueReferral>> DueReferralsAsync(DateTimeOffset orderedBy, int limit, CancellationToken cancellationToken) =>
        [.. (await connection.QueryAsync<DueReferralRow>(Command("""
            SELECT r.referred_id, r.referrer_id, r.first_order_id, r.first_order_at,
                   CASE WHEN o.order_id IS NULL OR o.fully_refunded OR (o.refunded_amount > 0 AND o.refunded_amount >= o.total) THEN 1 ELSE 0 END AS refunded
            FROM referrals r LEFT JOIN orders o ON o.order_id = r.first_order_id
            WHERE r.rewarded_at IS NULL AND r.first_order_at IS NOT NULL AND r.first_order_at <= @orderedBy
            ORDER BY r.first_order_at, r.referred_id
            LIMIT @limit
            """, new { orderedBy, limit }, cancellationToken)))
            .Select(r => new DueReferral(r.ReferredId, r.ReferrerId, r.FirstOrderId, r.FirstOrderAt, r.Refunded != 0))];

    public async Task<IReadOnlyCollection<long>> ReferrersOfAsync(IReadOnlyCollection<long> referredIds, CancellationToken cancellationToken)
    {
        var p = new DynamicParameters();
        return [.. await connection.QueryAsync<long>(Command($"SELECT DISTINCT referrer_id FROM referrals WHERE referred_id {dialect.InList("ids", referredIds, p)}", p, cancellationToken))];
    }

    public async Task<bool> SettleReferralAsync(long referredId, string outcome, DateTimeOffset at, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(Command(
            "UPDATE referrals SET rewarded_at = @at, outcome = @outcome WHERE referred_id = @referredId AND rewarded_at IS NULL",
            new { referredId, outcome, at }, cancellationToken)) == 1;

    private sealed class DueReferralRow
    {
        public long ReferredId { get; set; }
        public long ReferrerId { get; set; }
        public string FirstOrderId { get; set; } = "";
        public DateTimeOffset FirstOrderAt { get; set; }
        public int Refunded { get; set; }
    }
}
