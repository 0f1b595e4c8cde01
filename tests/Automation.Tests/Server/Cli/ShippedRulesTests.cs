using System.Text.Json.Nodes;
using Automation.Core.Coupons;
using Automation.Core.Draws;
using Automation.Core.Journeys;
using Automation.Core.Tiers;
using Automation.Tests.Support;
using NJsonSchema;

namespace Automation.Tests.Server.Cli;

/// <summary>rules/ is content: every shipped file validates, names the schema, and the schema agrees with the code.</summary>
public sealed class ShippedRulesTests
{
    private static readonly string Rules = Path.Combine(ServerProcess.RepositoryRoot(), "rules");

    private static IEnumerable<string> JourneyFiles() =>
        Directory.EnumerateFiles(Rules, "*.json").Where(f => Path.GetFileName(f) is not ("schema.json" or "tags.json" or "tiers.json" or "referrals.json" or "presales.json" or "rewards.json")
            && !f.EndsWith(".schema.json", StringComparison.Ordinal)).Order();

    [Test]
    public async Task Automation_validate_accepts_the_repository()
    {
        var (code, output, errors) = await AutomationCli.RunAsync(["validate", "--contentRoot", ServerProcess.RepositoryRoot()]);
        errors.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain($"{JourneyFiles().Count()} journey(s) and {CouponFiles().Count()} coupon campaign(s) valid")
            .And.Contain($"{DrawFiles().Count()} draw(s) valid in rules/draws.")
            .And.Contain("1 pre-sale(s) valid in rules/presales.json.");
    }

    [TestCaseSource(nameof(JourneyFiles))]
    public async Task Each_journey_names_and_satisfies_the_schema(string file)
    {
        var json = await File.ReadAllTextAsync(file);
        JsonNode.Parse(json)!["$schema"]!.GetValue<string>().Should().Be("./schema.json");
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Rules, "schema.json"));
        schema.Validate(json).Should().BeEmpty();
    }

    [Test]
    public async Task The_schema_rejects_what_the_reader_rejects()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Rules, "schema.json"));
        var broken = (await File.ReadAllTextAsync(Path.Combine(Rules, "cart-recovery.json"))).Replace("\"Name\": \"Send\"", "\"Name\": \"Email\"");
        schema.Validate(broken).Should().NotBeEmpty();
    }

    [Test]
    public void The_schema_lists_the_actions_and_channels_the_engine_knows()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Rules, "schema.json")))!;
        var action = schema["$defs"]!["action"]!;
        action["properties"]!["Name"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()).Should().BeEquivalentTo(StepActions.Names);
        action["allOf"]![0]!["then"]!["properties"]!["Context"]!["properties"]!["Channel"]!["enum"]!.AsArray()
            .Select(n => n!.GetValue<string>()).Should().BeEquivalentTo(JourneyReadOptions.DefaultChannels);
    }

    private static IEnumerable<string> CouponFiles() => Directory.EnumerateFiles(Path.Combine(Rules, "coupons"), "*.json").Order();

    [TestCaseSource(nameof(CouponFiles))]
    public async Task Each_coupon_campaign_satisfies_its_schema_and_the_reader(string file)
    {
        var json = await File.ReadAllTextAsync(file);
        JsonNode.Parse(json)!["$schema"]!.GetValue<string>().Should().Be("../coupons.schema.json");
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Rules, "coupons.schema.json"));
        schema.Validate(json).Should().BeEmpty();
        var (campaign, problems) = CouponFileReader.Read(file, System.Text.Encoding.UTF8.GetBytes(json), RuleLimits.Default);
        problems.Should().BeEmpty();
        campaign!.Name.Should().Be(Path.GetFileNameWithoutExtension(file));
        schema.Validate(json.Replace("\"Value\": {", "\"Value\": { \"Off\": 1,")).Should().NotBeEmpty();
    }

    private static IEnumerable<string> DrawFiles() => Directory.EnumerateFiles(Path.Combine(Rules, "draws"), "*.json").Order();

    [TestCaseSource(nameof(DrawFiles))]
    public async Task Each_draw_satisfies_its_schema_and_the_reader_with_the_shipped_tiers_and_campaigns(string file)
    {
        var json = await File.ReadAllTextAsync(file);
        JsonNode.Parse(json)!["$schema"]!.GetValue<string>().Should().Be("../draws.schema.json");
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Rules, "draws.schema.json"));
        schema.Validate(json).Should().BeEmpty();
        var tiers = new TierCatalog();
        tiers.ReloadFile(Path.Combine(Rules, "tiers.json"));
        var coupons = new CouponCatalog();
        coupons.ReloadFolder(Path.Combine(Rules, "coupons"));
        var context = new DrawReadContext([.. tiers.Program!.Tiers.Select(t => t.Name)], name => coupons.Find(name) is not null);
        var (draw, problems) = DrawFileReader.Read(file, System.Text.Encoding.UTF8.GetBytes(json), context);
        problems.Should().BeEmpty();
        draw!.Prizes.Should().NotBeEmpty();
        schema.Validate(json.Replace("\"Points\": 500, ", "")).Should().NotBeEmpty("a points prize names its points");
        schema.Validate(json.Replace("\"EntryCost\": 50", "\"EntryCost\": 0")).Should().NotBeEmpty();
    }

    private static IEnumerable<string> TeamFiles() => Directory.EnumerateFiles(Path.Combine(Rules, "teams"), "*.json").Order();

    [TestCaseSource(nameof(TeamFiles))]
    public async Task Each_team_campaign_satisfies_its_schema_and_the_reader(string file)
    {
        var json = await File.ReadAllTextAsync(file);
        JsonNode.Parse(json)!["$schema"]!.GetValue<string>().Should().Be("../teams.schema.json");
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Rules, "teams.schema.json"));
        schema.Validate(json).Should().BeEmpty();
        var coupons = new CouponCatalog();
        coupons.ReloadFolder(Path.Combine(Rules, "coupons")).Should().BeEmpty();
        var (campaign, problems) = Automation.Core.Teams.TeamCampaignReader.Read(file, System.Text.Encoding.UTF8.GetBytes(json), name => coupons.Find(name) is not null);
        problems.Should().BeEmpty();
        campaign!.Name.Should().Be(Path.GetFileNameWithoutExtension(file));
        schema.Validate(json.Replace("\"TeamSize\": ", "\"TeamSize\": 1, \"Size\": ")).Should().NotBeEmpty();
    }

    [Test]
    public async Task The_tiers_file_satisfies_its_schema_and_the_reader()
    {
        var file = Path.Combine(Rules, "tiers.json");
        var json = await File.ReadAllTextAsync(file);
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Rules, "tiers.schema.json"));
        schema.Validate(json).Should().BeEmpty();
        var (program, problems) = TierFileReader.Read(file, System.Text.Encoding.UTF8.GetBytes(json));
        problems.Should().BeEmpty();
        program!.Tiers.Select(t => t.Name).Should().Equal("Member", "Silver", "Gold", "Diamond");
        schema.Validate(json.Replace("\"Multiplier\": 2", "\"Multiplier\": \"double\"")).Should().NotBeEmpty();
    }

    [Test]
    public async Task The_presales_file_ships_the_playbooks_new_collection_with_gold_and_above_24_hours_early()
    {
        var file = Path.Combine(Rules, "presales.json");
        var json = await File.ReadAllTextAsync(file);
        JsonNode.Parse(json)!["$schema"]!.GetValue<string>().Should().Be("./presales.schema.json");
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Rules, "presales.schema.json"));
        schema.Validate(json).Should().BeEmpty();
        var tiers = new TierCatalog();
        tiers.ReloadFile(Path.Combine(Rules, "tiers.json"));
        var (sales, problems) = Automation.Core.Presales.PresaleFileReader.Read(file, System.Text.Encoding.UTF8.GetBytes(json), [.. tiers.Program!.Tiers.Select(t => t.Name)]);
        problems.Should().BeEmpty();
        var sale = sales!.Single();
        sale.Openings(tiers.Program).Select(o => (o.Tier.Name, o.EarlyHours)).Should().Equal(("Member", 0), ("Silver", 0), ("Gold", 24), ("Diamond", 24));
        sale.OpensAt.Offset.Should().Be(TimeSpan.FromHours(8));
        schema.Validate(json.Replace("\"MaxHours\": 24", "\"MaxHours\": \"a day\"")).Should().NotBeEmpty();
        schema.Validate(json.Replace("+08:00\",\n      \"EndsAt", "\",\n      \"EndsAt")).Should().NotBeEmpty("an opening needs its offset");
    }

    [Test]
    public async Task The_rewards_catalog_satisfies_its_schema_and_the_reader_with_the_shipped_tiers_and_campaigns()
    {
        var file = Path.Combine(Rules, "rewards.json");
        var json = await File.ReadAllTextAsync(file);
        JsonNode.Parse(json)!["$schema"]!.GetValue<string>().Should().Be("./rewards.schema.json");
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Rules, "rewards.schema.json"));
        schema.Validate(json).Should().BeEmpty();
        var tiers = new TierCatalog();
        tiers.ReloadFile(Path.Combine(Rules, "tiers.json"));
        var coupons = new CouponCatalog();
        coupons.ReloadFolder(Path.Combine(Rules, "coupons")).Should().BeEmpty();
        var (program, problems) = Automation.Core.Rewards.RewardFileReader.Read(file, System.Text.Encoding.UTF8.GetBytes(json),
            name => coupons.Find(name) is not null, [.. tiers.Program!.Tiers.Select(t => t.Name)]);
        problems.Should().BeEmpty();
        program!.Items.Select(i => (i.Name, i.Points)).Should().Contain([("coupon-10", 1000), ("charity-10", 1000)], "the playbook's 1000 points for 10 yuan");
        program.Items.Select(i => i.Kind).Distinct().Should().HaveCount(3);
        schema.Validate(json.Replace("\"Kind\": \"gift\"", "\"Kind\": \"present\"")).Should().NotBeEmpty();
        schema.Validate(json.Replace("\"Points\": 500", "\"Points\": 0")).Should().NotBeEmpty();
    }
}
