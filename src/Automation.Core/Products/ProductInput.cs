using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;

namespace Automation.Core.Products;

/// <summary>
/// A change to one product from <c>PUT /v1/products/{id}</c> or <c>POST /v1/products</c>: each field given is set, a
/// field left out keeps its value, and <c>"usage_days": null</c> clears the usage.
/// </summary>
public sealed record ProductEdit(string ProductId)
{
    public string? Sku { get; init; }
    public string? Name { get; init; }
    public string? Category { get; init; }
    public string? Brand { get; init; }
    public decimal? Price { get; init; }
    public string? Url { get; init; }
    public string? ImageUrl { get; init; }
    public int? UsageDays { get; init; }
    public bool ClearsUsageDays { get; init; }
    public bool? Replenish { get; init; }
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>The product with this change applied (a new product when <paramref name="current"/> is null).</summary>
    public Product ApplyTo(Product? current, DateTimeOffset now)
    {
        var p = current ?? new Product(ProductId);
        return p with
        {
            Sku = Sku ?? p.Sku, Name = Name ?? p.Name, Category = Category ?? p.Category, Brand = Brand ?? p.Brand, Price = Price ?? p.Price,
            Url = Url ?? p.Url, ImageUrl = ImageUrl ?? p.ImageUrl, UsageDays = ClearsUsageDays ? null : UsageDays ?? p.UsageDays,
            Replenish = Replenish ?? p.Replenish, Categories = Categories ?? p.Categories, UpdatedAt = now,
        };
    }
}

/// <summary>Reads product bodies of the products API, naming each field at fault (with the item's index in a bulk body).</summary>
public static class ProductInput
{
    public const int MaxUsageDays = 3650;
    public const int MaxTextLength = 2_000;
    public const int MaxPerRequest = 1000;
    public const int MaxCategories = 20;

    /// <summary>One product's body; <paramref name="productId"/> is the route's id (a body's own <c>product_id</c> must match it).</summary>
    public static (ProductEdit? Edit, IReadOnlyList<FieldError> Errors) ReadOne(JsonNode? body, string productId)
    {
        var errors = new List<FieldError>();
        if (productId.Length is 0 or > JsonFieldReader.MaxIdLength) errors.Add(new FieldError("id", $"must be 1 to {JsonFieldReader.MaxIdLength} characters"));
        if (body is not JsonObject obj)
        {
            errors.Add(new FieldError("body", $"must be a JSON object, not {JsonFieldReader.Describe(body)}"));
            return (null, errors);
        }
        var edit = Read(obj, "", new JsonFieldReader(errors), productId);
        return (errors.Count == 0 ? edit : null, errors);
    }

    /// <summary>A bulk body <c>{ "products": [ { "product_id": …, … } ] }</c> of at most <see cref="MaxPerRequest"/> products.</summary>
    public static (IReadOnlyList<ProductEdit> Edits, IReadOnlyList<FieldError> Errors) ReadMany(JsonNode? body)
    {
        var errors = new List<FieldError>();
        var r = new JsonFieldReader(errors);
        if (body is not JsonObject obj || r.Array(obj, "products", "") is not { } items)
        {
            if (errors.Count == 0) errors.Add(new FieldError("products", "is required: an array of products"));
            return ([], errors);
        }
        if (items.Count is 0 or > MaxPerRequest)
        {
            errors.Add(new FieldError("products", $"must list 1 to {MaxPerRequest} products"));
            return ([], errors);
        }
        var edits = new List<ProductEdit>(items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"products[{i}]";
            if (items[i] is not JsonObject item)
            {
                r.Add(path, $"must be an object, not {JsonFieldReader.Describe(items[i])}");
                continue;
            }
            if (Read(item, path, r, null) is not { } edit) continue;
            if (!seen.Add(edit.ProductId)) r.Add(JsonFieldReader.Join(path, "product_id"), $"'{edit.ProductId}' is listed twice");
            edits.Add(edit);
        }
        return errors.Count == 0 ? (edits, errors) : ([], errors);
    }

    private static ProductEdit? Read(JsonObject p, string path, JsonFieldReader r, string? routeId)
    {
        var before = r.Errors.Count;
        var id = r.Id(p, "product_id", path);
        if (routeId is not null)
        {
            if (id is not null && id != routeId) r.Add(JsonFieldReader.Join(path, "product_id"), $"must match the id in the path ('{routeId}') or be left out");
            id = routeId;
        }
        else if (id is null && r.Errors.Count == before) r.Add(JsonFieldReader.Join(path, "product_id"), "is required");

        var price = r.Number(p, "price", path);
        if (price is < 0 or > CommerceEvents.MaxAmount) r.Add(JsonFieldReader.Join(path, "price"), "must be from 0 to 10,000,000,000");
        var usageNull = p.TryGetPropertyValue("usage_days", out var usageNode) && usageNode is null;
        var usage = usageNull ? null : r.WholeNumber(p, "usage_days", path, 1, MaxUsageDays);
        bool? replenish = null;
        if (p["replenish"] is { } flag)
        {
            if (flag is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) replenish = v.GetValue<bool>();
            else r.Add(JsonFieldReader.Join(path, "replenish"), $"must be true or false, not {JsonFieldReader.Describe(flag)}");
        }
        var edit = new ProductEdit(id ?? "")
        {
            Sku = r.Id(p, "sku", path), Name = Text(p, "name", path, r), Category = Text(p, "category", path, r), Brand = Text(p, "brand", path, r),
            Price = price, Url = Url(p, "url", path, r), ImageUrl = Url(p, "image_url", path, r),
            UsageDays = usage, ClearsUsageDays = usageNull, Replenish = replenish, Categories = Categories(p, path, r),
        };
        return r.Errors.Count > before ? null : edit;
    }

    private static string? Text(JsonObject p, string name, string path, JsonFieldReader r)
    {
        var text = r.String(p, name, path, MaxTextLength)?.Trim();
        if (text is not null && !UnstorableText.IsStorable(text)) r.Add(JsonFieldReader.Join(path, name), "holds characters that cannot be stored");
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static string? Url(JsonObject p, string name, string path, JsonFieldReader r)
    {
        var url = Text(p, name, path, r);
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            r.Add(JsonFieldReader.Join(path, name), "must be an absolute http or https URL");
        return url;
    }

    private static List<string>? Categories(JsonObject p, string path, JsonFieldReader r)
    {
        if (r.Array(p, "categories", path) is not { } array) return null;
        var field = JsonFieldReader.Join(path, "categories");
        if (array.Count > MaxCategories) r.Add(field, $"must list at most {MaxCategories} categories");
        var categories = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Trim() is { Length: > 0 and <= 200 } c && UnstorableText.IsStorable(c))
                categories.Add(c);
            else r.Add($"{field}[{i}]", "must be a non-empty string of at most 200 characters");
        }
        return [.. categories.Distinct(StringComparer.OrdinalIgnoreCase)];
    }
}
