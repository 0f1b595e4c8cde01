using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;

namespace Automation.Core.Products;

/// <summary>
/// Reads the products Segment e-commerce events describe (spec v2 properties: product_id or sku, name, category,
/// brand, price, url, image_url, and a shop's usage_days), for the catalog. Leniently: a property of the wrong type is
/// left out, not refused — the event itself was already accepted or refused by its own rules.
/// </summary>
public static class ProductEvents
{
    public const string ProductViewed = "Product Viewed";
    public const string ProductClicked = "Product Clicked";

    /// <summary>Events that describe one product in their properties.</summary>
    private static readonly HashSet<string> SingleProduct =
        new([ProductViewed, ProductClicked, CommerceEvents.ProductAdded, CommerceEvents.ProductRemoved], StringComparer.Ordinal);

    /// <summary>Events that list products in <c>properties.products</c>.</summary>
    private static readonly HashSet<string> ProductLists =
        new([CommerceEvents.CartViewed, CommerceEvents.CheckoutStarted, CommerceEvents.OrderCompleted], StringComparer.Ordinal);

    /// <summary>The products a track event describes; none for other messages.</summary>
    public static IEnumerable<ProductSighting> Sightings(InboundMessage message)
    {
        if (message.Type != MessageType.Track || message.EventName is not { } name) return [];
        if (SingleProduct.Contains(name))
            return Sighting(message.Properties, message.Timestamp) is { } one ? [one] : [];
        if (ProductLists.Contains(name) && message.Properties["products"] is JsonArray products)
            return products.OfType<JsonObject>().Select(p => Sighting(p, message.Timestamp)).OfType<ProductSighting>();
        return [];
    }

    /// <summary>The product a <c>Product Viewed</c> event names, or null for any other message.</summary>
    public static string? ViewedProduct(InboundMessage message) =>
        message.Type == MessageType.Track && message.EventName == ProductViewed ? Id(message.Properties) : null;

    /// <summary>Properties of a sample event naming products, for checking templates; null for other events.</summary>
    public static JsonObject? SampleProperties(string eventName)
    {
        JsonObject Product() => new()
        {
            ["product_id"] = "sample-product", ["sku"] = "SKU-1", ["name"] = "Sample product", ["category"] = "Samples", ["price"] = 19.9, ["quantity"] = 2,
            ["url"] = "https://shop.example/p/sample", ["image_url"] = "https://shop.example/p/sample.jpg",
        };
        if (SingleProduct.Contains(eventName)) return Product();
        return ProductLists.Contains(eventName) && eventName != CommerceEvents.OrderCompleted
            ? new JsonObject { ["order_id"] = "sample-order", ["total"] = 39.8, ["currency"] = "USD", ["products"] = new JsonArray(Product()) }
            : null;
    }

    private static ProductSighting? Sighting(JsonObject p, DateTimeOffset at) => Id(p) is not { } id ? null : new ProductSighting(
        id, Text(p, "sku"), Text(p, "name"), Text(p, "category"), Text(p, "brand"), Number(p, "price") is { } price and >= 0 and <= CommerceEvents.MaxAmount ? price : null,
        Text(p, "url"), Text(p, "image_url"), Number(p, "usage_days") is { } days and >= 1 and <= ProductInput.MaxUsageDays ? (int)days : null, at);

    /// <summary>The product id the spec names, else the sku (as the cart does); null when the properties name none.</summary>
    public static string? Id(JsonObject p) => Text(p, "product_id", JsonFieldReader.MaxIdLength) ?? Text(p, "sku", JsonFieldReader.MaxIdLength) ?? Text(p, "id", JsonFieldReader.MaxIdLength);

    private static string? Text(JsonObject p, string name, int maxLength = ProductInput.MaxTextLength)
    {
        if (p[name] is not JsonValue v) return null;
        var text = v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Trim(),
            JsonValueKind.Number when v.TryGetValue<long>(out var n) => n.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        return string.IsNullOrEmpty(text) || text.Length > maxLength || !UnstorableText.IsStorable(text) ? null : text;
    }

    private static decimal? Number(JsonObject p, string name) => p[name] is JsonValue v && v.GetValueKind() switch
    {
        JsonValueKind.Number => v.TryGetValue<decimal>(out var n) ? n : null,
        JsonValueKind.String => decimal.TryParse(v.GetValue<string>(), NumberStyles.Number, CultureInfo.InvariantCulture, out var n) ? n : null,
        _ => (decimal?)null,
    } is { } value ? value : null;
}
