using Automation.Core.Products;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The catalog and reminders, for the products API.
public abstract partial class AutomationStorage : IProductQueries
{
    public async Task<Product?> FindProductAsync(string productId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ProductRow>(new CommandDefinition(
            $"SELECT {ProductRow.Columns} FROM products WHERE product_id = @productId", new { productId }, cancellationToken: cancellationToken));
        return row?.ToProduct();
    }

    public async Task<IReadOnlyList<Product>> ProductsAsync(string? category, string? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var inCategory = category is null ? "" : "AND (category = @category OR categories LIKE @pattern ESCAPE '\\')";
        var rows = await connection.QueryAsync<ProductRow>(new CommandDefinition($"""
            SELECT {ProductRow.Columns} FROM products
            WHERE product_id > @after {inCategory}
            ORDER BY product_id
            LIMIT @limit
            """, new { category, pattern = category is null ? null : CategoryJson.ItemPattern(category), after = after ?? "", limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToProduct())];
    }

    public async Task<IReadOnlyList<ReplenishmentDue>> ReplenishmentsAsync(long customerId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReplenishmentRow>(new CommandDefinition(
            $"SELECT {ReplenishmentRow.Columns} FROM replenishment_due WHERE customer_id = @customerId ORDER BY due_at, product_id", new { customerId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToDue())];
    }
}
