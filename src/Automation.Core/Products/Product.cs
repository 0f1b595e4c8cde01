namespace Automation.Core.Products;

/// <summary>
/// A product as the catalog holds it: what shop events carry (<see cref="Name"/> to <see cref="ImageUrl"/>, the newest
/// event winning) and what only the products API sets (<see cref="UsageDays"/>, <see cref="Replenish"/>,
/// <see cref="Categories"/>).
/// </summary>
public sealed record Product(string ProductId)
{
    public string? Sku { get; init; }
    public string? Name { get; init; }

    /// <summary>The category events name; <see cref="Categories"/> adds the ones a marketer groups the product in.</summary>
    public string? Category { get; init; }
    public string? Brand { get; init; }
    public decimal? Price { get; init; }
    public string? Url { get; init; }
    public string? ImageUrl { get; init; }

    /// <summary>Days one unit lasts (a 30-day bottle of detergent); null when not known.</summary>
    public int? UsageDays { get; init; }

    /// <summary>Whether buyers are reminded to reorder it; on unless turned off.</summary>
    public bool Replenish { get; init; } = true;

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>When the newest event that described it happened; null for a product only the API wrote.</summary>
    public DateTimeOffset? SeenAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The event category and the marketer's categories, each once.</summary>
    public IEnumerable<string> AllCategories => (Category is null ? Categories : Categories.Prepend(Category)).Distinct(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A product as one shop event described it, with when the event happened.</summary>
public sealed record ProductSighting(string ProductId, string? Sku, string? Name, string? Category, string? Brand, decimal? Price, string? Url, string? ImageUrl,
    int? UsageDays, DateTimeOffset SeenAt);

/// <summary>What one batch adds to a customer's history of a product: orders that named it, units, first and last.</summary>
public sealed record PurchaseLine(long CustomerId, string ProductId, int Orders, int Quantity, DateTimeOffset FirstBoughtAt, DateTimeOffset LastBoughtAt);

/// <summary>Views of a product by a customer on one UTC day, as one batch adds them.</summary>
public sealed record ProductViewLine(long CustomerId, string ProductId, DateOnly Day, int Views, DateTimeOffset LastViewedAt);
