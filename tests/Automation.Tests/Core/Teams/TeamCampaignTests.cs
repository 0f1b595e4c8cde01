using System.Text;
using Automation.Core.Teams;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Teams;

public sealed class TeamCampaignTests
{
    private static (TeamCampaign? Campaign, IReadOnlyList<string> Problems) Read(string json, string name = "three-split-150", Func<string, bool>? coupons = null)
    {
        var (campaign, problems) = TeamCampaignReader.Read($"rules/teams/{name}.json", Encoding.UTF8.GetBytes(json), coupons ?? (_ => true));
        return (campaign, problems.Select(p => p.ToString()).ToList());
    }

    [Test]
    public void The_shipped_campaigns_are_the_playbooks_examples()
    {
        var setup = new TeamSetup(new InMemoryStorage(), TimeProvider.System);
        var three = setup.Catalog.Find("three-split-150")!;
        (three.Pool, three.Currency, three.TeamSize, three.Split, three.Coupon, three.IfUnfilled).Should().Be((150m, "CNY", 3, SplitKind.Equal, "team-share", UnfilledOutcome.Nothing));
        var five = setup.Catalog.Find("five-split-500")!;
        (five.Pool, five.TeamSize, five.Split, five.Floor, five.IfUnfilled, five.ConsolationCoupon).Should().Be((500m, 5, SplitKind.Random, 50m, UnfilledOutcome.Consolation, "team-consolation"));
    }

    [Test]
    public void Every_problem_is_reported_with_its_field_and_line()
    {
        var (campaign, problems) = Read("""
            {
              "Name": "three-split-150",
              "Pool": 150.001,
              "Currency": "yuan",
              "TeamSize": 1,
              "TimeLimit": "tomorrow",
              "Split": "random",
              "Floor": 60,
              "Coupon": "nope",
              "IfUnfilled": "consolation",
              "Colour": "red"
            }
            """, coupons: name => name != "nope");
        campaign.Should().BeNull();
        problems.Should().Contain([
            "rules/teams/three-split-150.json:3: Pool: must be an amount from 0.01 to 1000000 with at most two decimals",
            "rules/teams/three-split-150.json:4: Currency: 'yuan' must be an ISO 4217 code such as CNY",
            "rules/teams/three-split-150.json:5: TeamSize: must be a whole number from 2 to 50: the initiator and the friends they need",
            "rules/teams/three-split-150.json:6: TimeLimit: 'tomorrow' is not a positive ISO 8601 duration such as P7D or PT1H",
            "rules/teams/three-split-150.json:9: Coupon: no coupon campaign 'nope' in rules/coupons/",
            "rules/teams/three-split-150.json:10: IfUnfilled: \"consolation\" needs ConsolationCoupon: the coupon campaign members of an unfilled team get",
            "rules/teams/three-split-150.json:11: Colour: unknown field; expected one of $schema, Name, Description, Enabled, Pool, Currency, TeamSize, TimeLimit, Split, Floor, Coupon, IfUnfilled, ConsolationCoupon (names are case-sensitive)",
        ]);
    }

    [Test]
    public void A_floor_above_the_pool_and_a_name_other_than_the_files_are_refused()
    {
        Read("""{ "Name": "other", "Pool": 100, "Currency": "CNY", "TeamSize": 3, "TimeLimit": "PT1H", "Split": "random", "Floor": 40, "Coupon": "c" }""").Problems
            .Should().Equal("rules/teams/three-split-150.json:1: Name: 'other' must match the file name 'three-split-150'",
                "rules/teams/three-split-150.json:1: Floor: 40 for each of 3 members exceeds the pool of 100");
    }

    [Test]
    public void A_bad_version_of_a_file_is_reported_and_its_last_good_campaign_keeps_running()
    {
        var folder = Directory.CreateTempSubdirectory("teams-").FullName;
        try
        {
            var coupons = new Automation.Core.Coupons.CouponCatalog();
            coupons.ReloadFolder(Path.Combine(ServerProcess.RepositoryRoot(), "rules", "coupons"));
            var catalog = new TeamCatalog(coupons);
            var file = Path.Combine(folder, "duo.json");
            File.WriteAllText(file, """{ "Name": "duo", "Pool": 20, "Currency": "CNY", "TeamSize": 2, "TimeLimit": "PT1H", "Split": "equal", "Coupon": "team-share" }""");
            catalog.ReloadFolder(folder).Should().BeEmpty();
            File.WriteAllText(file, """{ "Name": "duo", "Pool": -1 }""");
            catalog.ReloadFolder(folder).Should().NotBeEmpty();
            catalog.Find("duo")!.Pool.Should().Be(20m);
            File.Delete(file);
            catalog.ReloadFolder(folder).Should().BeEmpty();
            catalog.Find("duo").Should().BeNull();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Share_links_are_read_back_and_a_changed_one_is_not()
    {
        var links = new TeamLinks(new byte[32], "https://shop.example/");
        links.UrlFor(42).Should().StartWith("https://shop.example/t/42.");
        links.Read(links.Token(42)).Should().Be(42);
        var token = links.Token(42);
        links.Read("43" + token[2..]).Should().BeNull();
        links.Read(token[..^1] + (token[^1] == 'A' ? 'B' : 'A')).Should().BeNull();
        new TeamLinks(Enumerable.Repeat((byte)1, 32).ToArray(), "https://shop.example").Read(token).Should().BeNull();
        links.Read("garbage").Should().BeNull();
        links.Read(token + "x").Should().BeNull();
        links.Read("42.!!!!!!!!!!!!!!!!").Should().BeNull();
    }
}
