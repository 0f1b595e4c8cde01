namespace Automation.Core.Products;

/// <summary>What a customer bought of one product: the first and last purchase, orders that named it and units.</summary>
public sealed record ProductPurchase(string ProductId, IReadOnlyList<string> Categories, DateTimeOffset FirstBoughtAt, DateTimeOffset LastBoughtAt, int Count, int Quantity);

/// <summary>Views of one product by a customer on one UTC day (kept for <see cref="PurchaseHistory.ViewDays"/> days).</summary>
public sealed record ProductViews(string ProductId, DateOnly Day, int Views, DateTimeOffset LastViewedAt);

/// <summary>
/// A customer's purchase history and recent browsing, as rules see it through <c>customer.Bought(…)</c> and its
/// siblings. Bounded: one row for each of the <see cref="BoughtProducts"/> products bought last, and views of the last
/// <see cref="ViewDays"/> days of the <see cref="ViewedProducts"/> products viewed last.
/// </summary>
public sealed record PurchaseHistory(IReadOnlyList<ProductPurchase> Purchases, IReadOnlyList<ProductViews> Views)
{
    /// <summary>How many days of views are kept and read: the longest window <c>customer.Viewed(product, days)</c> can look back.</summary>
    public const int ViewDays = 30;

    /// <summary>How many products' views are kept per customer: those viewed most recently. A crawler cannot grow it.</summary>
    public const int ViewedProducts = 50;

    /// <summary>
    /// How many products' purchases are kept per customer: those bought most recently. A reseller ordering the whole
    /// catalog cannot grow the snapshot every journey reads; a product bought before the last 200 others is forgotten
    /// (its <c>customer.Bought(…)</c> false again, its category counts without it).
    /// </summary>
    public const int BoughtProducts = 200;

    public static PurchaseHistory None { get; } = new([], []);
}
