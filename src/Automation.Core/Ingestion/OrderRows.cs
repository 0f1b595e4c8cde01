namespace Automation.Core.Ingestion;

/// <summary>An order to record, as its customer and time were when it arrived.</summary>
public sealed record RecordedOrder(long CustomerId, OrderCompleted Order, DateTimeOffset CompletedAt);

/// <summary>A delivery to record.</summary>
public sealed record RecordedDelivery(long CustomerId, OrderDelivered Delivery, DateTimeOffset DeliveredAt);

/// <summary>What an order row holds that its totals are figured from; <see cref="CompletedAt"/> is null until the order itself arrives.</summary>
public sealed record OrderState(string OrderId, long CustomerId, decimal Total, decimal RefundedAmount, bool FullyRefunded, DateTimeOffset? CompletedAt)
{
    /// <summary>Completed, not fully refunded, and not refunded by its total or more: what order totals and stats count.</summary>
    public bool Counts => CompletedAt is not null && !FullyRefunded && (RefundedAmount == 0 || RefundedAmount < Total);

    /// <summary>The row after the order (again): a refund or delivery that came first keeps what it wrote.</summary>
    public static OrderState Recorded(OrderState? before, RecordedOrder order) =>
        (before ?? new OrderState(order.Order.OrderId, order.CustomerId, 0m, 0m, false, null)) with
        {
            CustomerId = order.CustomerId,
            Total = order.Order.Total,
            CompletedAt = order.CompletedAt,
        };
}

/// <summary>A customer's orders completed in [<see cref="From"/>, <see cref="Until"/>].</summary>
public sealed record TotalsSpan(long CustomerId, DateTimeOffset From, DateTimeOffset Until);
