using Automation.Core.Ingestion;
using Automation.Core.Storage;

namespace Automation.Core.Products;

/// <summary>
/// What an ingest batch adds to the catalog, to customers' purchase history and views, and to their replenishment
/// reminders — in the ingest's transaction, a handful of statements per batch whatever it holds. Runs before the
/// batch's orders are recorded, so an order sent again (another message id, the same order id) is counted once.
/// </summary>
public static class ProductHistory
{
    public static async Task ApplyAsync(IIngestTransaction tx, IReadOnlyList<(InboundMessage Message, long CustomerId)> fresh, ReplenishmentSettings settings,
        DateTimeOffset now, CancellationToken ct)
    {
        var sightings = await ChangingAsync(tx, Newest(fresh.SelectMany(f => ProductEvents.Sightings(f.Message))), ct);
        if (sightings.Count > 0) await tx.UpsertSightingsAsync(sightings, now, ct);

        // Each order once: not one recorded before this batch, nor a second time within it.
        var orders = fresh.Where(f => f.Message.Commerce is OrderCompleted).Select(f => (f.CustomerId, Order: (OrderCompleted)f.Message.Commerce!, At: f.Message.Timestamp)).ToList();
        var recorded = orders.Count == 0 ? new HashSet<string>() : await tx.CompletedOrdersAsync(orders.Select(o => o.Order.OrderId).ToHashSet(StringComparer.Ordinal), ct);
        var orderLines = orders
            .Where(o => !recorded.Contains(o.Order.OrderId))
            .DistinctBy(o => o.Order.OrderId)
            .SelectMany(o => o.Order.Products.Select(p => (o.CustomerId, p.ProductId, p.Quantity, o.At)))
            .ToList();
        if (orderLines.Count > 0)
        {
            var purchases = orderLines.GroupBy(l => (l.CustomerId, l.ProductId))
                .Select(g => new PurchaseLine(g.Key.CustomerId, g.Key.ProductId, g.Count(), g.Sum(l => l.Quantity), g.Min(l => l.At), g.Max(l => l.At)))
                .ToList();
            await tx.RecordPurchasesAsync(purchases, ct);
            await ScheduleAsync(tx, orderLines, settings, ct);
        }

        var views = fresh
            .Select(f => (f.CustomerId, ProductId: ProductEvents.ViewedProduct(f.Message), At: f.Message.Timestamp))
            .Where(v => v.ProductId is not null)
            .GroupBy(v => (v.CustomerId, ProductId: v.ProductId!, Day: DateOnly.FromDateTime(v.At.UtcDateTime)))
            .Select(g => new ProductViewLine(g.Key.CustomerId, g.Key.ProductId, g.Key.Day, g.Count(), g.Max(v => v.At)))
            .ToList();
        if (views.Count > 0) await tx.RecordViewsAsync(views, DateOnly.FromDateTime(now.UtcDateTime).AddDays(1 - PurchaseHistory.ViewDays), ct);
    }

    /// <summary>How long a product's <see cref="Product.SeenAt"/> may lag its newest event when nothing else changed.</summary>
    public static readonly TimeSpan SeenAtResolution = TimeSpan.FromHours(1);

    /// <summary>
    /// The sightings that change a product, in product id order. Writing a row locks it to the end of the ingest: a
    /// best seller viewed in every batch would queue every concurrent ingest behind the one that wrote it last, so a
    /// sighting that only repeats what the catalog says is left out (its <c>seen_at</c> advances at most once per
    /// <see cref="SeenAtResolution"/>), and the rest are written in one order so that two ingests never deadlock.
    /// </summary>
    private static async Task<List<ProductSighting>> ChangingAsync(IIngestTransaction tx, List<ProductSighting> sightings, CancellationToken ct)
    {
        if (sightings.Count == 0) return sightings;
        var known = (await tx.LoadProductsAsync(sightings.Select(s => s.ProductId).ToHashSet(StringComparer.Ordinal), ct)).ToDictionary(p => p.ProductId, StringComparer.Ordinal);
        return [.. sightings.Where(s => !known.TryGetValue(s.ProductId, out var product) || Changes(s, product)).OrderBy(s => s.ProductId, StringComparer.Ordinal)];
    }

    private static bool Changes(ProductSighting s, Product p) =>
        p.SeenAt is not { } seen || FillsBlank(s, p) || (s.SeenAt >= seen && (s.SeenAt - seen >= SeenAtResolution
            || Differs(s.Sku, p.Sku) || Differs(s.Name, p.Name) || Differs(s.Category, p.Category) || Differs(s.Brand, p.Brand)
            || (s.Price is { } price && price != p.Price) || Differs(s.Url, p.Url) || Differs(s.ImageUrl, p.ImageUrl)));

    /// <summary>An older sighting (a late event, or one another ingest lane wrote first) still fills what the catalog lacks.</summary>
    private static bool FillsBlank(ProductSighting s, Product p) =>
        (s.Sku is not null && p.Sku is null) || (s.Name is not null && p.Name is null) || (s.Category is not null && p.Category is null)
        || (s.Brand is not null && p.Brand is null) || (s.Price is not null && p.Price is null) || (s.Url is not null && p.Url is null)
        || (s.ImageUrl is not null && p.ImageUrl is null) || (s.UsageDays is not null && p.UsageDays is null);

    private static bool Differs(string? sighted, string? stored) => sighted is not null && !string.Equals(sighted, stored, StringComparison.Ordinal);

    /// <summary>One sighting per product: the newest event's, its blanks filled from older events of the batch.</summary>
    private static List<ProductSighting> Newest(IEnumerable<ProductSighting> sightings) =>
        [.. sightings.GroupBy(s => s.ProductId, StringComparer.Ordinal).Select(g => g.OrderByDescending(s => s.SeenAt).Aggregate((newer, older) => newer with
        {
            Sku = newer.Sku ?? older.Sku, Name = newer.Name ?? older.Name, Category = newer.Category ?? older.Category, Brand = newer.Brand ?? older.Brand,
            Price = newer.Price ?? older.Price, Url = newer.Url ?? older.Url, ImageUrl = newer.ImageUrl ?? older.ImageUrl, UsageDays = newer.UsageDays ?? older.UsageDays,
        }))];

    /// <summary>The reminder of each product ordered, from its latest order in the batch (see <see cref="ReplenishmentCycle"/>).</summary>
    private static async Task ScheduleAsync(IIngestTransaction tx, List<(long CustomerId, string ProductId, int Quantity, DateTimeOffset At)> orderLines,
        ReplenishmentSettings settings, CancellationToken ct)
    {
        var latest = orderLines.GroupBy(l => (l.CustomerId, l.ProductId)).Select(g => g.MaxBy(l => l.At)).ToList();
        var catalog = (await tx.LoadProductsAsync(latest.Select(l => l.ProductId).ToHashSet(StringComparer.Ordinal), ct)).ToDictionary(p => p.ProductId, StringComparer.Ordinal);
        var history = (await tx.LoadPurchasesAsync(latest.Select(l => l.CustomerId).ToHashSet(), ct)).ToDictionary(h => (h.CustomerId, h.Purchase.ProductId), h => h.Purchase);
        var dues = new List<ReplenishmentDue>();
        var cancels = new List<(long, string)>();
        foreach (var line in latest)
        {
            var due = ReplenishmentCycle.Due(line.CustomerId, catalog.GetValueOrDefault(line.ProductId), history.GetValueOrDefault((line.CustomerId, line.ProductId)),
                line.ProductId, line.Quantity, line.At, settings);
            if (due is null) cancels.Add((line.CustomerId, line.ProductId));
            else dues.Add(due);
        }
        if (dues.Count > 0) await tx.ScheduleReplenishmentsAsync(dues, ct);
        if (cancels.Count > 0) await tx.CancelReplenishmentsAsync(cancels, ct);

        // The history was read whole for the cycles: trimming it here costs a statement only for a customer past the bound.
        var beyond = history.GroupBy(h => h.Key.CustomerId)
            .SelectMany(c => c.OrderByDescending(h => h.Value.LastBoughtAt).ThenBy(h => h.Key.ProductId, StringComparer.Ordinal).Skip(PurchaseHistory.BoughtProducts))
            .Select(h => h.Key).ToList();
        if (beyond.Count > 0) await tx.ForgetPurchasesAsync(beyond, ct);
    }
}
