using System.Text;
using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Tags;

/// <summary>Rule tags from the shipped rules/tags.json, on both databases and in memory.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class TagTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 2, 1, 10, 0, 0, TimeSpan.Zero);

    private const string RepeatWelcome = """
        {
          "WorkflowName": "repeat-welcome",
          "Trigger": { "Event": "Tag Added", "Condition": "event.Property(\"tag\") == \"repeat\"" },
          "Rules": [
            { "RuleName": "thanks", "Expression": "journey.HoursSinceEntry >= 0",
              "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "thanked-for-repeat" } } } }
          ]
        }
        """;

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup
    {
        Journeys = [("repeat-welcome.json", RepeatWelcome)],
        TagRulesFile = Path.Combine(ServerProcess.RepositoryRoot(), "rules", "tags.json"),
    });

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private async Task<IReadOnlyList<string>> Tags(string id) => (await _h.Customer(id)).Tags;

    [Test]
    public async Task Tags_follow_the_orders_as_they_are_ingested()
    {
        await _h.Ingest(Segment.Order("ann", "o1", 20m, Start, coupon: "WELCOME"));
        (await Tags("ann")).Should().BeEquivalentTo("new", "active", "price-sensitive");

        await _h.Ingest(Segment.Order("ann", "o2", 30m, Start.AddDays(5)));
        (await Tags("ann")).Should().BeEquivalentTo("new", "active", "repeat", "price-sensitive", "thanked-for-repeat");

        await _h.Ingest(Segment.Track("ann", "Order Refunded", new { order_id = "o2" }, Start.AddDays(6)));
        (await Tags("ann")).Should().BeEquivalentTo("new", "active", "price-sensitive", "thanked-for-repeat");

        var events = await _h.Storage.Customers.EventsOfAsync((await _h.Customer("ann")).Profile.Id, 100, CancellationToken.None);
        var tagEvents = events.Select(e => e.Name).Where(name => name is "Tag Added" or "Tag Removed").ToList();
        tagEvents.Count(e => e == "Tag Removed").Should().Be(1);
        tagEvents.Count(e => e == "Tag Added").Should().Be(4);
    }

    [Test]
    public async Task The_daily_refresh_moves_quiet_customers_to_dormant_then_lapsed()
    {
        await _h.Ingest(Segment.Order("bo", "b1", 20m, Start));
        await _h.Ingest(Segment.Track("bo", "Product Added", new { product_id = "tea", price = 4 }, Start.AddHours(1)));

        _h.Clock.Advance(TimeSpan.FromDays(2));
        (await _h.TagRefresher.RefreshAllAsync(CancellationToken.None)).Should().Be(1);
        (await Tags("bo")).Should().BeEquivalentTo("new", "active", "cart-abandoner");

        _h.Clock.Advance(TimeSpan.FromDays(63));
        await _h.TagRefresher.RefreshAllAsync(CancellationToken.None);
        (await Tags("bo")).Should().BeEquivalentTo("dormant", "cart-abandoner");

        _h.Clock.Advance(TimeSpan.FromDays(30));
        await _h.TagRefresher.RefreshAllAsync(CancellationToken.None);
        (await Tags("bo")).Should().BeEquivalentTo("lapsed", "cart-abandoner");
        (await _h.TagRefresher.RefreshAllAsync(CancellationToken.None)).Should().Be(0, "nothing changed");
    }

    [Test]
    public async Task The_top_fifth_by_365_day_spend_is_high_value()
    {
        // Ten customers spending 10, 20, … 100 within the year; one spent 1,000 two years ago, which does not count.
        for (var i = 1; i <= 10; i++) await _h.Ingest(Segment.Order($"s{i}", $"so{i}", 10m * i, Start.AddDays(-i)));
        await _h.Ingest(Segment.Order("old", "old-1", 1000m, Start.AddDays(-730)));

        await _h.TagRefresher.RefreshAllAsync(CancellationToken.None);

        var highValue = new List<string>();
        foreach (var id in Enumerable.Range(1, 10).Select(i => $"s{i}").Append("old"))
            if ((await Tags(id)).Contains("high-value")) highValue.Add(id);
        highValue.Should().BeEquivalentTo("s9", "s10");
        var top = (await _h.Customer("s10")).Rfm!;
        top.M.Should().Be(5);
        top.Spend365.Should().Be(100m);
        top.R.Should().Be(1, "its order is the oldest of the year");
        (await _h.Customer("old")).Rfm!.M.Should().Be(1);
    }

    [Test]
    public async Task Manual_tags_stay_when_the_rules_run()
    {
        await _h.Ingest(Segment.Identify("cy", new { email = "cy@example.com" }, Start));
        await using (var tx = await _h.Storage.Ingestion.BeginAsync(CancellationToken.None))
        {
            var id = (await _h.Customer("cy")).Profile.Id;
            (await TagEngine.SetManualAsync(tx, id, "vip", add: true, Start, CancellationToken.None)).Should().ContainSingle();
            (await TagEngine.SetManualAsync(tx, id, "vip", add: true, Start, CancellationToken.None)).Should().BeEmpty("it is already there");
            await tx.CommitAsync(CancellationToken.None);
        }
        await _h.TagRefresher.RefreshAllAsync(CancellationToken.None);
        (await Tags("cy")).Should().Equal("vip");
    }

    [Test]
    public async Task A_tag_rule_past_its_budget_is_quarantined_leaves_its_tag_as_it_is_and_the_other_rules_go_on()
    {
        var folder = Directory.CreateTempSubdirectory("automation-tags-");
        var file = Path.Combine(folder.FullName, "tags.json");
        await File.WriteAllTextAsync(file, """
            {
              "WorkflowName": "tags",
              "Rules": [
                { "RuleName": "few-traits", "Expression": "customer.Traits.Count < 10 || customer.Traits.Keys.Any(a => customer.Traits.Keys.Any(b => customer.Traits.Keys.Any(c => a + b + c == \"none\")))" },
                { "RuleName": "buyer", "Expression": "stats.OrderCount > 0" }
              ]
            }
            """);
        var catalog = new TagCatalog(new RuleLimits(1000, TimeSpan.FromSeconds(30)));
        catalog.ReloadFile(file).Should().BeEmpty();
        var ingestion = TestIngestion.Service(_h.Storage.Ingestion, TestIngestion.Engine(new JourneyCatalog()), _h.Clock, TestIngestion.Tags(catalog));
        var manyTraits = Enumerable.Range(0, 30).ToDictionary(i => $"t{i}", i => (object)i);

        await ingestion.IngestAsync(Segment.Read(_h.Clock, [Segment.Identify("ann", new { plan = "pro" })]), CancellationToken.None);
        (await Tags("ann")).Should().Equal("few-traits");

        // 30³ steps: past the budget of 1,000. The rule is quarantined and the batch is stored all the same.
        await ingestion.IngestAsync(Segment.Read(_h.Clock, [Segment.Identify("bob", manyTraits), Segment.Order("bob", "o1", 20m, Start)]), CancellationToken.None);
        catalog.Rules!.Rules.Single(r => r.Name == "few-traits").Quarantine!.CustomerId.Should().Be("bob");
        (await Tags("bob")).Should().Equal("buyer");

        // Ann's tag stays though the quarantined rule no longer holds for anyone; her order still tags her.
        await ingestion.IngestAsync(Segment.Read(_h.Clock, [Segment.Identify("ann", manyTraits), Segment.Order("ann", "o2", 20m, Start)]), CancellationToken.None);
        (await Tags("ann")).Should().BeEquivalentTo("few-traits", "buyer");
        folder.Delete(recursive: true);
    }
}

public sealed class TagRulesReaderTests
{
    [Test]
    public void A_bad_tag_rule_is_named_with_its_line()
    {
        var json = "{\n  \"WorkflowName\": \"tags\",\n  \"Rules\": [\n    { \"RuleName\": \"vip\", \"Expression\": \"stats.Spent > 100\" },\n    { \"RuleName\": \"Big Spender\", \"Expression\": \"true\" }\n  ]\n}";
        var (rules, problems) = TagRulesReader.Read("rules/tags.json", Encoding.UTF8.GetBytes(json), RuleLimits.Default);
        rules.Should().BeNull();
        problems.Select(p => p.ToString()).Should().Equal(
            "rules/tags.json:5 Big Spender: Rules[1].RuleName: a tag is lower-case words joined by '-', such as high-value");

        var (_, compileProblems) = TagRulesReader.Read("rules/tags.json", Encoding.UTF8.GetBytes(json.Replace("Big Spender", "big-spender")), RuleLimits.Default);
        compileProblems.Select(p => p.ToString()).Should().Equal(
            "rules/tags.json:4 vip: Rules[0].Expression: does not compile: No property or field 'Spent' exists in type 'StatsFacts'");
    }

    [Test]
    public void A_broken_file_keeps_the_last_good_rules()
    {
        var folder = Directory.CreateTempSubdirectory("automation-tags-");
        try
        {
            var file = Path.Combine(folder.FullName, "tags.json");
            File.WriteAllText(file, "{ \"WorkflowName\": \"tags\", \"Rules\": [ { \"RuleName\": \"repeat\", \"Expression\": \"stats.OrderCount >= 2\" } ] }");
            var catalog = new TagCatalog();
            catalog.ReloadFile(file).Should().BeEmpty();
            File.WriteAllText(file, "{ nope");
            catalog.ReloadFile(file).Should().ContainSingle().Which.Reason.Should().StartWith("malformed JSON");
            catalog.Rules!.Tags.Should().Equal("repeat");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
