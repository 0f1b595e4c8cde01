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

    public async Task<bool> RecordFirstOrderAsync(long referredId, string orderId, DateTimeOffset orderedAt, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(Command(
            "UPDATE referrals SET first_order_id = @orderId, first_order_at = @orderedAt WHERE referred_id = @referredId AND first_order_id IS NULL",
            new { referredId, orderId, orderedAt }, cancellationToken)) == 1;

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
