using System.Text;
using Automation.Core.Journeys;
using Automation.Core.Rewards;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Rewards;

/// <summary>rules/rewards.json: each mistake named with its line and item; a bad file leaves the last good catalog running.</summary>
public sealed class RewardFileReaderTests
{
    private const string Good = """
        {
          "Items": [
            { "Name": "coupon-10", "Title": "10 off", "Kind": "coupon", "Campaign": "mall", "Points": 1000, "Value": 10, "PerCustomer": 2, "Period": "month" },
            { "Name": "box", "Title": "Box", "Kind": "gift", "Points": 1000, "Stock": 5, "Tiers": ["Gold"] },
            { "Name": "give", "Title": "Give", "Kind": "donation", "Charity": "Fund", "Points": 1000, "Value": 10, "Stock": null }
          ]
        }
        """;

    private static (RewardProgram? Program, IReadOnlyList<JourneyProblem> Problems) Read(string json) =>
        RewardFileReader.Read("rules/rewards.json", Encoding.UTF8.GetBytes(json), name => name == "mall", ["Member", "Gold"]);

    [Test]
    public void A_good_file_gives_each_item_its_kind_price_stock_and_limit()
    {
        var (program, problems) = Read(Good);
        problems.Should().BeEmpty();
        program!.Items.Select(i => (i.Name, i.Kind, i.Points, i.Stock)).Should().Equal(
            ("coupon-10", RewardKind.Coupon, 1000, null), ("box", RewardKind.Gift, 1000, 5), ("give", RewardKind.Donation, 1000, null));
        program.Find("coupon-10")!.PeriodAt(DateTimeOffset.Parse("2026-03-31T23:00:00Z", System.Globalization.CultureInfo.InvariantCulture)).Should().Be("2026-03");
        program.Find("box")!.Admits("Member").Should().BeFalse();
        program.Find("box")!.Admits("Gold").Should().BeTrue();
        program.Find("give")!.Charity.Should().Be("Fund");
    }

    [Test]
    public void Each_mistake_is_named_with_its_line_and_item()
    {
        var bad = Good.Replace("\"Campaign\": \"mall\"", "\"Campaign\": \"gone\"").Replace("[\"Gold\"]", "[\"Platinum\"]")
            .Replace("\"Charity\": \"Fund\", ", "").Replace("\"Period\": \"month\"", "\"Period\": \"week\"");
        var (program, problems) = Read(bad);
        program.Should().BeNull();
        problems.Select(p => p.ToString()).Should().Equal(
            "rules/rewards.json:3 coupon-10: Items[0].Period: 'week' is not a period: use month, year or ever (UTC calendar)",
            "rules/rewards.json:3 coupon-10: Items[0].Campaign: 'gone' is not a coupon campaign of rules/coupons/",
            "rules/rewards.json:4 box: Items[1].Tiers[0]: 'Platinum' is not a tier of rules/tiers.json (Member, Gold)",
            "rules/rewards.json:5 give: Items[2].Charity: is required");
    }

    [Test]
    public void A_bad_version_is_reported_and_the_last_good_catalog_keeps_running()
    {
        var root = Directory.CreateTempSubdirectory("rewards-");
        try
        {
            var file = Path.Combine(root.FullName, "rewards.json");
            var giftsOnly = Good.Replace("\"Kind\": \"coupon\", \"Campaign\": \"mall\"", "\"Kind\": \"gift\"");
            var coupons = new Automation.Core.Coupons.CouponCatalog();
            var catalog = new RewardCatalog(coupons, new Automation.Core.Tiers.TierCatalog());
            File.WriteAllText(file, giftsOnly);
            catalog.ReloadFile(file).Should().BeEmpty();
            catalog.Find("coupon-10")!.Kind.Should().Be(RewardKind.Gift);

            File.WriteAllText(file, giftsOnly.Replace("\"Points\": 1000, \"Stock\": 5", "\"Points\": -1, \"Stock\": 5"));
            catalog.ReloadFile(file).Select(p => p.ToString()).Should().ContainSingle().Which.Should().StartWith($"{file}:4 box: Items[1].Points:");
            catalog.Problems.Should().ContainSingle();
            catalog.Find("box")!.Points.Should().Be(1000, "the last good version keeps running");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
