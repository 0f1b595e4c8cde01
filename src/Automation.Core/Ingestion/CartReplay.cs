using Automation.Core.Customers;
using Automation.Core.Storage;

namespace Automation.Core.Ingestion;

/// <summary>
/// Rebuilds the open cart from the cart events since the last order, in timestamp order. Rebuilding rather than
/// patching keeps the cart right when events arrive late or out of order.
/// </summary>
public static class CartReplay
{
    /// <summary>The cart after these events (oldest first), or null when it is empty.</summary>
    public static Cart? Replay(IEnumerable<StoredEvent> events)
    {
        var lines = new Dictionary<string, ProductLine>(StringComparer.Ordinal);
        string? currency = null;
        DateTimeOffset? updatedAt = null;
        foreach (var e in events)
        {
            updatedAt = e.OccurredAt;
            if (ProfileTraits.Text(e.Properties, "currency") is { } c) currency = c.ToUpperInvariant();
            switch (e.Name)
            {
                case CommerceEvents.ProductAdded when CommerceEvents.ReadStoredProduct(e.Properties) is { } added:
                    lines[added.ProductId] = lines.TryGetValue(added.ProductId, out var held)
                        ? added with { Quantity = held.Quantity + added.Quantity }
                        : added;
                    break;
                case CommerceEvents.ProductRemoved when CommerceEvents.ReadStoredProduct(e.Properties) is { } removed:
                    // Without a quantity the whole line goes, as a "remove" button does.
                    var removesAll = e.Properties["quantity"] is null;
                    if (lines.TryGetValue(removed.ProductId, out var line))
                    {
                        var left = removesAll ? 0 : line.Quantity - removed.Quantity;
                        if (left > 0) lines[removed.ProductId] = line with { Quantity = left };
                        else lines.Remove(removed.ProductId);
                    }
                    break;
                case CommerceEvents.CartViewed when CommerceEvents.ReadStoredProducts(e.Properties) is { } snapshot:
                    lines.Clear();
                    foreach (var item in snapshot) lines[item.ProductId] = item;
                    break;
            }
        }
        return lines.Count == 0 || updatedAt is null ? null : new Cart([.. lines.Values], currency, updatedAt.Value);
    }
}
