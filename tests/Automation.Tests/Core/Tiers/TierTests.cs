using System.Text;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Tiers;
using Automation.Server.Jobs;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Tiers;

/// <summary>Membership tiers on both databases and in memory: upgrades on orders, monthly reviews, history, events, and what tiers do to points.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class TierTests(string storage)
{
    // A Tuesday in March; the review runs on the 1st of each month at 03:30 UTC.
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private const string ReviewCron = "0 30 3 1 * ?";

    private const string Program = """
        {
          "WindowDays": 365,
          "Tiers": [
            { "Name": "Member", "Perks": { "free_shipping_over": 50 } },
            { "Name": "Silver", "MinSpend": 300, "Multiplier": 1.5, "Perks": { "free_shipping_over": 25 } },
            { "Name": "Gold", "MinSpend": 1000, "MinOrders": 10, "Multiplier": 2, "Perks": { "free_shipping_over": 0 } }
          ]
        }
        """;

    private EngineHarness _h = null!;
    private DirectoryInfo _folder = null!;
    private string _programFile = null!;

    [SetUp]
    public async Task SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("automation-tiers-");
        _programFile = Path.Combine(_folder.FullName, "tiers.json");
        await File.WriteAllTextAsync(_programFile, Program);
        _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { TiersFile = _programFile, Points = new PointsSettings(1m, 12) });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    private void UseProgram(string json)
    {
        File.WriteAllText(_programFile, json);
        _h.Tiers.ReloadFile(_programFile).Should().BeEmpty();
    }

    private async Task<string?> TierOf(string id) => (await _h.Customer(id)).Tier?.Tier;

    private async Task<IReadOnlyList<string>> History(string id) =>
        [.. (await _h.Storage.Customers.TierHistoryAsync((await _h.Customer(id)).Profile.Id, CancellationToken.None)).Select(c => $"{c.From}->{c.To} ({c.Reason})")];

    private async Task<IReadOnlyList<int>> EarnedPoints(string id) =>
        [.. (await _h.Customer(id)).PointsLedger.Where(e => e.Kind == PointsKinds.Earn).Select(e => e.Points)];

    private async Task<IReadOnlyList<(string To, string Direction, string Reason)>> TierEvents(string id)
    {
        var events = await _h.Storage.Customers.EventsOfAsync((await _h.Customer(id)).Profile.Id, 1000, CancellationToken.None);
        return [.. events.Where(e => e.Name == "Tier Changed").Reverse()
            .Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.Properties)!)
            .Select(p => (p["to"]!.GetValue<string>(), p["direction"]!.GetValue<string>(), p["reason"]!.GetValue<string>()))];
    }

    [Test]
    public async Task An_order_that_reaches_a_tier_upgrades_at_once_and_earns_at_the_new_multiplier()
    {
        await _h.Ingest(Segment.Order("ann", "a1", 200m, Start));
        (await TierOf("ann")).Should().Be("Member", "the first order makes a member");

        _h.Clock.Advance(TimeSpan.FromDays(3));
        await _h.Ingest(Segment.Order("ann", "a2", 150m, _h.Clock.GetUtcNow()));
        (await TierOf("ann")).Should().Be("Silver", "350 spent over the window reaches Silver's 300");
        (await EarnedPoints("ann")).Should().Equal([200, 225], "the qualifying order already earns Silver's 1.5×");

        (await History("ann")).Should().Equal("->Member (order)", "Member->Silver (order)");
        (await TierEvents("ann")).Should().Equal(("Member", "up", "order"), ("Silver", "up", "order"));
        var snapshot = await _h.Customer("ann");
        snapshot.Tier!.Since.Should().Be(_h.Clock.GetUtcNow());
        FactsOf(snapshot).Tier.Should().Be("Silver");
    }

    private CustomerFacts FactsOf(Automation.Core.Customers.CustomerSnapshot snapshot) => FactsBuilder.Customer(snapshot, _h.Clock.GetUtcNow());

    [Test]
    public async Task An_imported_history_dates_each_change_from_its_order_and_congratulates_nobody_late()
    {
        var files = Automation.Server.Hosting.JourneyFiles.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), ServerProcess.RepositoryRoot(), new QuartzCronSchedule());
        var catalog = new JourneyCatalog();
        catalog.Replace([.. JourneyDirectory.Load(files.RulesFolder, files.ReadOptions).Where(f => Path.GetFileNameWithoutExtension(f.File) == "tier-upgrade")]);
        var ingestion = TestIngestion.Service(_h.Storage.Ingestion, TestIngestion.Engine(catalog), _h.Clock, tiers: _h.TierEngine);
        async Task<int> Instances() =>
            (await _h.Storage.Queries.InstancesOfAsync((await _h.Customer("lee")).Profile.Id, CancellationToken.None)).Count;

        await ingestion.IngestAsync(Segment.Read(_h.Clock, Segment.Order("lee", "l1", 200m, Start.AddDays(-40)), Segment.Order("lee", "l2", 200m, Start.AddDays(-30))), CancellationToken.None);
        (await TierOf("lee")).Should().Be("Silver");
        (await _h.Customer("lee")).Tier!.Since.Should().Be(Start.AddDays(-30));
        (await Instances()).Should().Be(0, "a Tier Changed dated a month back is too old to start a journey");

        await ingestion.IngestAsync(Segment.Read(_h.Clock, Segment.Order("lee", "l3", 700m, Start)), CancellationToken.None);
        (await TierOf("lee")).Should().Be("Gold");
        (await Instances()).Should().Be(1, "an upgrade as it happens is congratulated");
    }

    [Test]
    public async Task Concurrent_orders_of_one_customer_change_each_tier_once()
    {
        var orders = Enumerable.Range(0, 8).Select(i => Task.Run(() => _h.Ingest(Segment.Order("kim", $"k{i}", 60m, Start)))).ToArray();
        await Task.WhenAll(orders);
        (await History("kim")).Should().Equal("->Member (order)", "Member->Silver (order)");
        (await TierEvents("kim")).Should().HaveCount(2);
    }

    [Test]
    public async Task Either_threshold_is_enough_and_a_refund_never_downgrades_between_reviews()
    {
        for (var i = 0; i < 10; i++)
            await _h.Ingest(Segment.Order("bo", $"b{i}", 20m, Start.AddDays(i)));
        (await TierOf("bo")).Should().Be("Gold", "ten orders reach Gold whatever they came to");

        await _h.Ingest(Segment.Track("bo", "Order Refunded", new { order_id = "b9" }, Start.AddDays(11)));
        (await TierOf("bo")).Should().Be("Gold", "tiers only go down at the review");
    }

    [Test]
    public async Task The_review_downgrades_but_never_below_its_own_grant_before_the_period_ends()
    {
        await _h.Ingest(Segment.Order("cy", "c1", 1200m, Start));
        (await TierOf("cy")).Should().Be("Gold");

        // An ordinary review on 1 April keeps Gold and grants it until 1 May.
        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 1, 3, 30, 0, TimeSpan.Zero));
        (await _h.TierReviewer.ReviewAllAsync(ReviewCron, CancellationToken.None)).Should().Be(0);
        var granted = (await _h.Customer("cy")).Tier!;
        granted.ReviewTier.Should().Be("Gold");
        granted.ReviewUntil.Should().Be(new DateTimeOffset(2026, 5, 1, 3, 30, 0, TimeSpan.Zero));

        // Most of the order comes back: 200 now qualifies for Member only.
        await _h.Ingest(Segment.Track("cy", "Order Refunded", new { order_id = "c1", total = 1000 }, _h.Clock.GetUtcNow()));
        _h.Clock.Advance(TimeSpan.FromDays(5));
        (await _h.TierReviewer.ReviewAllAsync(ReviewCron, CancellationToken.None)).Should().Be(0, "a second review within the period does not take back what the first granted");
        (await TierOf("cy")).Should().Be("Gold");

        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 5, 1, 3, 30, 0, TimeSpan.Zero));
        (await _h.TierReviewer.ReviewAllAsync(ReviewCron, CancellationToken.None)).Should().Be(1);
        (await TierOf("cy")).Should().Be("Member");
        (await History("cy")).Should().Equal("->Gold (order)", "Gold->Member (review)");
        (await TierEvents("cy")).Should().EndWith(("Member", "down", "review"));
    }

    [Test]
    public async Task The_review_lets_spend_age_out_of_the_window_and_enrols_those_who_ordered_before_tiers_existed()
    {
        await _h.Ingest(Segment.Order("dee", "d1", 400m, Start));
        (await TierOf("dee")).Should().Be("Silver");

        // Eve ordered while there was no tiers file; Fay never ordered.
        var catalogWithout = new TierCatalog();
        catalogWithout.ReloadFile(Path.Combine(_folder.FullName, "missing.json"));
        var withoutTiers = TestIngestion.Service(_h.Storage.Ingestion, TestIngestion.Engine(new JourneyCatalog()), _h.Clock, tiers: new TierEngine(catalogWithout));
        await withoutTiers.IngestAsync(Segment.Read(_h.Clock, Segment.Order("eve", "e1", 500m, Start), Segment.Identify("fay", new { email = "fay@example.com" }, Start)), CancellationToken.None);
        (await TierOf("eve")).Should().BeNull();

        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 1, 3, 30, 0, TimeSpan.Zero));
        (await _h.TierReviewer.ReviewAllAsync(ReviewCron, CancellationToken.None)).Should().Be(1);
        (await TierOf("eve")).Should().Be("Silver");
        (await TierOf("fay")).Should().BeNull("a customer who never ordered holds no tier");

        // A year and a month on, both orders have left the window.
        _h.Clock.SetUtcNow(new DateTimeOffset(2027, 4, 1, 3, 30, 0, TimeSpan.Zero));
        (await _h.TierReviewer.ReviewAllAsync(ReviewCron, CancellationToken.None)).Should().Be(2);
        (await TierOf("dee")).Should().Be("Member");
        (await TierOf("eve")).Should().Be("Member");
    }

    [Test]
    public async Task Spend_bands_set_the_rate_by_the_months_spend_and_the_tier_multiplier_still_applies()
    {
        UseProgram("""
            {
              "Tiers": [ { "Name": "Member" }, { "Name": "Silver", "MinSpend": 600, "Multiplier": 2 } ],
              "SpendBands": [
                { "MinMonthlySpend": 100, "PointsPerCurrencyUnit": 1 },
                { "MinMonthlySpend": 300, "PointsPerCurrencyUnit": 1.5 },
                { "MinMonthlySpend": 500, "PointsPerCurrencyUnit": 2 }
              ]
            }
            """);
        var april = new DateTimeOffset(2026, 4, 2, 10, 0, 0, TimeSpan.Zero);
        async Task OrderOn(DateTimeOffset at, string id, decimal total)
        {
            _h.Clock.SetUtcNow(at);
            await _h.Ingest(Segment.Order("gil", id, total, at));
        }
        await OrderOn(april, "g1", 80m);                  // month 80: below every band
        await OrderOn(april.AddDays(1), "g2", 50m);       // month 130: 1 per unit
        await OrderOn(april.AddDays(2), "g3", 200m);      // month 330: 1.5
        await OrderOn(april.AddDays(3), "g4", 300m);      // month 630: 2, and Silver's 2× (630 ≥ 600)
        await OrderOn(april.AddMonths(1), "g5", 120m);    // May starts again at 120: 1, × 2
        (await EarnedPoints("gil")).Should().Equal(50, 300, 1200, 240);
    }

    [Test]
    public async Task A_partial_refund_takes_back_its_share_of_what_the_order_earned()
    {
        await _h.Ingest(Segment.Order("hal", "h1", 400m, Start));
        (await EarnedPoints("hal")).Should().Equal([600], "400 reaches Silver at once: 1.5×");
        await _h.Ingest(Segment.Track("hal", "Order Refunded", new { order_id = "h1", total = 100 }, Start.AddDays(1)));
        (await _h.Customer("hal")).PointsBalance(_h.Clock.GetUtcNow()).Should().Be(450, "a quarter of the order, a quarter of its points");
    }

    [Test]
    public void A_bad_tiers_file_names_file_line_and_tier()
    {
        var json = """
            {
              "WindowDays": 0,
              "Tiers": [
                { "Name": "Member", "MinSpend": 10, "Perks": { "gift": true } },
                { "Name": "Silver", "MinSpend": 100, "Multiplier": -1, "Perks": { "gift": true } },
                { "Name": "Gold", "MinSpend": 5, "Perks": { "present": true } }
              ],
              "SpendBands": [ { "MinMonthlySpend": 100 } ]
            }
            """;
        var (program, problems) = TierFileReader.Read("rules/tiers.json", Encoding.UTF8.GetBytes(json));
        program.Should().BeNull();
        problems.Select(p => p.ToString()).Should().BeEquivalentTo(
            "rules/tiers.json:2: WindowDays: must be a whole number of at least 1 and at most 3650",
            "rules/tiers.json:4 Member: Tiers[0]: the first tier is the one every customer who ordered holds: it takes no MinSpend or MinOrders",
            "rules/tiers.json:5 Silver: Tiers[1].Multiplier: must be a number of at least 0",
            "rules/tiers.json:6 Gold: Tiers[2].Perks: must name the same perks as Member (gift), so a template can show any of them for every tier",
            "rules/tiers.json:6 Gold: Tiers[2]: thresholds must not fall below those of Silver: tiers go lowest first",
            "rules/tiers.json:8: SpendBands[0].PointsPerCurrencyUnit: is required");
    }

    [Test]
    public void A_bad_tiers_file_keeps_the_last_good_program_running()
    {
        var file = Path.Combine(_folder.FullName, "tiers.json");
        File.WriteAllText(file, "{ \"Tiers\": [ { \"Name\": \"Member\" }, ");
        _h.Tiers.ReloadFile(file).Should().ContainSingle().Which.ToString().Should().Contain("malformed JSON");
        _h.Tiers.Program!.Tiers.Select(t => t.Name).Should().Equal("Member", "Silver", "Gold");
    }
}
