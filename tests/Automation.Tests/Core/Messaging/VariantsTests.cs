using System.Text.Json.Nodes;
using Automation.Core.Messaging;

namespace Automation.Tests.Core.Messaging;

public sealed class VariantsTests
{
    private static JsonObject Context() => JsonNode.Parse("""
        { "Channel": "email", "Template": "promo/a", "Coupon": "TEN",
          "Variants": [ { "Name": "A", "Weight": 3 }, { "Name": "B", "Weight": 1, "Template": "promo/b", "Coupon": "TWENTY" } ],
          "Holdout": 0.1 }
        """)!.AsObject();

    [Test]
    public void Assignment_is_stable_for_a_customer_and_journey()
    {
        var first = Variants.Assign("promo", "ann", Context());
        for (var i = 0; i < 5; i++) Variants.Assign("promo", "ann", Context()).Variant.Should().Be(first.Variant);
    }

    [Test]
    public void Shares_follow_the_weights_and_the_holdout()
    {
        var arms = Enumerable.Range(0, 20_000).Select(i => Variants.Assign("promo", $"customer-{i}", Context()).Variant).ToList();
        var share = (string name) => arms.Count(a => a == name) / 20_000.0;
        share(Variants.Holdout).Should().BeApproximately(0.10, 0.01);
        share("A").Should().BeApproximately(0.675, 0.015);
        share("B").Should().BeApproximately(0.225, 0.015);
    }

    [Test]
    public void A_variant_lays_its_values_over_the_step_context()
    {
        var (variant, context) = Enumerable.Range(0, 100).Select(i => Variants.Assign("promo", $"c{i}", Context())).First(a => a.Variant == "B");
        variant.Should().Be("B");
        context["Template"]!.GetValue<string>().Should().Be("promo/b");
        context["Coupon"]!.GetValue<string>().Should().Be("TWENTY");
        context.ContainsKey("Variants").Should().BeFalse();
    }

    [Test]
    public void Bad_variants_are_named()
    {
        var context = JsonNode.Parse("""{ "Variants": [ { "Weight": 0 }, { "Name": "A" }, { "Name": "A" } ], "Holdout": 1.5 }""")!.AsObject();
        Variants.Check(context).Select(p => p.Field).Should().BeEquivalentTo("Holdout", "Variants[0].Name", "Variants[0].Weight", "Variants[2].Name");
    }
}
