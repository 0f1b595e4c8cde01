namespace Automation.Core.Products;

/// <summary>Where a product's cycle came from.</summary>
public static class CycleSources
{
    /// <summary>Quantity × the product's usage_days.</summary>
    public const string UsageDays = "usage_days";

    /// <summary>The customer's own mean interval between orders of the product (two orders or more).</summary>
    public const string OwnInterval = "own_interval";

    /// <summary>Replenishment:DefaultCycleDays.</summary>
    public const string Default = "default";
}

/// <summary>
/// When a customer should reorder a product: <see cref="DueAt"/> is the purchase plus the cycle less the lead days;
/// <see cref="ClaimedAt"/> is set once a reminder took it.
/// </summary>
public sealed record ReplenishmentDue(long CustomerId, string ProductId, DateTimeOffset BoughtAt, int Quantity, decimal CycleDays, string CycleSource, DateTimeOffset DueAt)
{
    public DateTimeOffset? ClaimedAt { get; init; }
}
