using System.Reflection;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Products;
using Automation.Core.Tiers;
using RulesEngine.Models;

namespace Automation.Tests.Core.Journeys;

/// <summary>
/// What a compiled expression says it reads of a customer snapshot is what its facts are built from: a snapshot with
/// only those parts gives the same facts, for every member an expression can reach.
/// </summary>
public sealed class SnapshotPartsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 0, 0, TimeSpan.Zero);

    // Silver's perks differ from those of no tier, so customer.Perks read without the tier would differ.
    private static readonly TierProgram Tiers = TierFileReader.Read("tiers.json", System.Text.Encoding.UTF8.GetBytes("""
        { "Tiers": [ { "Name": "Member" }, { "Name": "Silver", "MinOrders": 2, "Perks": { "discount_percent": 5, "free_shipping_over": 0 } } ] }
        """)).Program!;

    [TestCase("stats.OrderCount > 0 && stats.DaysSinceLastOrder >= 60", SnapshotParts.Stats)]
    [TestCase("customer.PointsExpiring > 0 && customer.PointsExpiringInDays <= 14", SnapshotParts.Points)]
    [TestCase("now.IsBirthday", SnapshotParts.Profile)]
    [TestCase("customer.Tier != \"\"", SnapshotParts.Tier)]
    [TestCase("customer.Perks.BirthdayPointsMultiplier >= 2 || customer.Perks.FreeShipping", SnapshotParts.Tier)]
    [TestCase("customer.HasTag(\"vip\") && stats.Rfm.M == 5", SnapshotParts.Tags | SnapshotParts.Rfm)]
    [TestCase("customer.Tags.Count > 2", SnapshotParts.Tags)]
    [TestCase("journey.HoursSinceEntry >= 1 && cart.ItemCount > 0", SnapshotParts.Cart)]
    [TestCase("customer.Trait(\"plan\") == \"gold\" && customer.Email != \"\"", SnapshotParts.Traits)]
    [TestCase("customer.EmailConsent || customer.SmsConsent", SnapshotParts.Suppressions)]
    [TestCase("customer.CouponsHeld > 0 && customer.CouponExpiringInDays <= 3 && customer.CouponExpiringHeldDays > 3", SnapshotParts.Coupons)]
    [TestCase("event.Number(\"total\") > 10 && journey.HasDone(\"guide\")", SnapshotParts.Profile)]
    [TestCase("customer.Bought(\"sku-1\") && customer.BoughtCount(\"sku-1\") >= 2 && customer.BoughtQuantity(\"sku-1\") > 2", SnapshotParts.Purchases)]
    [TestCase("customer.BoughtCategory(\"coffee\") && customer.DaysSinceBoughtCategory(\"coffee\") > 30", SnapshotParts.Purchases)]
    [TestCase("customer.DaysSinceBought(\"sku-1\") > 25 || customer.Viewed(\"sku-1\", 7) >= 3", SnapshotParts.Purchases)]
    public void An_expression_reads_the_parts_its_members_come_from(string expression, SnapshotParts expected) =>
        CompiledRule.Compile("rule", expression, []).Reads.Should().Be(expected);

    [Test]
    public void Params_before_the_expression_count_as_read()
    {
        var rule = CompiledRule.Compile("rule", "spendable > 100 && cycle > 3",
            [new ScopedParam { Name = "spendable", Expression = "customer.Points" }, new ScopedParam { Name = "cycle", Expression = "stats.MeanOrderIntervalDays" }]);
        rule.Reads.Should().Be(SnapshotParts.Points | SnapshotParts.Stats);
    }

    /// <summary>
    /// For each member of the customer, stats and cart facts: the parts an expression reading it says it needs are
    /// enough to build it exactly as from the whole snapshot, and (where it needs any) without them it differs, so the
    /// check would catch a member mapped to the wrong part.
    /// </summary>
    [Test]
    public void A_snapshot_with_only_the_parts_a_member_reads_builds_that_member_as_the_whole_one_does()
    {
        var whole = WholeSnapshot();
        var checkedMembers = new List<string>();
        foreach (var (facts, build) in new (string, Func<CustomerSnapshot, object>)[]
                 {
                     ("customer", s => FactsBuilder.Customer(s, Now, Tiers)),
                     ("stats", s => FactsBuilder.Stats(s, Now)),
                     ("cart", s => FactsBuilder.Cart(s.Cart, Now)),
                 })
        {
            foreach (var property in build(whole).GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var reads = CompiledRule.Compile("rule", $"{facts}.{property.Name} == {facts}.{property.Name}", []).Reads;
                var value = property.GetValue(build(whole));
                property.GetValue(build(Keep(whole, reads))).Should().BeEquivalentTo(value, $"{facts}.{property.Name} reads {reads}");
                if (reads != SnapshotParts.Profile)
                    property.GetValue(build(Keep(whole, SnapshotParts.Profile))).Should().NotBeEquivalentTo(value, $"{facts}.{property.Name} needs {reads}");
                checkedMembers.Add($"{facts}.{property.Name}");
            }
        }
        checkedMembers.Should().Contain(["customer.Tags", "customer.Perks", "customer.PointsExpiringInDays", "customer.CouponExpiringInDays", "customer.Traits", "stats.Rfm", "cart.Value"]);
    }

    /// <summary>The purchase history methods, like the members above: their part is enough, and without it they answer otherwise.</summary>
    [TestCase("customer.Bought(\"sku-1\")")]
    [TestCase("customer.BoughtCount(\"sku-1\")")]
    [TestCase("customer.BoughtQuantity(\"sku-1\")")]
    [TestCase("customer.DaysSinceBought(\"sku-1\")")]
    [TestCase("customer.BoughtCategory(\"COFFEE\")")]
    [TestCase("customer.DaysSinceBoughtCategory(\"coffee\")")]
    [TestCase("customer.BoughtCategoryCount(\"coffee\")")]
    [TestCase("customer.BoughtCategoryQuantity(\"coffee\")")]
    [TestCase("customer.Viewed(\"sku-1\", 7)")]
    public void A_purchase_history_method_reads_the_purchases_part_and_answers_from_it(string call)
    {
        var rule = CompiledRule.Compile("rule", $"{call}.ToString() == \"x\"", []);
        rule.Reads.Should().Be(SnapshotParts.Purchases);
        var whole = WholeSnapshot();
        string Answer(CustomerSnapshot s) => Evaluate(call, FactsBuilder.Customer(s, Now, Tiers));
        Answer(Keep(whole, rule.Reads)).Should().Be(Answer(whole));
        Answer(Keep(whole, SnapshotParts.Profile)).Should().NotBe(Answer(whole));
    }

    private static string Evaluate(string call, CustomerFacts customer)
    {
        var name = call[("customer.".Length)..call.IndexOf('(')];
        var arguments = call[(call.IndexOf('(') + 1)..^1].Split(", ").Select(a => a.StartsWith('"') ? (object)a.Trim('"') : int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return Convert.ToString(typeof(CustomerFacts).GetMethod(name)!.Invoke(customer, arguments), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    /// <summary>The snapshot as storage reads it with only these parts: the rest empty.</summary>
    public static CustomerSnapshot Keep(CustomerSnapshot whole, SnapshotParts parts) =>
        new(parts.HasFlag(SnapshotParts.Traits) ? whole.Profile : whole.Profile with { Traits = [], TraitsUpdatedAt = null, CreatedAt = default, UpdatedAt = default },
            parts.HasFlag(SnapshotParts.Stats) ? whole.Stats : CustomerStats.None,
            parts.HasFlag(SnapshotParts.Cart) ? whole.Cart : null)
        {
            Tags = parts.HasFlag(SnapshotParts.Tags) ? whole.Tags : [],
            RuleTags = parts.HasFlag(SnapshotParts.Tags) ? whole.RuleTags : [],
            PointsLedger = parts.HasFlag(SnapshotParts.Points) ? whole.PointsLedger : [],
            Rfm = parts.HasFlag(SnapshotParts.Rfm) ? whole.Rfm : null,
            Tier = parts.HasFlag(SnapshotParts.Tier) ? whole.Tier : null,
            SuppressedChannels = parts.HasFlag(SnapshotParts.Suppressions) ? whole.SuppressedChannels : [],
            Coupons = parts.HasFlag(SnapshotParts.Coupons) ? whole.Coupons : [],
            ReferredBy = parts.HasFlag(SnapshotParts.Referrals) ? whole.ReferredBy : null,
            Referrals = parts.HasFlag(SnapshotParts.Referrals) ? whole.Referrals : 0,
            History = parts.HasFlag(SnapshotParts.Purchases) ? whole.History : PurchaseHistory.None,
        };

    /// <summary>A customer with every part set to something other than its empty value.</summary>
    private static CustomerSnapshot WholeSnapshot() =>
        new(new CustomerProfile
            {
                Id = 7, ExternalId = "u7", Email = "u7@example.com", Phone = "+15550100", Name = "Ada", Timezone = "Asia/Tokyo", Locale = "zh-CN",
                Birthday = new DateOnly(1990, 11, 18), Traits = new JsonObject { ["plan"] = "gold", ["last_email_opened_at"] = "2026-01-01T00:00:00Z" }, TraitsUpdatedAt = Now.AddDays(-2),
                CreatedAt = Now.AddDays(-400), UpdatedAt = Now.AddDays(-2),
            },
            new CustomerStats(3, 120m, Now.AddDays(-200), Now.AddDays(-20), 90, 1),
            new Cart([new ProductLine("p1", null, "Tea", 12.5m, 2, null, null, null)], "USD", Now.AddHours(-5)))
        {
            Tags = ["vip", "repeat"],
            RuleTags = ["repeat"],
            PointsLedger = [new PointsEntry(1, 80, PointsKinds.Earn, "order", "o1", Now.AddDays(-300), Now.AddDays(10))],
            Rfm = new RfmScore(4, 3, 5, 120m),
            Tier = new TierStanding("Silver", Now.AddDays(-30), null, null),
            ReferredBy = "ann",
            Referrals = 3,
            SuppressedChannels = ["email", "sms"],
            History = new PurchaseHistory(
                [new ProductPurchase("sku-1", ["coffee"], Now.AddDays(-90), Now.AddDays(-30), 2, 3)],
                [new ProductViews("sku-1", DateOnly.FromDateTime(Now.UtcDateTime), 4, Now.AddHours(-1))]),
            Coupons = [new Automation.Core.Coupons.IssuedCoupon("welcome", "HI-ABCDEFGHJK", new(Automation.Core.Coupons.CouponValueKind.PercentOff, 10, null), null, Now.AddDays(-1), Now.AddDays(2))],
        };
}
