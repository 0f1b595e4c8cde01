using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Storage;

namespace Automation.Tests.Core;

public sealed class CartReplayTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static StoredEvent E(string name, string json, int minute) => new(1, name, JsonNode.Parse(json)!.AsObject(), T0.AddMinutes(minute));

    [Test]
    public void Removing_without_a_quantity_removes_the_whole_line()
    {
        var cart = CartReplay.Replay([
            E(CommerceEvents.ProductAdded, """{"product_id":"a","quantity":3,"price":2}""", 0),
            E(CommerceEvents.ProductAdded, """{"product_id":"b","price":1}""", 1),
            E(CommerceEvents.ProductRemoved, """{"product_id":"a"}""", 2),
        ]);
        cart!.Items.Should().ContainSingle(i => i.ProductId == "b");
        cart.UpdatedAt.Should().Be(T0.AddMinutes(2));
    }

    [Test]
    public void Cart_viewed_with_products_replaces_the_cart()
    {
        var cart = CartReplay.Replay([
            E(CommerceEvents.ProductAdded, """{"product_id":"a","price":2}""", 0),
            E(CommerceEvents.CartViewed, """{"cart_id":"c","products":[{"product_id":"z","price":7,"quantity":2}]}""", 1),
        ]);
        cart!.Items.Should().ContainSingle().Which.ProductId.Should().Be("z");
        cart.Value.Should().Be(14m);
    }

    [Test]
    public void An_emptied_cart_is_no_cart()
    {
        CartReplay.Replay([
            E(CommerceEvents.ProductAdded, """{"product_id":"a","quantity":2}""", 0),
            E(CommerceEvents.ProductRemoved, """{"product_id":"a","quantity":5}""", 1),
        ]).Should().BeNull();
    }
}
