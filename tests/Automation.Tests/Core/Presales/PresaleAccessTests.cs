using Automation.Core.Presales;
using Automation.Core.Tiers;

namespace Automation.Tests.Core.Presales;

/// <summary>"May this customer buy now?": early access from the tier perk, a sale's cap and per-tier hours, the product, the end.</summary>
public sealed class PresaleAccessTests
{
    private static readonly DateTimeOffset Opens = new(2026, 9, 1, 10, 0, 0, TimeSpan.FromHours(8));

    private static TierDefinition Tier(string name, int rank, int hours) => new(name, rank, null, null, 1m, TierPerks.None with { EarlyAccessHours = hours });

    private static readonly TierDefinition Member = Tier("Member", 0, 0);
    private static readonly TierDefinition Gold = Tier("Gold", 2, 24);
    private static readonly TierDefinition Diamond = Tier("Diamond", 3, 48);

    private static Presale Sale(int? maxHours = null, Dictionary<string, int>? tierHours = null, bool allProducts = false) =>
        new("autumn", "Autumn", "", allProducts ? null : ["SKU-1"], Opens, Opens.AddDays(7), maxHours, tierHours ?? [], false);

    [Test]
    public void A_gold_member_may_buy_24_hours_before_everyone_and_a_member_only_at_the_opening()
    {
        var sale = Sale();
        var justEarly = Opens.AddHours(-24);

        var gold = PresaleAccess.Decide(sale, Gold, "SKU-1", justEarly);
        gold.Allowed.Should().BeTrue();
        gold.OpensAt.Should().Be(justEarly);
        gold.OpensToEveryoneAt.Should().Be(Opens);
        gold.EarlyAccessHours.Should().Be(24);
        gold.Reason.Should().Be("Early access for Gold members: open since 2026-08-31 10:00 +08:00, 24 h before everyone.");

        PresaleAccess.Decide(sale, Gold, "SKU-1", justEarly.AddTicks(-1)).Allowed.Should().BeFalse();
        var member = PresaleAccess.Decide(sale, Member, "SKU-1", justEarly);
        member.Allowed.Should().BeFalse();
        member.OpensAt.Should().Be(Opens);
        member.Reason.Should().Be("Opens at 2026-09-01 10:00 +08:00; Member members have no early access.");
        PresaleAccess.Decide(sale, null, null, Opens).Should().Match<PresaleAccess>(a => a.Allowed && a.Tier == null && a.Reason == "Open to everyone since 2026-09-01 10:00 +08:00.");
    }

    [Test]
    public void A_sale_caps_the_perk_and_may_set_a_tiers_hours_outright()
    {
        PresaleAccess.Decide(Sale(maxHours: 24), Diamond, null, Opens.AddHours(-30)).Should()
            .Match<PresaleAccess>(a => !a.Allowed && a.EarlyAccessHours == 24 && a.Reason == "Opens to Diamond members at 2026-08-31 10:00 +08:00, 24 h before everyone.");
        PresaleAccess.Decide(Sale(maxHours: 24, tierHours: new() { ["Member"] = 2 }), Member, null, Opens.AddHours(-2)).Allowed.Should().BeTrue();
        PresaleAccess.Decide(Sale(tierHours: new() { ["Diamond"] = 0 }), Diamond, null, Opens.AddHours(-1)).Allowed.Should().BeFalse();
    }

    [Test]
    public void A_product_outside_the_sale_and_an_ended_sale_are_refused_with_why()
    {
        var outside = PresaleAccess.Decide(Sale(), Gold, "SKU-2", Opens);
        outside.Should().Match<PresaleAccess>(a => !a.Allowed && !a.Covered && a.Reason == "'SKU-2' is not part of the pre-sale 'autumn'.");
        PresaleAccess.Decide(Sale(allProducts: true), Gold, "SKU-2", Opens).Allowed.Should().BeTrue();
        PresaleAccess.Decide(Sale(), Diamond, "SKU-1", Opens.AddDays(7)).Should()
            .Match<PresaleAccess>(a => !a.Allowed && a.Covered && a.Reason == "The pre-sale ended at 2026-09-08 10:00 +08:00.");
    }
}
