using Automation.Core.Products;

namespace Automation.Core.Journeys;

// customer.Bought("sku-1") and its siblings: purchase history and recent views (SnapshotParts.Purchases), read only
// when some journey's expression names one of them.
public sealed partial class CustomerFacts
{
    internal PurchaseHistory History { get; init; } = PurchaseHistory.None;

    /// <summary>The moment the facts were built, for the days since a purchase and the views' window.</summary>
    internal DateTimeOffset At { get; init; }

    /// <summary>True when the customer ever bought the product (its product id, as events send it).</summary>
    public bool Bought(string product) => Purchase(product) is not null;

    /// <summary>Orders that included the product; 0 when never bought.</summary>
    public int BoughtCount(string product) => Purchase(product)?.Count ?? 0;

    /// <summary>Units of the product bought over all orders; 0 when never bought.</summary>
    public int BoughtQuantity(string product) => Purchase(product)?.Quantity ?? 0;

    /// <summary>Whole days since the product was last bought; -1 when never.</summary>
    public int DaysSinceBought(string product) => Purchase(product) is { } p ? WholeDaysSince(p.LastBoughtAt) : -1;

    /// <summary>True when the customer bought any product of the category (the event's category or a marketer's, any case).</summary>
    public bool BoughtCategory(string category) => InCategory(category).Any();

    /// <summary>
    /// Purchases of the category's products: each product counted in each order that held it (an order with two coffees
    /// counts twice); 0 when never.
    /// </summary>
    public int BoughtCategoryCount(string category) => InCategory(category).Sum(p => p.Count);

    /// <summary>Units of the category's products bought over all orders; 0 when never.</summary>
    public int BoughtCategoryQuantity(string category) => InCategory(category).Sum(p => p.Quantity);

    /// <summary>Whole days since a product of the category was last bought; -1 when never.</summary>
    public int DaysSinceBoughtCategory(string category) =>
        InCategory(category).Select(p => (DateTimeOffset?)p.LastBoughtAt).Max() is { } last ? WholeDaysSince(last) : -1;

    /// <summary>
    /// Views of the product in the last <paramref name="days"/> days, today (UTC) included; at most 30 days look back.
    /// </summary>
    public int Viewed(string product, int days)
    {
        var from = DateOnly.FromDateTime(At.UtcDateTime).AddDays(1 - Math.Clamp(days, 1, PurchaseHistory.ViewDays));
        return History.Views.Where(v => v.Day >= from && string.Equals(v.ProductId, product, StringComparison.Ordinal)).Sum(v => v.Views);
    }

    private ProductPurchase? Purchase(string product) => History.Purchases.FirstOrDefault(p => string.Equals(p.ProductId, product, StringComparison.Ordinal));

    private IEnumerable<ProductPurchase> InCategory(string category) =>
        History.Purchases.Where(p => p.Categories.Contains(category, StringComparer.OrdinalIgnoreCase));

    private int WholeDaysSince(DateTimeOffset at) => (int)Math.Floor((At - at).TotalDays);
}
