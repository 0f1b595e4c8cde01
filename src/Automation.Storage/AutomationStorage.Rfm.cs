using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// RFM in one statement: NTILE over all customers who ordered, so the application holds none of them.
// (SQLite needs the WHERE to tell the upsert's ON CONFLICT from a join's ON.)
public abstract partial class AutomationStorage : IRfmStore
{
    public async Task<int> ComputeRfmAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM customer_rfm WHERE customer_id NOT IN (SELECT customer_id FROM customer_stats WHERE order_count > 0)", transaction: transaction, cancellationToken: cancellationToken));
        var scored = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO customer_rfm (customer_id, r, f, m, spend_365, computed_at)
            SELECT customer_id,
                   NTILE(5) OVER (ORDER BY last_order_at, customer_id),
                   NTILE(5) OVER (ORDER BY order_count, customer_id),
                   NTILE(5) OVER (ORDER BY spend_365, customer_id),
                   spend_365, @now
            FROM (
                SELECT s.customer_id, s.last_order_at, s.order_count,
                       COALESCE((SELECT SUM(o.total - o.refunded_amount) FROM orders o
                                 WHERE o.customer_id = s.customer_id AND o.completed_at >= @since AND NOT o.fully_refunded), 0) AS spend_365
                FROM customer_stats s WHERE s.order_count > 0
            ) ordered
            WHERE 1 = 1
            ON CONFLICT (customer_id) DO UPDATE SET
                r = excluded.r, f = excluded.f, m = excluded.m, spend_365 = excluded.spend_365, computed_at = excluded.computed_at
            """, new { now, since = now.AddDays(-365) }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return scored;
    }
}
