using System.Text;
using Automation.Core.Draws;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Draws;

/// <summary>Draw files: what a good file reads as, each problem with its file and line, and the catalog's last good versions.</summary>
public sealed class DrawFileReaderTests
{
    private const string Good = """
        {
          "Description": "Weekly draw",
          "EntryCost": 50,
          "DailyLimit": 2,
          "From": "2026-12-01T00:00:00+08:00",
          "Until": "2026-12-08T00:00:00+08:00",
          "EligibleTiers": ["Silver", "Gold"],
          "Prizes": [
            { "Name": "voucher", "Kind": "coupon", "Campaign": "draw-voucher", "Weight": 5, "Stock": 10 },
            { "Name": "100-points", "Kind": "points", "Points": 100, "Weight": 15, "Stock": 200 },
            { "Name": "thanks", "Kind": "nothing", "Weight": 80 }
          ]
        }
        """;

    private static readonly DrawReadContext Known = new(["Member", "Silver", "Gold"], name => name == "draw-voucher");

    private static (Draw? Draw, IReadOnlyList<string> Problems) Read(string json, string file = "rules/draws/weekly.json", DrawReadContext? context = null)
    {
        var (draw, problems) = DrawFileReader.Read(file, Encoding.UTF8.GetBytes(json), context ?? Known);
        return (draw, [.. problems.Select(p => p.ToString())]);
    }

    [Test]
    public void A_good_file_reads_as_its_draw()
    {
        var (draw, problems) = Read(Good);
        problems.Should().BeEmpty();
        draw!.Name.Should().Be("weekly");
        draw.EntryCost.Should().Be(50);
        draw.DailyLimit.Should().Be(2);
        draw.From.Should().Be(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero));
        draw.EligibleTiers.Should().Equal("Silver", "Gold");
        draw.Prizes.Should().Equal(
            new DrawPrize("voucher", PrizeKind.Coupon, 5, 10, "draw-voucher", 0),
            new DrawPrize("100-points", PrizeKind.Points, 15, 200, null, 100),
            new DrawPrize("thanks", PrizeKind.Nothing, 80, null, null, 0));
        draw.IsOpenAt(new DateTimeOffset(2026, 11, 30, 15, 59, 59, TimeSpan.Zero)).Should().BeFalse();
        draw.IsOpenAt(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero)).Should().BeTrue();
        draw.IsOpenAt(new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero)).Should().BeFalse();
        draw.Admits("Gold").Should().BeTrue();
        draw.Admits("Member").Should().BeFalse();
        draw.Admits(null).Should().BeFalse();
    }

    [Test]
    public void Each_problem_names_the_file_the_line_and_the_prize()
    {
        var json = """
            {
              "EntryCost": 0,
              "DailyLimit": 1.5,
              "From": "2026-12-01",
              "EligibleTiers": ["Platinum"],
              "Colour": "red",
              "Prizes": [
                { "Name": "voucher", "Kind": "coupon", "Campaign": "no-such-campaign", "Weight": 5, "Stock": 10 },
                { "Name": "points", "Kind": "points", "Weight": 15 },
                { "Name": "points", "Kind": "jackpot", "Weight": 0 },
                { "Name": "thanks", "Kind": "nothing", "Weight": 80, "Points": 5 }
              ]
            }
            """;
        Read(json).Problems.Should().BeEquivalentTo(
            "rules/draws/weekly.json:6: Colour: unknown field; expected one of $schema, Description, EntryCost, DailyLimit, From, Until, EligibleTiers, Prizes (names are case-sensitive)",
            "rules/draws/weekly.json:2: EntryCost: must be a whole number from 1 to 1,000,000",
            "rules/draws/weekly.json:3: DailyLimit: must be a whole number from 1 to 1,000",
            "rules/draws/weekly.json:4: From: '2026-12-01' must be a date and time with its offset, such as 2026-12-01T00:00:00+08:00",
            "rules/draws/weekly.json:5: EligibleTiers[0]: 'Platinum' is not a tier of rules/tiers.json (Member, Silver, Gold)",
            "rules/draws/weekly.json:8 voucher: Prizes[0].Campaign: 'no-such-campaign' is not a coupon campaign of rules/coupons/",
            "rules/draws/weekly.json:9 points: Prizes[1].Stock: is required",
            "rules/draws/weekly.json:9 points: Prizes[1].Points: is required",
            "rules/draws/weekly.json:10 points: Prizes[2].Name: must be unique within the draw and at most 40 characters",
            "rules/draws/weekly.json:10 points: Prizes[2].Kind: 'jackpot' is not a kind of prize: use coupon, points or nothing",
            "rules/draws/weekly.json:10 points: Prizes[2].Weight: must be a whole number from 1 to 1,000,000",
            "rules/draws/weekly.json:11 thanks: Prizes[3].Points: only a points prize gives points");
    }

    [Test]
    public void Names_are_checked_only_against_what_is_known()
    {
        Read(Good, context: DrawReadContext.Unchecked).Problems.Should().BeEmpty();
        Read(Good.Replace("\"Gold\"]", "\"Platinum\"]"), context: DrawReadContext.Unchecked).Problems.Should().BeEmpty();
    }

    [Test]
    public void Dates_out_of_order_a_bad_file_name_and_malformed_json_are_reported()
    {
        Read(Good.Replace("2026-12-08T00:00:00+08:00", "2026-12-01T00:00:00+08:00")).Problems.Should().Equal("rules/draws/weekly.json:6: Until: must be after From");
        Read(Good, "rules/draws/Weekly Draw.json").Problems.Should().Equal(
            "rules/draws/Weekly Draw.json:1: file name: 'Weekly Draw' must be lower-case words joined by '-', such as weekly-points-draw: the API names the draw by it");
        Read("{\n  \"EntryCost\": 50,\n  \"Prizes\": [\n").Problems.Should().ContainSingle().Which.Should().StartWith("rules/draws/weekly.json:4: malformed JSON");
        Read("""{ "EntryCost": 50, "Prizes": [] }""").Problems.Should().Equal("rules/draws/weekly.json:1: Prizes: must be a list of 1 to 50 prizes");
    }

    [Test]
    public void The_catalog_keeps_each_files_last_good_version_and_drops_removed_files()
    {
        var folder = Directory.CreateTempSubdirectory("automation-rules-");
        try
        {
            var rules = DiskFiles.Folder(folder.FullName);
            var draws = Directory.CreateDirectory(Path.Combine(folder.FullName, "draws")).FullName;
            var weekly = Path.Combine(draws, "weekly.json");
            var daily = Path.Combine(draws, "daily.json");
            File.WriteAllText(weekly, Good);
            File.WriteAllText(daily, Good.Replace("\"EntryCost\": 50", "\"EntryCost\": 10"));
            var catalog = new DrawCatalog();
            catalog.Reload(rules, "draws", Known).Should().BeEmpty();
            catalog.Draws.Select(d => d.Name).Should().Equal("daily", "weekly");

            File.WriteAllText(weekly, Good.Replace("\"EntryCost\": 50", "\"EntryCost\": \"fifty\""));
            File.WriteAllText(daily, Good.Replace("\"EntryCost\": 50", "\"EntryCost\": 20"));
            catalog.Reload(rules, "draws", Known).Select(p => p.ToString()).Should().Equal($"{weekly}:3: EntryCost: must be a whole number from 1 to 1,000,000");
            catalog.Find("weekly")!.EntryCost.Should().Be(50, "the last good version keeps running");
            catalog.Find("daily")!.EntryCost.Should().Be(20, "a good file next to a bad one is read as it is");
            catalog.Problems.Should().ContainSingle();

            File.Delete(weekly);
            catalog.Reload(rules, "draws", Known).Should().BeEmpty();
            catalog.Find("weekly").Should().BeNull();
            catalog.Reload(rules, "missing", Known).Should().BeEmpty();
            catalog.Draws.Should().BeEmpty();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
