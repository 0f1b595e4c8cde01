using System.Data.Common;
using Dapper;

namespace Automation.Storage;

/// <summary>Reads of purchase history and views shared by snapshots and the ingest transaction.</summary>
internal static class ProductQueries
{
    public static async Task<IReadOnlyList<PurchaseRow>> PurchasesAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> customerIds,
        CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return [];
        var p = new DynamicParameters();
        return [.. await connection.QueryAsync<PurchaseRow>(new CommandDefinition(PurchasesSql(dialect.InListByKey("ids", customerIds, p)), p, transaction, cancellationToken: cancellationToken))];
    }

    /// <summary>What the customers <paramref name="inList"/> names (an <see cref="SqlDialect.InListByKey"/>) bought, product by product.</summary>
    public static string PurchasesSql(string inList) => $"""
        SELECT cp.customer_id, cp.product_id, cp.first_bought_at, cp.last_bought_at, cp.bought_count, cp.bought_quantity, pr.category, pr.categories
        FROM customer_products cp LEFT JOIN products pr ON pr.product_id = cp.product_id
        WHERE cp.customer_id {inList}
        ORDER BY cp.customer_id, cp.product_id
        """;

    /// <summary>The views kept of the customers <paramref name="inList"/> names.</summary>
    public static string ViewsSql(string inList) =>
        $"SELECT customer_id, product_id, viewed_on, views, last_viewed_at FROM product_views WHERE customer_id {inList} ORDER BY customer_id, viewed_on, product_id";

    public static async Task<IReadOnlyList<ViewRow>> ViewsAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> customerIds,
        CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return [];
        var p = new DynamicParameters();
        return [.. await connection.QueryAsync<ViewRow>(new CommandDefinition(ViewsSql(dialect.InListByKey("ids", customerIds, p)), p, transaction, cancellationToken: cancellationToken))];
    }
}
