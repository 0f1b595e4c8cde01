using System.Text.Json.Nodes;
using Automation.Core.Customers;

namespace Automation.Core.Ingestion;

/// <summary>
/// The Segment e-commerce v2 event names that change orders and carts, and how their properties are read.
/// Other event names are stored as they are.
/// </summary>
public static class CommerceEvents
{
    public const string ProductAdded = "Product Added";
    public const string ProductRemoved = "Product Removed";
    public const string CartViewed = "Cart Viewed";
    public const string CheckoutStarted = "Checkout Started";
    public const string OrderCompleted = "Order Completed";
    public const string OrderRefunded = "Order Refunded";
    public const string OrderDelivered = "Order Delivered";
    public const string SignedUp = "Signed Up";

    /// <summary>Events replayed to rebuild the open cart.</summary>
    public static IReadOnlyList<string> CartEventNames { get; } = [ProductAdded, ProductRemoved, CartViewed];

    private const int MaxProductsPerEvent = 500;

    /// <summary>
    /// The largest amount (total, discount, refund, price) taken: ten billion, far above any real order, and low enough
    /// that a customer's summed spend stays within PostgreSQL's numeric(18, 4) for ten thousand such orders.
    /// </summary>
    public const decimal MaxAmount = 10_000_000_000m;

    /// <summary>
    /// Reads the commerce meaning of a track event, adding an error per bad property.
    /// Returns null for names that carry none.
    /// </summary>
    internal static CommerceFact? Read(string eventName, JsonObject properties, string path, JsonFieldReader reader) =>
        eventName switch
        {
            ProductAdded or ProductRemoved => ReadProduct(properties, path, reader) is null ? null : CartChanged.Instance,
            CartViewed => ReadProducts(properties, path, reader) is null ? null : CartChanged.Instance,
            OrderCompleted => ReadOrderCompleted(properties, path, reader),
            OrderRefunded => ReadOrderRefunded(properties, path, reader),
            OrderDelivered => RequiredOrderId(properties, path, reader) is { } id ? new OrderDelivered(id) : null,
            _ => null,
        };

    /// <summary>Reads one product from stored, already validated properties (used when the cart is rebuilt).</summary>
    public static ProductLine? ReadStoredProduct(JsonObject properties) =>
        ReadProduct(properties, "properties", new JsonFieldReader([]));

    /// <summary>Reads the product list of stored, already validated properties; null when the event has none.</summary>
    public static IReadOnlyList<ProductLine>? ReadStoredProducts(JsonObject properties) =>
        ReadProducts(properties, "properties", new JsonFieldReader([]));

    private static OrderCompleted? ReadOrderCompleted(JsonObject p, string path, JsonFieldReader r)
    {
        var errorsBefore = r.Errors.Count;
        var orderId = RequiredOrderId(p, path, r);
        var products = ReadProducts(p, path, r) ?? [];
        var total = r.Number(p, "total", path) ?? r.Number(p, "revenue", path) ?? products.Sum(x => x.LineTotal);
        if (total < 0) r.Add(JsonFieldReader.Join(path, "total"), "must not be negative");
        CheckMaximum(total, path, "total", r);
        var discount = r.Number(p, "discount", path) ?? 0m;
        CheckMaximum(Math.Abs(discount), path, "discount", r);
        var currency = Currency(p, path, r);
        var coupon = r.String(p, "coupon", path, JsonFieldReader.MaxIdLength);
        return orderId is null || r.Errors.Count > errorsBefore
            ? null
            : new OrderCompleted(orderId, total, currency, string.IsNullOrWhiteSpace(coupon) ? null : coupon, discount, products);
    }

    private static OrderRefunded? ReadOrderRefunded(JsonObject p, string path, JsonFieldReader r)
    {
        var errorsBefore = r.Errors.Count;
        var orderId = RequiredOrderId(p, path, r);
        var amount = r.Number(p, "total", path) ?? ReadProducts(p, path, r)?.Sum(x => x.LineTotal);
        if (amount < 0) r.Add(JsonFieldReader.Join(path, "total"), "must not be negative");
        if (amount is { } refunded) CheckMaximum(refunded, path, "total", r);
        return orderId is null || r.Errors.Count > errorsBefore ? null : new OrderRefunded(orderId, amount);
    }

    private static void CheckMaximum(decimal amount, string path, string name, JsonFieldReader r)
    {
        if (amount > MaxAmount) r.Add(JsonFieldReader.Join(path, name), "must be at most 10,000,000,000");
    }

    private static string? RequiredOrderId(JsonObject p, string path, JsonFieldReader r)
    {
        var errorsBefore = r.Errors.Count;
        var id = r.Id(p, "order_id", path);
        if (id is null && r.Errors.Count == errorsBefore)
            r.Add(JsonFieldReader.Join(path, "order_id"), "is required");
        return id;
    }

    private static string? Currency(JsonObject p, string path, JsonFieldReader r)
    {
        var currency = r.String(p, "currency", path, 3);
        if (currency is null) return null;
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetter))
        {
            r.Add(JsonFieldReader.Join(path, "currency"), "must be a three-letter ISO 4217 code such as USD");
            return null;
        }
        return currency.ToUpperInvariant();
    }

    private static List<ProductLine>? ReadProducts(JsonObject p, string path, JsonFieldReader r)
    {
        var array = r.Array(p, "products", path);
        if (array is null) return null;
        var productsPath = JsonFieldReader.Join(path, "products");
        if (array.Count > MaxProductsPerEvent)
        {
            r.Add(productsPath, $"must list at most {MaxProductsPerEvent} products");
            return null;
        }
        var lines = new List<ProductLine>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = $"{productsPath}[{i}]";
            if (array[i] is not JsonObject item)
            {
                r.Add(itemPath, $"must be an object, not {JsonFieldReader.Describe(array[i])}");
                continue;
            }
            if (ReadProduct(item, itemPath, r) is { } line) lines.Add(line);
        }
        return lines;
    }

    private static ProductLine? ReadProduct(JsonObject p, string path, JsonFieldReader r)
    {
        var errorsBefore = r.Errors.Count;
        var productId = r.Id(p, "product_id", path) ?? r.Id(p, "sku", path) ?? r.Id(p, "id", path);
        if (productId is null && r.Errors.Count == errorsBefore)
            r.Add(JsonFieldReader.Join(path, "product_id"), "is required (or sku)");
        var price = r.Number(p, "price", path) ?? 0m;
        if (price < 0) r.Add(JsonFieldReader.Join(path, "price"), "must not be negative");
        CheckMaximum(price, path, "price", r);
        var quantity = r.WholeNumber(p, "quantity", path, 1, 100_000);
        var line = new ProductLine(
            productId ?? "",
            r.Id(p, "sku", path),
            r.String(p, "name", path, 500),
            price,
            quantity ?? 1,
            r.String(p, "category", path, 500),
            r.String(p, "url", path, 2_000),
            r.String(p, "image_url", path, 2_000));
        return r.Errors.Count > errorsBefore ? null : line;
    }
}
