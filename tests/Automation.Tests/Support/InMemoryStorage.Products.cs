using Automation.Core.Products;
using Automation.Core.Storage;

namespace Automation.Tests.Support;

// The catalog and reminders as the API reads them, with the rules of AutomationStorage.Products.cs.
internal sealed partial class InMemoryStorage : IProductQueries
{
    public Task<Product?> FindProductAsync(string productId, CancellationToken cancellationToken) =>
        Task.FromResult(_committed.Products.GetValueOrDefault(productId));

    public Task<IReadOnlyList<Product>> ProductsAsync(string? category, string? after, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Product>>([.. _committed.Products.Values
            .Where(p => string.CompareOrdinal(p.ProductId, after ?? "") > 0 && (category is null || p.Category == category || p.Categories.Contains(category, StringComparer.Ordinal)))
            .OrderBy(p => p.ProductId, StringComparer.Ordinal).Take(limit)]);

    public Task<IReadOnlyList<ReplenishmentDue>> ReplenishmentsAsync(long customerId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ReplenishmentDue>>([.. _committed.Replenishments.Values.Where(d => d.CustomerId == customerId)
            .OrderBy(d => d.DueAt).ThenBy(d => d.ProductId, StringComparer.Ordinal)]);
}
