using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;

namespace Automation.Server.Cli;

/// <summary>
/// Makes believable shoppers as Segment messages for benchmarks and demos: a profile (time zone, locale, birthday,
/// phone for most), and a purchase history over the last <c>days</c> days that follows a persona — one-time buyers,
/// regulars on a 3–8 week cycle, loyal shoppers on a 1–3 week cycle, browsers who never buy — with carts before
/// orders, coupons, deliveries, some refunds and some carts left behind. Customer <c>i</c> comes out the same for
/// the same seed whatever else is generated, so runs can be compared.
/// </summary>
public sealed class ShopperGenerator(int seed, DateTimeOffset end, int days)
{
    private sealed record Product(string Id, string Name, string Category, decimal Price, int? UsageDays);

    private static readonly Product[] Catalog =
    [
        new("coffee-beans-1kg", "Coffee beans 1 kg", "coffee", 24m, 30),
        new("green-tea-100g", "Green tea 100 g", "tea", 12.5m, 45),
        new("oat-milk-6", "Oat milk ×6", "grocery", 15m, 14),
        new("face-cream", "Face cream", "beauty", 38m, 60),
        new("shampoo", "Shampoo", "beauty", 9.9m, 40),
        new("dog-food-5kg", "Dog food 5 kg", "pets", 42m, 35),
        new("vitamins-90", "Vitamins ×90", "health", 19m, 90),
        new("mug", "Stoneware mug", "home", 16m, null),
        new("scarf", "Wool scarf", "fashion", 49m, null),
        new("headphones", "Headphones", "electronics", 129m, null),
    ];

    private static readonly (string Zone, string Locale)[] Places =
    [
        ("America/New_York", "en-US"), ("America/Los_Angeles", "en-US"), ("Europe/London", "en-GB"), ("Europe/Berlin", "de-DE"),
        ("Asia/Shanghai", "zh-CN"), ("Asia/Shanghai", "zh-CN"), ("Asia/Tokyo", "ja-JP"), ("Australia/Sydney", "en-AU"),
    ];

    // Area codes in service, each with the 555 exchange: numbers phone validation accepts (area code 555 is none).
    private static readonly int[] PhoneAreas = [201, 212, 310, 415, 617, 646, 702, 718, 805, 917];

    private static readonly string[] FirstNames = ["Ann", "Bo", "Cy", "Dee", "Eve", "Fay", "Gil", "Hal", "Ivy", "Jo", "Kim", "Lu", "Mei", "Ned", "Ola", "Wei"];
    private static readonly string[] LastNames = ["Smith", "Chen", "Garcia", "Müller", "Tanaka", "Brown", "Wang", "Silva", "Kowalski", "Nguyen"];

    private enum Persona { OneTime, Regular, Loyal, Browser }

    /// <summary>The external id of customer <paramref name="index"/>.</summary>
    public static string CustomerId(int index) => $"shopper-{index.ToString("D7", CultureInfo.InvariantCulture)}";

    /// <summary>Customer <paramref name="index"/>'s identify and events, oldest first.</summary>
    public IReadOnlyList<JsonObject> Customer(int index)
    {
        var random = new Random(unchecked(seed * 1_000_003 + index));
        var id = CustomerId(index);
        var start = end.AddDays(-days);
        var joined = start.AddMinutes(random.NextDouble() * days * 24 * 60);
        var messages = new List<JsonObject> { Identify(random, id, index, joined) };

        var persona = Pick(random, (Persona.OneTime, 45), (Persona.Regular, 33), (Persona.Loyal, 10), (Persona.Browser, 12));
        var (cycleDays, keepGoing) = persona switch
        {
            Persona.Regular => (21 + random.NextDouble() * 35, 0.85),
            Persona.Loyal => (7 + random.NextDouble() * 14, 0.95),
            _ => (0d, 0d),
        };
        var likesCoupons = random.NextDouble() < 0.3;
        var favourite = Catalog[random.Next(Catalog.Length)];

        var at = joined.AddHours(random.NextDouble() * 72);
        var orderNumber = 0;
        while (at < end && persona != Persona.Browser)
        {
            orderNumber++;
            var items = Basket(random, favourite);
            foreach (var (product, quantity) in items)
            {
                messages.Add(Track(id, CommerceEvents.ProductAdded, at, ProductProperties(product, quantity)));
                at = at.AddMinutes(1 + random.Next(10));
            }
            at = at.AddMinutes(5 + random.Next(50));
            if (at >= end) break;
            var orderId = $"{id}-{orderNumber.ToString(CultureInfo.InvariantCulture)}";
            var coupon = random.NextDouble() < (likesCoupons ? 0.7 : 0.1) ? "SAVE10" : null;
            var subtotal = items.Sum(i => i.Product.Price * i.Quantity);
            var total = coupon is null ? subtotal : Math.Round(subtotal * 0.9m, 2);
            messages.Add(Track(id, CommerceEvents.OrderCompleted, at, new JsonObject
            {
                ["order_id"] = orderId,
                ["total"] = total,
                ["discount"] = subtotal - total,
                ["currency"] = "USD",
                ["coupon"] = coupon,
                ["products"] = new JsonArray([.. items.Select(i => (JsonNode)ProductProperties(i.Product, i.Quantity))]),
            }));
            var delivered = at.AddDays(2 + random.NextDouble() * 3);
            if (delivered < end && random.NextDouble() < 0.95)
                messages.Add(Track(id, CommerceEvents.OrderDelivered, delivered, new JsonObject { ["order_id"] = orderId }));
            var refund = random.NextDouble();
            var refundedAt = delivered.AddDays(1 + random.NextDouble() * 10);
            if (refund < 0.05 && refundedAt < end)
            {
                var properties = new JsonObject { ["order_id"] = orderId };
                if (refund < 0.02) properties["total"] = Math.Round(total / 2, 2);
                messages.Add(Track(id, CommerceEvents.OrderRefunded, refundedAt, properties));
            }
            if (persona == Persona.OneTime || random.NextDouble() > keepGoing) break;
            at = at.AddDays(cycleDays * Math.Exp(0.3 * Gaussian(random)));
        }

        // Some carts are left behind near the end of the period, for cart recovery and the cart-abandoner tag.
        if (random.NextDouble() < (persona == Persona.Browser ? 0.8 : 0.15))
        {
            var leftAt = end.AddHours(-random.NextDouble() * 72);
            if (leftAt > joined)
                messages.Add(Track(id, CommerceEvents.ProductAdded, leftAt, ProductProperties(Catalog[random.Next(Catalog.Length)], 1)));
        }
        return [.. messages.OrderBy(m => m["timestamp"]!.GetValue<string>(), StringComparer.Ordinal)];
    }

    private static JsonObject Identify(Random random, string id, int index, DateTimeOffset at)
    {
        var (zone, locale) = Places[random.Next(Places.Length)];
        var first = FirstNames[random.Next(FirstNames.Length)];
        var traits = new JsonObject
        {
            ["email"] = $"{id}@example.com",
            ["firstName"] = first,
            ["name"] = $"{first} {LastNames[random.Next(LastNames.Length)]}",
            ["timezone"] = zone,
            ["locale"] = locale,
        };
        if (random.NextDouble() < 0.6) traits["phone"] = string.Create(CultureInfo.InvariantCulture, $"+1{PhoneAreas[index / 10_000 % PhoneAreas.Length]}555{index % 10_000:D4}");
        if (random.NextDouble() < 0.7)
            traits["birthday"] = new DateOnly(1960 + random.Next(46), 1 + random.Next(12), 1 + random.Next(28)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new JsonObject { ["type"] = "identify", ["userId"] = id, ["messageId"] = $"{id}-identify", ["timestamp"] = Timestamp(at), ["traits"] = traits };
    }

    private static List<(Product Product, int Quantity)> Basket(Random random, Product favourite)
    {
        var items = new List<(Product, int)> { (favourite, 1 + random.Next(2)) };
        for (var extra = random.Next(3); extra > 0; extra--)
        {
            var product = Catalog[random.Next(Catalog.Length)];
            if (items.All(i => i.Item1 != product)) items.Add((product, 1));
        }
        return items;
    }

    private static JsonObject ProductProperties(Product product, int quantity)
    {
        var properties = new JsonObject
        {
            ["product_id"] = product.Id, ["name"] = product.Name, ["category"] = product.Category, ["price"] = product.Price, ["quantity"] = quantity,
        };
        if (product.UsageDays is { } usage) properties["usage_days"] = usage;
        return properties;
    }

    private static JsonObject Track(string id, string name, DateTimeOffset at, JsonObject properties) => new()
    {
        ["type"] = "track",
        ["userId"] = id,
        // Unique per customer, moment and event, so seeding twice adds nothing.
        ["messageId"] = $"{id}-{name.Replace(' ', '-').ToLowerInvariant()}-{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}",
        ["event"] = name,
        ["timestamp"] = Timestamp(at),
        ["properties"] = properties,
    };

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static T Pick<T>(Random random, params (T Value, int Weight)[] choices)
    {
        var roll = random.Next(choices.Sum(c => c.Weight));
        foreach (var (value, weight) in choices)
        {
            if (roll < weight) return value;
            roll -= weight;
        }
        return choices[^1].Value;
    }

    // Box–Muller: a standard normal draw, for log-normal jitter around a shopper's cycle.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
