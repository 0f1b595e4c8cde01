using System.Text;
using Automation.Core.Presales;
using Automation.Core.Tiers;

namespace Automation.Tests.Core.Presales;

/// <summary>rules/presales.json as the reader takes it: sales, products, openings with offsets, early access by tier, and problems at file:line.</summary>
public sealed class PresaleFileReaderTests
{
    private static readonly string[] Tiers = ["Member", "Silver", "Gold", "Diamond"];

    private static (IReadOnlyList<Presale>? Sales, IReadOnlyList<string> Problems) Read(string json, IReadOnlyCollection<string>? tiers = null)
    {
        var (sales, problems) = PresaleFileReader.Read("rules/presales.json", Encoding.UTF8.GetBytes(json), tiers ?? Tiers);
        return (sales, [.. problems.Select(p => p.ToString())]);
    }

    [Test]
    public void A_sale_reads_with_its_products_openings_and_early_access()
    {
        var (sales, problems) = Read("""
            {
              "Sales": [
                { "Name": "autumn", "Title": "Autumn teas", "Products": ["oolong-1", "SKU-9"], "OpensAt": "2026-09-01T10:00:00+08:00",
                  "EndsAt": "2026-09-08T10:00+08:00", "EarlyAccess": { "MaxHours": 24, "Tiers": { "Silver": 6 } }, "AnnounceToEveryone": true },
                { "Name": "everything", "Title": "Everything", "Products": "all", "OpensAt": "2026-10-01T00:00:00Z" }
              ]
            }
            """);
        problems.Should().BeEmpty();
        var autumn = sales![0];
        autumn.Products.Should().Equal("oolong-1", "SKU-9");
        autumn.OpensAt.Should().Be(new DateTimeOffset(2026, 9, 1, 10, 0, 0, TimeSpan.FromHours(8)));
        autumn.EndsAt.Should().Be(new DateTimeOffset(2026, 9, 8, 10, 0, 0, TimeSpan.FromHours(8)));
        autumn.MaxEarlyHours.Should().Be(24);
        autumn.TierHours.Should().Equal(new Dictionary<string, int> { ["Silver"] = 6 });
        autumn.AnnounceToEveryone.Should().BeTrue();
        sales[1].Products.Should().BeNull("\"all\" covers every product");
        sales[1].Covers("anything").Should().BeTrue();
        sales[1].AnnounceToEveryone.Should().BeFalse();
    }

    [Test]
    public void An_unknown_tier_name_is_a_problem_at_its_file_and_line()
    {
        var (sales, problems) = Read("""
            {
              "Sales": [
                { "Name": "autumn", "Title": "Autumn", "Products": "all", "OpensAt": "2026-09-01T10:00:00+08:00",
                  "EarlyAccess": { "Tiers": { "Platinum": 12 } } }
              ]
            }
            """);
        sales.Should().BeNull();
        problems.Should().Equal("rules/presales.json:4 autumn: Sales[0].EarlyAccess.Tiers.Platinum: 'Platinum' is not a tier of rules/tiers.json (Member, Silver, Gold, Diamond)");
    }

    [Test]
    public void Every_bad_field_is_reported_with_its_line()
    {
        var (sales, problems) = Read("""
            {
              "Sales": [
                { "Name": "Autumn Sale", "Title": "Autumn", "Products": [], "OpensAt": "2026-09-01 10:00" },
                { "Name": "winter", "Title": "", "Products": ["a b"], "OpensAt": "2026-12-01T10:00:00Z", "EndsAt": "2026-11-01T10:00:00Z",
                  "EarlyAccess": { "MaxHours": -1 }, "Colour": "red", "AnnounceBy": "sms" },
                { "Name": "spring", "Title": "Spring", "Products": "all", "OpensAt": "2026-12-01T10:00:00Z" },
                { "Name": "spring", "Title": "Again", "Products": "all", "OpensAt": "2026-12-01T10:00:00Z" }
              ]
            }
            """);
        sales.Should().BeNull();
        problems.Should().Contain(p => p.StartsWith("rules/presales.json:3: Sales[0].Name: 'Autumn Sale' must be lower-case words", StringComparison.Ordinal))
            .And.Contain("rules/presales.json:3: Sales[0].Products: must be \"all\" or a list of 1 to 10,000 product ids or SKUs")
            .And.Contain("rules/presales.json:3: Sales[0].OpensAt: '2026-09-01 10:00' must be a date and time with its offset, such as 2026-09-01T10:00:00+08:00")
            .And.Contain("rules/presales.json:4 winter: Sales[1].Title: must not be empty")
            .And.Contain(p => p.StartsWith("rules/presales.json:4 winter: Sales[1].Products[0]: must be a product id or SKU", StringComparison.Ordinal))
            .And.Contain("rules/presales.json:4 winter: Sales[1].EndsAt: must be after OpensAt")
            .And.Contain(p => p.StartsWith("rules/presales.json:5 winter: Sales[1].EarlyAccess.MaxHours: must be a whole number", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("rules/presales.json:5 winter: Sales[1].Colour: unknown field", StringComparison.Ordinal))
            .And.Contain("rules/presales.json:5 winter: Sales[1].AnnounceBy: 'sms' must be \"events\" (the announce job) or \"broadcast\" (a broadcast naming the sale)")
            .And.Contain("rules/presales.json:7 spring: Sales[3].Name: another sale has this name already: names must be unique");
    }

    [Test]
    public void Without_a_tiers_file_tier_names_are_not_checked_and_not_json_is_one_problem()
    {
        var json = """{ "Sales": [ { "Name": "s", "Title": "S", "Products": "all", "OpensAt": "2026-09-01T10:00:00Z", "EarlyAccess": { "Tiers": { "Any": 3 } } } ] }""";
        var (sales, problems) = PresaleFileReader.Read("rules/presales.json", Encoding.UTF8.GetBytes(json), null);
        problems.Should().BeEmpty();
        sales!.Single().TierHours["Any"].Should().Be(3);
        Read("{ \"Sales\": [").Problems.Should().ContainSingle().Which.Should().StartWith("rules/presales.json:");
    }
}
