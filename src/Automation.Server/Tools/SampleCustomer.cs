using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Ingestion;

namespace Automation.Server.Tools;

/// <summary>
/// A customer made up from an identify body (<c>userId</c>, <c>traits</c>), optionally with <c>cart</c> (products) and
/// <c>currency</c>: what <c>automation render</c> and the console's preview render for when no stored customer is picked.
/// </summary>
internal static class SampleCustomer
{
    public static CustomerSnapshot From(JsonObject customer, DateTimeOffset now)
    {
        var traits = (customer["traits"] as JsonObject)?.DeepClone() as JsonObject ?? [];
        var profile = ProfileMerge.Apply(new CustomerProfile { Id = 1, ExternalId = customer["userId"]?.ToString() ?? "customer", CreatedAt = now }, traits, now, now);
        var items = (customer["cart"] as JsonArray ?? []).OfType<JsonObject>().Select(CommerceEvents.ReadStoredProduct).OfType<ProductLine>().ToList();
        var cart = items.Count == 0 ? null : new Cart(items, (customer["currency"] as JsonValue)?.ToString(), now);
        return new CustomerSnapshot(profile, CustomerStats.None, cart);
    }
}
