using System.Text.Json;
using Automation.Core.Products;

namespace Automation.Storage;

// Rows of the catalog, purchase history and reminders (migration 0018), mapped to Core records in one place each.

internal sealed class ProductRow
{
    public const string Columns = "product_id, sku, name, category, brand, price, url, image_url, usage_days, replenish, categories, seen_at, updated_at";

    public string ProductId { get; set; } = "";
    public string? Sku { get; set; }
    public string? Name { get; set; }
    public string? Category { get; set; }
    public string? Brand { get; set; }
    public decimal? Price { get; set; }
    public string? Url { get; set; }
    public string? ImageUrl { get; set; }
    public int? UsageDays { get; set; }
    public bool Replenish { get; set; }
    public string Categories { get; set; } = "[]";
    public DateTimeOffset? SeenAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Product ToProduct() => new(ProductId)
    {
        Sku = Sku, Name = Name, Category = Category, Brand = Brand, Price = Price, Url = Url, ImageUrl = ImageUrl, UsageDays = UsageDays,
        Replenish = Replenish, Categories = CategoryJson.Read(Categories), SeenAt = SeenAt, UpdatedAt = UpdatedAt,
    };

    public static object?[] Cells(Product p) =>
        [p.ProductId, p.Sku, p.Name, p.Category, p.Brand, p.Price, p.Url, p.ImageUrl, p.UsageDays, p.Replenish, CategoryJson.Write(p.Categories), p.SeenAt, p.UpdatedAt];
}

/// <summary>A product's marketer categories, stored as a JSON array of strings in a text column on both databases.</summary>
internal static class CategoryJson
{
    public static string Write(IReadOnlyList<string> categories) => JsonSerializer.Serialize(categories);

    // Most products have no extra categories: "[]" is read without the serializer (a purchase-history segment reads one a row).
    public static IReadOnlyList<string> Read(string? json) => string.IsNullOrEmpty(json) || json == "[]" ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    /// <summary>A <c>LIKE</c> pattern that finds the category among the stored array's items (quotes included, wildcards escaped).</summary>
    public static string ItemPattern(string category) =>
        "%" + JsonSerializer.Serialize(category).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}

internal sealed class PurchaseRow
{
    public long CustomerId { get; set; }
    public string ProductId { get; set; } = "";
    public DateTimeOffset FirstBoughtAt { get; set; }
    public DateTimeOffset LastBoughtAt { get; set; }
    public int BoughtCount { get; set; }
    public int BoughtQuantity { get; set; }
    public string? Category { get; set; }
    public string? Categories { get; set; }

    public ProductPurchase ToPurchase()
    {
        var categories = CategoryJson.Read(Categories);
        return new(ProductId, Category is null ? categories : [Category, .. categories], FirstBoughtAt, LastBoughtAt, BoughtCount, BoughtQuantity);
    }
}

internal sealed class ViewRow
{
    public long CustomerId { get; set; }
    public string ProductId { get; set; } = "";
    public string ViewedOn { get; set; } = "";
    public int Views { get; set; }
    public DateTimeOffset LastViewedAt { get; set; }

    public ProductViews ToViews() => new(ProductId, DateOnly.ParseExact(ViewedOn, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Views, LastViewedAt);
}

internal sealed class ReplenishmentRow
{
    public const string Columns = "customer_id, product_id, bought_at, quantity, cycle_days, cycle_source, due_at, claimed_at";

    public long CustomerId { get; set; }
    public string ProductId { get; set; } = "";
    public DateTimeOffset BoughtAt { get; set; }
    public int Quantity { get; set; }
    public decimal CycleDays { get; set; }
    public string CycleSource { get; set; } = "";
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }

    public ReplenishmentDue ToDue() => new(CustomerId, ProductId, BoughtAt, Quantity, CycleDays, CycleSource, DueAt) { ClaimedAt = ClaimedAt };
}
