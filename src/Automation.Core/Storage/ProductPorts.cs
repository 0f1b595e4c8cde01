using Automation.Core.Products;

namespace Automation.Core.Storage;

/// <summary>
/// The catalog, purchase history, recent views and replenishment reminders, written inside an ingest transaction:
/// each a few rows per statement whatever the batch holds.
/// </summary>
public interface IProductWrites
{
    /// <summary>
    /// Upserts what events said of products, one sighting per product: a field an event leaves out keeps its value, an
    /// older sighting than the one stored changes nothing, and an event's usage_days fills only a usage not yet known.
    /// </summary>
    Task UpsertSightingsAsync(IReadOnlyList<ProductSighting> sightings, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>These products as the catalog holds them (unknown ids are left out).</summary>
    Task<IReadOnlyList<Product>> LoadProductsAsync(IReadOnlyCollection<string> productIds, CancellationToken cancellationToken);

    /// <summary>
    /// These products, created empty when not in the catalog yet and locked for the rest of the transaction (in id
    /// order), so that an edit applied to them and saved loses no concurrent edit or event's sighting.
    /// </summary>
    Task<IReadOnlyList<Product>> LockProductsForEditAsync(IReadOnlyCollection<string> productIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Writes these products whole (the API's edits, applied to what <see cref="LockProductsForEditAsync"/> gave).</summary>
    Task SaveProductsAsync(IReadOnlyList<Product> products, CancellationToken cancellationToken);

    /// <summary>Which of these orders are already recorded as completed: an order sent again adds nothing to the history.</summary>
    Task<IReadOnlySet<string>> CompletedOrdersAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken);

    /// <summary>Adds purchases to the history, one line per customer and product: counts add up, first and last widen.</summary>
    Task RecordPurchasesAsync(IReadOnlyList<PurchaseLine> purchases, CancellationToken cancellationToken);

    /// <summary>These customers' purchase history (after this transaction's purchases).</summary>
    Task<IReadOnlyList<(long CustomerId, ProductPurchase Purchase)>> LoadPurchasesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>Removes these products from these customers' purchase history (those beyond <see cref="Products.PurchaseHistory.BoughtProducts"/>).</summary>
    Task ForgetPurchasesAsync(IReadOnlyList<(long CustomerId, string ProductId)> purchases, CancellationToken cancellationToken);

    /// <summary>
    /// Adds views, one line per customer, product and day, and drops the views of these customers older than
    /// <paramref name="keepFrom"/> and those of products beyond the <see cref="PurchaseHistory.ViewedProducts"/> they viewed last.
    /// </summary>
    Task RecordViewsAsync(IReadOnlyList<ProductViewLine> views, DateOnly keepFrom, CancellationToken cancellationToken);

    /// <summary>
    /// Sets when each product should be reordered, replacing (and so rescheduling and unclaiming) the row of an
    /// earlier purchase; a row from a later purchase than the one given is kept.
    /// </summary>
    Task ScheduleReplenishmentsAsync(IReadOnlyList<ReplenishmentDue> dues, CancellationToken cancellationToken);

    /// <summary>Removes the reminders of these customers' products (bought again with no cycle known, or not replenished).</summary>
    Task CancelReplenishmentsAsync(IReadOnlyList<(long CustomerId, string ProductId)> products, CancellationToken cancellationToken);

    /// <summary>
    /// Claims, in the statement that marks them, the unclaimed reminders of up to <paramref name="customers"/> customers
    /// who have one due by <paramref name="now"/>, together with their other products due by
    /// <paramref name="windowEnd"/>: a reminder claimed by another transaction is not returned.
    /// </summary>
    Task<IReadOnlyList<ReplenishmentDue>> ClaimDueReplenishmentsAsync(DateTimeOffset now, DateTimeOffset windowEnd, int customers, DateTimeOffset claimedAt, CancellationToken cancellationToken);
}

/// <summary>The catalog and reminders as the API shows them, read outside any transaction.</summary>
public interface IProductQueries
{
    Task<Product?> FindProductAsync(string productId, CancellationToken cancellationToken);

    /// <summary>Products after <paramref name="after"/> in id order, of one category (the event's or a marketer's) or all.</summary>
    Task<IReadOnlyList<Product>> ProductsAsync(string? category, string? after, int limit, CancellationToken cancellationToken);

    /// <summary>A customer's scheduled reminders, soonest first, claimed ones included.</summary>
    Task<IReadOnlyList<ReplenishmentDue>> ReplenishmentsAsync(long customerId, CancellationToken cancellationToken);
}
