using Automation.Core.Products;
using Dapper;

namespace Automation.Storage;

// The catalog, purchase history, views and replenishment reminders (migration 0018): a few rows per statement.
internal sealed partial class WriteTransaction
{
    public async Task UpsertSightingsAsync(IReadOnlyList<ProductSighting> sightings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var chunk in sightings.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, s => [s.ProductId, s.Sku, s.Name, s.Category, s.Brand, s.Price, s.Url, s.ImageUrl, s.UsageDays, s.SeenAt, now], p);
            // A newer event's fields win; an older one (a late event, or another ingest lane's) only fills blanks.
            const string newer = "(products.seen_at IS NULL OR products.seen_at <= excluded.seen_at)";
            await connection.ExecuteAsync(Command($"""
                INSERT INTO products (product_id, sku, name, category, brand, price, url, image_url, usage_days, seen_at, updated_at) VALUES {values}
                ON CONFLICT (product_id) DO UPDATE SET
                    sku = CASE WHEN {newer} THEN COALESCE(excluded.sku, products.sku) ELSE COALESCE(products.sku, excluded.sku) END,
                    name = CASE WHEN {newer} THEN COALESCE(excluded.name, products.name) ELSE COALESCE(products.name, excluded.name) END,
                    category = CASE WHEN {newer} THEN COALESCE(excluded.category, products.category) ELSE COALESCE(products.category, excluded.category) END,
                    brand = CASE WHEN {newer} THEN COALESCE(excluded.brand, products.brand) ELSE COALESCE(products.brand, excluded.brand) END,
                    price = CASE WHEN {newer} THEN COALESCE(excluded.price, products.price) ELSE COALESCE(products.price, excluded.price) END,
                    url = CASE WHEN {newer} THEN COALESCE(excluded.url, products.url) ELSE COALESCE(products.url, excluded.url) END,
                    image_url = CASE WHEN {newer} THEN COALESCE(excluded.image_url, products.image_url) ELSE COALESCE(products.image_url, excluded.image_url) END,
                    usage_days = COALESCE(products.usage_days, excluded.usage_days),
                    seen_at = CASE WHEN {newer} THEN excluded.seen_at ELSE products.seen_at END, updated_at = excluded.updated_at
                """, p, cancellationToken));
        }
    }

    public async Task<IReadOnlyList<Product>> LoadProductsAsync(IReadOnlyCollection<string> productIds, CancellationToken cancellationToken)
    {
        if (productIds.Count == 0) return [];
        var p = new DynamicParameters();
        var rows = await connection.QueryAsync<ProductRow>(Command($"SELECT {ProductRow.Columns} FROM products WHERE product_id {dialect.InList("ids", productIds, p)}", p, cancellationToken));
        return [.. rows.Select(r => r.ToProduct())];
    }

    public async Task<IReadOnlyList<Product>> LockProductsForEditAsync(IReadOnlyCollection<string> productIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = productIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) return [];
        // Rows are created first so that a product not in the catalog yet can be locked too: two first edits of it then
        // queue instead of each writing its fields over the other's.
        foreach (var chunk in ids.Chunk(dialect.RowsPerStatement))
        {
            var insert = new DynamicParameters();
            var values = SqlLists.Values(chunk, id => [id, now], insert);
            await connection.ExecuteAsync(Command($"INSERT INTO products (product_id, updated_at) VALUES {values} ON CONFLICT (product_id) DO NOTHING", insert, cancellationToken));
        }
        var p = new DynamicParameters();
        var rows = await connection.QueryAsync<ProductRow>(Command(
            $"SELECT {ProductRow.Columns} FROM products WHERE product_id {dialect.InList("ids", ids, p)} ORDER BY product_id {dialect.RowLockClause}", p, cancellationToken));
        return [.. rows.Select(r => r.ToProduct())];
    }

    public async Task SaveProductsAsync(IReadOnlyList<Product> products, CancellationToken cancellationToken)
    {
        foreach (var chunk in products.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, ProductRow.Cells, p);
            await connection.ExecuteAsync(Command($"""
                INSERT INTO products ({ProductRow.Columns}) VALUES {values}
                ON CONFLICT (product_id) DO UPDATE SET
                    sku = excluded.sku, name = excluded.name, category = excluded.category, brand = excluded.brand, price = excluded.price,
                    url = excluded.url, image_url = excluded.image_url, usage_days = excluded.usage_days, replenish = excluded.replenish,
                    categories = excluded.categories, updated_at = excluded.updated_at
                """, p, cancellationToken));
        }
    }

    public async Task<IReadOnlySet<string>> CompletedOrdersAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken)
    {
        var p = new DynamicParameters();
        var sql = $"SELECT order_id FROM orders WHERE completed_at IS NOT NULL AND order_id {dialect.InList("ids", orderIds, p)}";
        return (await connection.QueryAsync<string>(Command(sql, p, cancellationToken))).ToHashSet(StringComparer.Ordinal);
    }

    public async Task RecordPurchasesAsync(IReadOnlyList<PurchaseLine> purchases, CancellationToken cancellationToken)
    {
        foreach (var chunk in purchases.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, l => [l.CustomerId, l.ProductId, l.FirstBoughtAt, l.LastBoughtAt, l.Orders, l.Quantity], p);
            await connection.ExecuteAsync(Command($"""
                INSERT INTO customer_products (customer_id, product_id, first_bought_at, last_bought_at, bought_count, bought_quantity) VALUES {values}
                ON CONFLICT (customer_id, product_id) DO UPDATE SET
                    first_bought_at = CASE WHEN excluded.first_bought_at < customer_products.first_bought_at THEN excluded.first_bought_at ELSE customer_products.first_bought_at END,
                    last_bought_at = CASE WHEN excluded.last_bought_at > customer_products.last_bought_at THEN excluded.last_bought_at ELSE customer_products.last_bought_at END,
                    bought_count = customer_products.bought_count + excluded.bought_count,
                    bought_quantity = customer_products.bought_quantity + excluded.bought_quantity
                """, p, cancellationToken));
        }
    }

    public async Task<IReadOnlyList<(long CustomerId, ProductPurchase Purchase)>> LoadPurchasesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        [.. (await ProductQueries.PurchasesAsync(dialect, connection, transaction, customerIds, cancellationToken)).Select(r => (r.CustomerId, r.ToPurchase()))];

    public async Task RecordViewsAsync(IReadOnlyList<ProductViewLine> views, DateOnly keepFrom, CancellationToken cancellationToken)
    {
        if (views.Count == 0) return;
        var p = new DynamicParameters(new { keepFrom = Day(keepFrom), kept = PurchaseHistory.ViewedProducts });
        var rows = dialect.InsertRows(views, v => [v.CustomerId, v.ProductId, Day(v.Day), v.Views, v.LastViewedAt], p, "bigint", "text", "text", "integer", "timestamptz");
        var customers = dialect.InList("ids", views.Select(v => v.CustomerId).ToHashSet(), p);
        // The views, then what falls out of each customer's history, in one command. Ranked in one pass: a subquery
        // per row (the obvious NOT IN … LIMIT) is estimated so dear that PostgreSQL JIT-compiles it, ~8 ms a batch,
        // most of an ingest's database time.
        await connection.ExecuteAsync(Command($"""
            INSERT INTO product_views (customer_id, product_id, viewed_on, views, last_viewed_at) {rows}
            ON CONFLICT (customer_id, product_id, viewed_on) DO UPDATE SET
                views = product_views.views + excluded.views,
                last_viewed_at = CASE WHEN excluded.last_viewed_at > product_views.last_viewed_at THEN excluded.last_viewed_at ELSE product_views.last_viewed_at END;
            DELETE FROM product_views
            WHERE customer_id {customers} AND (customer_id, product_id, viewed_on) IN (
                SELECT customer_id, product_id, viewed_on FROM (
                    SELECT customer_id, product_id, viewed_on,
                           DENSE_RANK() OVER (PARTITION BY customer_id ORDER BY product_last DESC, product_id) AS product_rank
                    FROM (SELECT customer_id, product_id, viewed_on, MAX(last_viewed_at) OVER (PARTITION BY customer_id, product_id) AS product_last
                          FROM product_views WHERE customer_id {customers}) latest) ranked
                WHERE viewed_on < @keepFrom OR product_rank > @kept)
            """, p, cancellationToken));
    }

    public async Task ScheduleReplenishmentsAsync(IReadOnlyList<ReplenishmentDue> dues, CancellationToken cancellationToken)
    {
        foreach (var chunk in dues.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, d => [d.CustomerId, d.ProductId, d.BoughtAt, d.Quantity, d.CycleDays, d.CycleSource, d.DueAt], p);
            await connection.ExecuteAsync(Command($"""
                INSERT INTO replenishment_due (customer_id, product_id, bought_at, quantity, cycle_days, cycle_source, due_at) VALUES {values}
                ON CONFLICT (customer_id, product_id) DO UPDATE SET
                    bought_at = excluded.bought_at, quantity = excluded.quantity, cycle_days = excluded.cycle_days,
                    cycle_source = excluded.cycle_source, due_at = excluded.due_at, claimed_at = NULL
                WHERE replenishment_due.bought_at <= excluded.bought_at
                """, p, cancellationToken));
        }
    }

    public Task ForgetPurchasesAsync(IReadOnlyList<(long CustomerId, string ProductId)> purchases, CancellationToken cancellationToken) =>
        DeleteByCustomerAsync("customer_products", purchases, cancellationToken);

    public Task CancelReplenishmentsAsync(IReadOnlyList<(long CustomerId, string ProductId)> products, CancellationToken cancellationToken) =>
        DeleteByCustomerAsync("replenishment_due", products, cancellationToken);

    private async Task DeleteByCustomerAsync(string table, IReadOnlyList<(long CustomerId, string ProductId)> products, CancellationToken cancellationToken)
    {
        foreach (var group in products.GroupBy(x => x.CustomerId))
        {
            var p = new DynamicParameters(new { customerId = group.Key });
            await connection.ExecuteAsync(Command(
                $"DELETE FROM {table} WHERE customer_id = @customerId AND product_id {dialect.InList("ids", group.Select(x => x.ProductId).ToList(), p)}", p, cancellationToken));
        }
    }

    public async Task<IReadOnlyList<ReplenishmentDue>> ClaimDueReplenishmentsAsync(DateTimeOffset now, DateTimeOffset windowEnd, int customers, DateTimeOffset claimedAt,
        CancellationToken cancellationToken)
    {
        // The claim is the UPDATE: a row another transaction claimed first no longer matches claimed_at IS NULL when
        // this one re-reads it after the other commits, so it is not returned twice. The rows are locked in key order
        // so that two nodes claiming overlapping customers wait on each other instead of deadlocking.
        var rows = await connection.QueryAsync<ReplenishmentRow>(Command($"""
            UPDATE replenishment_due SET claimed_at = @claimedAt
            WHERE claimed_at IS NULL AND (customer_id, product_id) IN (
                SELECT customer_id, product_id FROM replenishment_due
                WHERE claimed_at IS NULL AND due_at <= @windowEnd AND customer_id IN (
                    SELECT DISTINCT customer_id FROM replenishment_due WHERE claimed_at IS NULL AND due_at <= @now ORDER BY customer_id LIMIT @customers)
                ORDER BY customer_id, product_id {dialect.RowLockClause})
            RETURNING {ReplenishmentRow.Columns}
            """, new { now, windowEnd, customers, claimedAt }, cancellationToken));
        return [.. rows.Select(r => r.ToDue())];
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
