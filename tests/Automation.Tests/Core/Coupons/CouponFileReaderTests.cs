using System.Text;
using Automation.Core.Coupons;
using Automation.Core.Journeys;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Coupons;

/// <summary>Campaign files: what is read, and every problem named with its file, line and field.</summary>
public sealed class CouponFileReaderTests
{
    private const string MemberDay = """
        {
          "Name": "member-day",
          "Value": { "AmountOff": 20, "Currency": "CNY" },
          "MinimumSpend": 199,
          "Validity": { "From": "2026-12-01", "Until": "2026-12-31T16:00:00Z", "DaysFromIssue": 7 },
          "PerCustomer": 2,
          "Budget": 5000,
          "Eligible": "customer.Tier != \"\"",
          "Codes": { "Generate": { "Length": 12, "Prefix": "MD-" } }
        }
        """;

    private static (CouponCampaign? Campaign, IReadOnlyList<JourneyProblem> Problems) Read(string json, string file = "rules/coupons/member-day.json") =>
        CouponFileReader.Read(file, Encoding.UTF8.GetBytes(json), RuleLimits.Default);

    [Test]
    public void A_campaign_reads_whole()
    {
        var (campaign, problems) = Read(MemberDay);
        problems.Should().BeEmpty();
        campaign!.Value.Should().Be(new CouponValue(CouponValueKind.AmountOff, 20, "CNY"));
        campaign.MinimumSpend.Should().Be(199);
        campaign.PerCustomer.Should().Be(2);
        campaign.Budget.Should().Be(5000);
        campaign.Eligible.Should().NotBeNull();
        campaign.Generated.Should().Be(new CouponCodeFormat(CouponCodeFormat.DefaultAlphabet, 12, "MD-"));
        campaign.Validity.From.Should().Be(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        // Seven days from issue, unless the campaign's end comes first.
        campaign.Validity.ExpiresAt(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero)).Should().Be(new DateTimeOffset(2026, 12, 9, 0, 0, 0, TimeSpan.Zero));
        campaign.Validity.ExpiresAt(new DateTimeOffset(2026, 12, 30, 0, 0, 0, TimeSpan.Zero)).Should().Be(new DateTimeOffset(2026, 12, 31, 16, 0, 0, TimeSpan.Zero));
        campaign.Validity.Closed(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)).Should().Be("the campaign starts on 2026-12-01");
        campaign.Validity.Closed(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)).Should().Be("the campaign ended on 2026-12-31");
    }

    [Test]
    public void An_imported_campaign_has_no_format_and_a_percentage_no_currency()
    {
        var (campaign, problems) = Read("""{ "Name": "member-day", "Value": { "PercentOff": 15 }, "Codes": { "Import": true } }""");
        problems.Should().BeEmpty();
        campaign!.Imported.Should().BeTrue();
        campaign.PerCustomer.Should().BeNull("no limit unless the file sets one");
        campaign.Value.Format(System.Globalization.CultureInfo.GetCultureInfo("zh-CN")).Should().Be("15%");
    }

    [TestCase("\"Name\": \"member-day\"", "\"Name\": \"birthday\"", 2, "Name: must be the file's name, 'member-day'")]
    [TestCase("\"AmountOff\": 20, \"Currency\": \"CNY\"", "\"AmountOff\": 20", 3, "Value.Currency: is required with AmountOff")]
    [TestCase("\"AmountOff\": 20, \"Currency\": \"CNY\"", "\"AmountOff\": 20, \"PercentOff\": 5, \"Currency\": \"CNY\"", 3, "Value: needs exactly one of AmountOff and PercentOff")]
    [TestCase("\"AmountOff\": 20, \"Currency\": \"CNY\"", "\"PercentOff\": 20, \"Currency\": \"CNY\"", 3, "Value.Currency: goes with AmountOff only")]
    [TestCase("\"AmountOff\": 20", "\"AmountOff\": 250", 3, "Value.AmountOff: 250 off is more than the minimum spend of 199")]
    [TestCase("\"Until\": \"2026-12-31T16:00:00Z\"", "\"Until\": \"2026-11-30\"", 5, "Validity.Until: must be after From")]
    [TestCase("\"From\": \"2026-12-01\"", "\"From\": \"next monday\"", 5, "Validity.From: 'next monday' is not a date")]
    [TestCase("\"PerCustomer\": 2", "\"PerCustomer\": 0", 6, "PerCustomer: must be a whole number of at least 1")]
    [TestCase("\"Budget\": 5000", "\"Budget\": 2.5", 7, "Budget: must be a whole number of at least 1")]
    [TestCase("\"Length\": 12", "\"Length\": 6", 9, "Codes.Generate.Length: 6 characters of 31 give 30 bits; codes need 40")]
    [TestCase("\"Prefix\": \"MD-\"", "\"Prefix\": \"MD-\", \"Alphabet\": \"ABCDEFGHJK0\"", 9, "Codes.Generate.Alphabet: '0' is read as another character")]
    [TestCase("\"Codes\": {", "\"Cods\": {", 9, "Cods: unknown field")]
    [TestCase("customer.Tier != \\\"\\\"", "customer.Tier.GetType() != null", 8, "Eligible:")]
    public void Each_problem_names_its_line_and_field(string from, string to, int line, string reason)
    {
        var (campaign, problems) = Read(MemberDay.Replace(from, to, StringComparison.Ordinal));
        campaign.Should().BeNull();
        problems.Should().Contain(p => p.File == "rules/coupons/member-day.json" && p.Line == line && p.Reason.StartsWith(reason, StringComparison.Ordinal),
            $"of {string.Join("; ", problems)}");
    }

    [Test]
    public void A_file_that_turns_bad_keeps_its_last_good_campaign_and_a_removed_one_is_gone()
    {
        var folder = Directory.CreateTempSubdirectory("automation-coupons-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "member-day.json"), MemberDay);
            File.WriteAllText(Path.Combine(folder, "birthday.json"), """{ "Name": "birthday", "Value": { "PercentOff": 15 } }""");
            var catalog = new CouponCatalog();
            catalog.ReloadFolder(folder).Should().BeEmpty();
            catalog.Campaigns.Select(c => c.Name).Should().Equal("birthday", "member-day");

            File.WriteAllText(Path.Combine(folder, "member-day.json"), MemberDay.Replace("\"Budget\": 5000", "\"Budget\": -1", StringComparison.Ordinal));
            catalog.ReloadFolder(folder).Should().ContainSingle().Which.ToString().Should().Contain("member-day.json:7: Budget:");
            catalog.Find("member-day")!.Budget.Should().Be(5000, "the last good version keeps running");

            File.Delete(Path.Combine(folder, "birthday.json"));
            catalog.ReloadFolder(folder);
            catalog.Find("birthday").Should().BeNull();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Generated_codes_use_only_the_alphabet_after_the_prefix()
    {
        var format = new CouponCodeFormat(CouponCodeFormat.DefaultAlphabet, 10, "MD-");
        var codes = Enumerable.Range(0, 1000).Select(_ => CouponCodes.Generate(format)).ToList();
        codes.Should().OnlyContain(c => c.Length == 13 && c.StartsWith("MD-", StringComparison.Ordinal) && c.Substring(3).All(ch => CouponCodeFormat.DefaultAlphabet.Contains(ch)));
        codes.Should().OnlyHaveUniqueItems();
        CouponCodeFormat.DefaultAlphabet.Should().NotContainAny("0", "O", "1", "I", "L");
    }
}
