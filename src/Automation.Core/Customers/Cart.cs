namespace Automation.Core.Customers;

/// <summary>One product line in a cart or an order, in Segment's e-commerce v2 shape.</summary>
public sealed record ProductLine(
    string ProductId,
    string? Sku,
    string? Name,
    decimal Price,
    int Quantity,
    string? Category,
    string? Url,
    string? ImageUrl)
{
    /// <summary>Price times quantity.</summary>
    public decimal LineTotal => Price * Quantity;
}

/// <summary>
/// The customer's open cart: what they added since their last order and have not removed.
/// </summary>
public sealed record Cart(IReadOnlyList<ProductLine> Items, string? Currency, DateTimeOffset UpdatedAt)
{
    /// <summary>Number of units across all lines.</summary>
    public int ItemCount => Items.Sum(i => i.Quantity);

    /// <summary>Sum of line totals.</summary>
    public decimal Value => Items.Sum(i => i.LineTotal);

    /// <summary>Hours since the cart last changed.</summary>
    public double HoursSinceLastChange(DateTimeOffset now) => (now - UpdatedAt).TotalHours;
}
