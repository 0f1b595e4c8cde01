namespace Automation.Core.Products;

/// <summary>
/// When a product bought should be reordered: quantity × the product's usage_days when the catalog knows it, else the
/// customer's own mean interval between orders of it (two orders or more), else Replenishment:DefaultCycleDays — less
/// the lead days, however long the cycle (a 150-day tin of milk powder reminds at day 147 with the shipped 3).
/// </summary>
public static class ReplenishmentCycle
{
    public const int MaxCycleDays = 36_500;

    /// <summary>The reminder of this purchase, or null when the product is not replenished or no cycle is known.</summary>
    public static ReplenishmentDue? Due(long customerId, Product? product, ProductPurchase? history, string productId, int quantity, DateTimeOffset boughtAt,
        ReplenishmentSettings settings)
    {
        if (product is { Replenish: false }) return null;
        var (days, source) = product?.UsageDays is { } usage ? ((decimal)usage * Math.Max(quantity, 1), CycleSources.UsageDays)
            : history is { Count: >= 2 } h && h.LastBoughtAt > h.FirstBoughtAt ? ((decimal)(h.LastBoughtAt - h.FirstBoughtAt).TotalDays / (h.Count - 1), CycleSources.OwnInterval)
            : settings.DefaultCycleDays > 0 ? (settings.DefaultCycleDays, CycleSources.Default)
            : (0m, "");
        if (days <= 0) return null;
        // A hundred years is never: it keeps a thousand units of a 10-year product within the column and the calendar.
        days = Math.Round(Math.Min(days, MaxCycleDays), 2);
        var due = boughtAt.AddDays((double)days - settings.LeadDays);
        return new ReplenishmentDue(customerId, productId, boughtAt, quantity, days, source, due < boughtAt ? boughtAt : due);
    }
}
