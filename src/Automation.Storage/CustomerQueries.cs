using System.Data.Common;
using Automation.Core.Customers;
using Dapper;

namespace Automation.Storage;

internal static class CustomerQueries
{
    public static async Task<CustomerSnapshot?> FindAsync(DbConnection connection, string id, CancellationToken ct)
    {
        // The signed-in id wins over a device id that happens to be equal.
        var row = await connection.QueryFirstOrDefaultAsync<CustomerRow>(new CommandDefinition(
            $"""
            SELECT {CustomerRow.Columns}, 0 AS match_rank FROM customers WHERE external_id = @id
            UNION ALL
            SELECT {CustomerRow.Columns}, 1 AS match_rank FROM customers WHERE anonymous_id = @id
            ORDER BY match_rank
            """, new { id }, cancellationToken: ct));
        if (row is null) return null;

        var stats = await connection.QueryFirstOrDefaultAsync<StatsRow>(new CommandDefinition(
            "SELECT customer_id, order_count, total_spent, first_order_at, last_order_at, mean_order_interval_days FROM customer_stats WHERE customer_id = @Id",
            new { row.Id }, cancellationToken: ct));
        var cart = await connection.QueryFirstOrDefaultAsync<CartRow>(new CommandDefinition(
            "SELECT items, currency, updated_at FROM carts WHERE customer_id = @Id",
            new { row.Id }, cancellationToken: ct));
        return new CustomerSnapshot(row.ToProfile(), stats?.ToStats() ?? CustomerStats.None, cart?.ToCart());
    }
}
