using Automation.Core.Customers;

namespace Automation.Core.Ingestion;

/// <summary>The meaning of a Segment e-commerce event for orders and carts.</summary>
public abstract record CommerceFact;

/// <summary><c>Order Completed</c>: an order to record and count in the customer's stats.</summary>
public sealed record OrderCompleted(
    string OrderId,
    decimal Total,
    string? Currency,
    string? Coupon,
    decimal Discount,
    IReadOnlyList<ProductLine> Products) : CommerceFact;

/// <summary><c>Order Refunded</c>: a refund of <see cref="Amount"/>, or of the whole order when it is null.</summary>
public sealed record OrderRefunded(string OrderId, decimal? Amount) : CommerceFact;

/// <summary><c>Order Delivered</c>: the order reached the customer.</summary>
public sealed record OrderDelivered(string OrderId) : CommerceFact;

/// <summary><c>Product Added</c>, <c>Product Removed</c> or <c>Cart Viewed</c>: the open cart changes.</summary>
public sealed record CartChanged : CommerceFact
{
    public static CartChanged Instance { get; } = new();
}
