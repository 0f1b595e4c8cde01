using Automation.Core.Products;

namespace Automation.Tests.Support;

// The catalog, purchase history, views and reminders, each with the rule of its SQL in WriteTransaction.Products.cs.
internal sealed partial class InMemoryTransaction
{
    public Task UpsertSightingsAsync(IReadOnlyList<ProductSighting> sightings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var products = _tables.Products;
        foreach (var s in sightings)
        {
            var stored = products.GetValueOrDefault(s.ProductId);
            // An older event than the one stored only fills blanks; a field the event leaves out keeps its value.
            var p = stored ?? new Product(s.ProductId);
            products = products.SetItem(s.ProductId, stored is { SeenAt: { } seen } && seen > s.SeenAt
                ? p with
                {
                    Sku = p.Sku ?? s.Sku, Name = p.Name ?? s.Name, Category = p.Category ?? s.Category, Brand = p.Brand ?? s.Brand, Price = p.Price ?? s.Price,
                    Url = p.Url ?? s.Url, ImageUrl = p.ImageUrl ?? s.ImageUrl, UsageDays = p.UsageDays ?? s.UsageDays, UpdatedAt = now,
                }
                : p with
                {
                    Sku = s.Sku ?? p.Sku, Name = s.Name ?? p.Name, Category = s.Category ?? p.Category, Brand = s.Brand ?? p.Brand, Price = s.Price ?? p.Price,
                    Url = s.Url ?? p.Url, ImageUrl = s.ImageUrl ?? p.ImageUrl, UsageDays = p.UsageDays ?? s.UsageDays, SeenAt = s.SeenAt, UpdatedAt = now,
                });
        }
        _tables = _tables with { Products = products };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Product>> LoadProductsAsync(IReadOnlyCollection<string> productIds, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<Product>>([.. productIds.Select(_tables.Products.GetValueOrDefault).OfType<Product>()]);

    // One transaction at a time here: creating the missing products is all the lock amounts to.
    public Task<IReadOnlyList<Product>> LockProductsForEditAsync(IReadOnlyCollection<string> productIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = productIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        _tables = _tables with { Products = _tables.Products.SetItems(ids.Where(id => !_tables.Products.ContainsKey(id))
            .Select(id => KeyValuePair.Create(id, new Product(id) { UpdatedAt = now }))) };
        return Done<IReadOnlyList<Product>>([.. ids.Select(id => _tables.Products[id])]);
    }

    public Task SaveProductsAsync(IReadOnlyList<Product> products, CancellationToken cancellationToken)
    {
        // The SQL's update leaves seen_at as the events set it.
        _tables = _tables with { Products = _tables.Products.SetItems(products.Select(p => KeyValuePair.Create(p.ProductId,
            p with { SeenAt = _tables.Products.GetValueOrDefault(p.ProductId)?.SeenAt ?? p.SeenAt }))) };
        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<string>> CompletedOrdersAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken) =>
        Done<IReadOnlySet<string>>(orderIds.Where(id => _tables.Orders.TryGetValue(id, out var o) && o.CompletedAt is not null).ToHashSet(StringComparer.Ordinal));

    public Task RecordPurchasesAsync(IReadOnlyList<PurchaseLine> purchases, CancellationToken cancellationToken)
    {
        var rows = _tables.Purchases;
        foreach (var l in purchases)
        {
            var key = (l.CustomerId, l.ProductId);
            rows = rows.SetItem(key, rows.GetValueOrDefault(key) is { } p
                ? p with
                {
                    FirstBoughtAt = l.FirstBoughtAt < p.FirstBoughtAt ? l.FirstBoughtAt : p.FirstBoughtAt,
                    LastBoughtAt = l.LastBoughtAt > p.LastBoughtAt ? l.LastBoughtAt : p.LastBoughtAt,
                    Count = p.Count + l.Orders, Quantity = p.Quantity + l.Quantity,
                }
                : new ProductPurchase(l.ProductId, [], l.FirstBoughtAt, l.LastBoughtAt, l.Orders, l.Quantity));
        }
        _tables = _tables with { Purchases = rows };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(long CustomerId, ProductPurchase Purchase)>> LoadPurchasesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<(long, ProductPurchase)>>([.. customerIds.Order().SelectMany(id => _tables.PurchasesOf(id).Select(p => (id, p)))]);

    public Task RecordViewsAsync(IReadOnlyList<ProductViewLine> views, DateOnly keepFrom, CancellationToken cancellationToken)
    {
        var rows = _tables.Views;
        foreach (var v in views)
        {
            var key = (v.CustomerId, v.ProductId, v.Day);
            rows = rows.SetItem(key, rows.GetValueOrDefault(key) is { } seen
                ? seen with { Views = seen.Views + v.Views, LastViewedAt = v.LastViewedAt > seen.LastViewedAt ? v.LastViewedAt : seen.LastViewedAt }
                : new ProductViews(v.ProductId, v.Day, v.Views, v.LastViewedAt));
        }
        var customers = views.Select(v => v.CustomerId).ToHashSet();
        rows = rows.RemoveRange(rows.Keys.Where(k => customers.Contains(k.CustomerId) && k.Day < keepFrom).ToList());
        foreach (var customer in customers)
        {
            var recent = rows.Where(r => r.Key.CustomerId == customer).GroupBy(r => r.Key.ProductId)
                .OrderByDescending(g => g.Max(r => r.Value.LastViewedAt)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Take(PurchaseHistory.ViewedProducts).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            rows = rows.RemoveRange(rows.Keys.Where(k => k.CustomerId == customer && !recent.Contains(k.ProductId)).ToList());
        }
        _tables = _tables with { Views = rows };
        return Task.CompletedTask;
    }

    public Task ScheduleReplenishmentsAsync(IReadOnlyList<ReplenishmentDue> dues, CancellationToken cancellationToken)
    {
        var rows = _tables.Replenishments;
        foreach (var d in dues)
        {
            var key = (d.CustomerId, d.ProductId);
            if (rows.GetValueOrDefault(key) is { } stored && stored.BoughtAt > d.BoughtAt) continue;
            rows = rows.SetItem(key, d with { ClaimedAt = null });
        }
        _tables = _tables with { Replenishments = rows };
        return Task.CompletedTask;
    }

    public Task ForgetPurchasesAsync(IReadOnlyList<(long CustomerId, string ProductId)> purchases, CancellationToken cancellationToken)
    {
        _tables = _tables with { Purchases = _tables.Purchases.RemoveRange(purchases) };
        return Task.CompletedTask;
    }

    public Task CancelReplenishmentsAsync(IReadOnlyList<(long CustomerId, string ProductId)> products, CancellationToken cancellationToken)
    {
        _tables = _tables with { Replenishments = _tables.Replenishments.RemoveRange(products) };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ReplenishmentDue>> ClaimDueReplenishmentsAsync(DateTimeOffset now, DateTimeOffset windowEnd, int customers, DateTimeOffset claimedAt,
        CancellationToken cancellationToken)
    {
        var open = _tables.Replenishments.Values.Where(d => d.ClaimedAt is null).ToList();
        var due = open.Where(d => d.DueAt <= now).Select(d => d.CustomerId).Distinct().Order().Take(customers).ToHashSet();
        var claimed = open.Where(d => due.Contains(d.CustomerId) && d.DueAt <= windowEnd).Select(d => d with { ClaimedAt = claimedAt }).ToList();
        _tables = _tables with { Replenishments = _tables.Replenishments.SetItems(claimed.Select(d => KeyValuePair.Create((d.CustomerId, d.ProductId), d))) };
        return Done<IReadOnlyList<ReplenishmentDue>>(claimed);
    }
}
