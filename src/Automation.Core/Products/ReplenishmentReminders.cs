using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Products;

/// <summary>
/// Turns reminders that came due into one <c>Replenishment Due</c> event per customer, listing every product of theirs
/// due within Replenishment:WindowDays (so two products falling due days apart make one message), which the shipped
/// replenishment journey triggers on. Each reminder is claimed by the statement that marks it, so several nodes
/// running this at once record each customer's event once. Properties: <c>products</c> (product_id, name, url,
/// image_url, category, quantity, bought_at, cycle_days, due_at, reorder_url) and <c>reorder_url</c> for them all.
/// </summary>
public sealed class ReplenishmentReminders(IIngestionStore store, JourneyEngine journeys, ReplenishmentSettings settings, TimeProvider clock)
{
    public const string ReplenishmentDueEvent = "Replenishment Due";
    public const int CustomersPerPass = 200;

    /// <summary>Records the events of reminders due now; returns how many customers this call reminded (another node may remind others).</summary>
    public async Task<int> RemindDueAsync(CancellationToken ct)
    {
        var reminded = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            await using var tx = await store.BeginAsync(ct);
            var claimed = await tx.ClaimDueReplenishmentsAsync(now, now.AddDays(settings.WindowDays), CustomersPerPass, now, ct);
            if (claimed.Count == 0) return reminded;
            var catalog = (await tx.LoadProductsAsync(claimed.Select(c => c.ProductId).ToHashSet(StringComparer.Ordinal), ct)).ToDictionary(p => p.ProductId, StringComparer.Ordinal);
            var events = claimed.GroupBy(c => c.CustomerId)
                .Select(g => (Message: Event(g.Key, [.. g.OrderBy(d => d.DueAt).ThenBy(d => d.ProductId, StringComparer.Ordinal)], catalog, now), CustomerId: g.Key))
                .ToList();
            await DerivedEvents.StoreAsync(tx, events, ct);
            await journeys.OnEventsAsync(tx, events, now, ct);
            await tx.CommitAsync(ct);
            reminded += events.Count;
        }
    }

    private InboundMessage Event(long customerId, List<ReplenishmentDue> due, Dictionary<string, Product> catalog, DateTimeOffset now) =>
        // The customer and the moment make the message id unique; the first product only says what it is about.
        DerivedEvents.Create(customerId, ReplenishmentDueEvent, "replenishment-due", due[0].ProductId, Properties(due, catalog, settings.ReorderUrl), now);

    /// <summary>The event's properties: the products due, soonest first, with what templates show of each.</summary>
    public static JsonObject Properties(IReadOnlyList<ReplenishmentDue> due, IReadOnlyDictionary<string, Product> catalog, string? reorderUrl)
    {
        var products = new JsonArray();
        foreach (var d in due)
        {
            var product = catalog.GetValueOrDefault(d.ProductId);
            products.Add(new JsonObject
            {
                ["product_id"] = d.ProductId,
                ["name"] = product?.Name ?? d.ProductId,
                ["url"] = product?.Url,
                ["image_url"] = product?.ImageUrl,
                ["category"] = product?.Category,
                ["quantity"] = d.Quantity,
                ["bought_at"] = d.BoughtAt.ToString("O", CultureInfo.InvariantCulture),
                ["cycle_days"] = d.CycleDays,
                ["cycle_source"] = d.CycleSource,
                ["due_at"] = d.DueAt.ToString("O", CultureInfo.InvariantCulture),
                ["reorder_url"] = ReorderUrl(reorderUrl, [d.ProductId]) ?? product?.Url,
            });
        }
        return new JsonObject { ["products"] = products, ["product_count"] = due.Count, ["reorder_url"] = ReorderUrl(reorderUrl, due.Select(d => d.ProductId)) };
    }

    /// <summary>Properties of a <c>Replenishment Due</c> event with two sample products, for template checks; null for other events.</summary>
    public static JsonObject? SampleProperties(string eventName, DateTimeOffset now)
    {
        if (eventName != ReplenishmentDueEvent) return null;
        Product Sample(string id, string name, int days) => new(id)
        {
            Name = name, Url = $"https://shop.example/p/{id}", ImageUrl = $"https://shop.example/p/{id}.jpg", Category = "Samples", UsageDays = days,
        };
        var catalog = new[] { Sample("sample-detergent", "Sample detergent", 30), Sample("sample-milk-powder", "Sample milk powder", 150) }.ToDictionary(p => p.ProductId);
        var due = catalog.Values.Select(p => new ReplenishmentDue(1, p.ProductId, now.AddDays(-p.UsageDays!.Value + 3), 1, p.UsageDays.Value, CycleSources.UsageDays, now)).ToList();
        return Properties(due, catalog, "https://shop.example/reorder?products={products}");
    }

    private static string? ReorderUrl(string? format, IEnumerable<string> productIds) =>
        format?.Replace("{products}", Uri.EscapeDataString(string.Join(",", productIds)), StringComparison.Ordinal);
}
