using Automation.Core.Analytics;
using Automation.Core.Points;
using Dapper;

namespace Automation.Storage;

// The loyalty report: returning customers' share of sales and the points ledger's balance and flows.
public abstract partial class AutomationStorage
{
    public async Task<LoyaltyFigures> LoadLoyaltyAsync(LoyaltyQuery query, CancellationToken cancellationToken)
    {
        var parameters = new { from = query.From, balanceAt = query.BalanceAt, earn = PointsKinds.Earn, award = PointsKinds.Award, reverse = PointsKinds.Reverse,
            redeem = PointsKinds.Redeem, restore = PointsKinds.Restore, expire = PointsKinds.Expire };
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // Returning: the customer has a counted order completed strictly before this one, the same test that makes an
        // anchor "new" in the repurchase report. The period's orders come by ix_orders_completed and each look back is
        // one probe of ix_orders_customer, so the cost follows the period, not the whole history.
        // Grouped by the flag so each order's look back runs once (an expression used by two aggregates runs twice).
        var sales = (await connection.QueryAsync<SalesRow>(new CommandDefinition("""
            WITH period AS (
                SELECT o.total - o.refunded_amount AS revenue,
                       CASE WHEN EXISTS (SELECT 1 FROM orders e WHERE e.customer_id = o.customer_id AND e.completed_at < o.completed_at AND NOT e.fully_refunded)
                            THEN 1 ELSE 0 END AS is_returning
                FROM orders o
                WHERE o.completed_at >= @from AND o.completed_at < @balanceAt AND NOT o.fully_refunded
            )
            SELECT is_returning, COUNT(*) AS orders, SUM(revenue) AS revenue FROM period GROUP BY is_returning
            """, parameters, cancellationToken: cancellationToken))).ToList();
        var returning = sales.Where(r => r.IsReturning == 1).ToList();

        // Outstanding points as the ledger's FIFO has it (Core/Points PointsExpiry): every deduction uses up the oldest
        // lots first, so what is left of a lot is its running total less all deductions, clamped to [0, its points];
        // lots whose date has passed lapse with what is left of them even before the expirer writes them off.
        var points = await connection.QuerySingleAsync<LedgerSumsRow>(new CommandDefinition("""
            WITH ledger AS (
                SELECT id, customer_id, points, kind, created_at, expires_at FROM points_ledger WHERE created_at < @balanceAt
            ),
            deducted AS (SELECT customer_id, -SUM(points) AS used FROM ledger WHERE points < 0 GROUP BY customer_id),
            lots AS (
                SELECT customer_id, points, expires_at,
                       SUM(points) OVER (PARTITION BY customer_id ORDER BY created_at, id ROWS UNBOUNDED PRECEDING) AS through
                FROM ledger WHERE points > 0
            ),
            lapsed AS (
                SELECT l.points, l.through - COALESCE(d.used, 0) AS unused
                FROM lots l LEFT JOIN deducted d ON d.customer_id = l.customer_id
                WHERE l.expires_at <= @balanceAt
            ),
            holders AS (
                SELECT SUM(CASE WHEN kind IN (@earn, @award) THEN 1 ELSE 0 END) AS earns, SUM(CASE WHEN kind = @redeem THEN 1 ELSE 0 END) AS redemptions
                FROM ledger GROUP BY customer_id
            )
            SELECT (SELECT COALESCE(SUM(points), 0) FROM ledger)
                   - (SELECT COALESCE(SUM(CASE WHEN unused <= 0 THEN 0 WHEN unused >= points THEN points ELSE unused END), 0) FROM lapsed) AS outstanding,
                   (SELECT COALESCE(SUM(CASE WHEN kind IN (@earn, @award, @reverse) THEN points ELSE 0 END), 0) FROM ledger WHERE created_at >= @from) AS earned,
                   (SELECT -COALESCE(SUM(CASE WHEN kind IN (@redeem, @restore) THEN points ELSE 0 END), 0) FROM ledger WHERE created_at >= @from) AS redeemed,
                   (SELECT -COALESCE(SUM(CASE WHEN kind = @expire THEN points ELSE 0 END), 0) FROM ledger WHERE created_at >= @from) AS expired,
                   (SELECT COUNT(*) FROM holders WHERE earns > 0) AS members,
                   (SELECT COUNT(*) FROM holders WHERE earns > 0 AND redemptions > 0) AS redeemers
            """, parameters, cancellationToken: cancellationToken));
        return new LoyaltyFigures(sales.Sum(r => r.Orders), returning.Sum(r => r.Orders), sales.Sum(r => r.Revenue), returning.Sum(r => r.Revenue),
            points.Outstanding, points.Earned, points.Redeemed, points.Expired, points.Members, points.Redeemers);
    }

    private sealed class SalesRow
    {
        public long IsReturning { get; set; }
        public long Orders { get; set; }
        public decimal Revenue { get; set; }
    }

    private sealed class LedgerSumsRow
    {
        public long Outstanding { get; set; }
        public long Earned { get; set; }
        public long Redeemed { get; set; }
        public long Expired { get; set; }
        public long Members { get; set; }
        public long Redeemers { get; set; }
    }
}
