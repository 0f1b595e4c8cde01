using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Points;
using Automation.Core.Tiers;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Tiers;

/// <summary>
/// The shipped tiers' typed perks and progress, on both databases and in memory: rules read the perks of the tier held,
/// templates show them and the distance to the next tier as the tier engine counts it, and the shipped birthday journey
/// doubles Gold's points through the perk.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class TierPerksTests(string storage)
{
    // 08:00 UTC on the 21st of April: Gus's and Sam's birthday, an hour before the birthday journey's 09:00.
    private static readonly DateTimeOffset Start = new(2026, 4, 21, 8, 0, 0, TimeSpan.Zero);
    private static readonly string Repository = ServerProcess.RepositoryRoot();

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup
        {
            TiersFile = Path.Combine(Repository, "rules", "tiers.json"),
            CouponsFolder = Path.Combine(Repository, "rules", "coupons"),
        });
        _h.Journeys.Replace([.. JourneyDirectory.Load(DiskFiles.Folder(Path.Combine(Repository, "rules")), EngineHarness.ReadOptions)
            .Where(f => Path.GetFileNameWithoutExtension(f.File) == "birthday")]);
        // Gus reaches Gold (1000 over the year), Sam holds Member after one small order.
        var ordered = Start.AddDays(-10);
        await _h.Ingest(
            Segment.Identify("gus", new { email = "gus@example.com", firstName = "Gus", timezone = "UTC", birthday = "1985-04-21" }, ordered),
            Segment.Identify("sam", new { email = "sam@example.com", firstName = "Sam", timezone = "UTC", birthday = "1992-04-21" }, ordered),
            Segment.Order("gus", "g1", 600m, ordered), Segment.Order("gus", "g2", 400m, ordered.AddHours(1)), Segment.Order("sam", "s1", 40m, ordered));
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private TierProgram Program => _h.Tiers.Program!;

    [Test]
    public async Task Rules_read_the_perks_of_the_tier_held()
    {
        var rule = CompiledRule.Compile("perks", "customer.Perks.FreeShipping && customer.Perks.BirthdayPointsMultiplier >= 2 && customer.Perks.EarlyAccessHours == 24", []);
        bool Holds(Automation.Core.Customers.CustomerSnapshot s) =>
            rule.Evaluate(FactsBuilder.Facts(s, null, new EventFacts(), _h.Clock.GetUtcNow(), Program), _h.Clock.GetUtcNow()).Holds;

        var gus = await _h.Customer("gus");
        var sam = await _h.Customer("sam");
        gus.Tier!.Tier.Should().Be("Gold");
        Holds(gus).Should().BeTrue("Gold ships free, doubles birthday points and opens sales 24 hours early");
        Holds(sam).Should().BeFalse();
        var samPerks = FactsBuilder.Customer(sam, _h.Clock.GetUtcNow(), Program).Perks;
        samPerks.FreeShippingOver.Should().Be(50m);
        samPerks.DiscountPercent.Should().Be(0m);
        FactsBuilder.Customer(sam, _h.Clock.GetUtcNow(), null).Perks.FreeShippingOver.Should().Be(-1, "without a tier program nobody holds perks");
    }

    [Test]
    public async Task The_birthday_journey_multiplies_its_points_by_the_tiers_birthday_perk()
    {
        await _h.Scheduler.TickAsync(CancellationToken.None);
        _h.Clock.SetUtcNow(Start.AddHours(1).AddMinutes(1));
        await _h.Scheduler.TickAsync(CancellationToken.None);

        async Task<IEnumerable<int>> Awarded(string id) =>
            (await _h.Customer(id)).PointsLedger.Where(e => e.Kind == PointsKinds.Award).Select(e => e.Points);
        (await Awarded("gus")).Should().Equal([400], "Gold's birthday_points_multiplier is 2");
        (await Awarded("sam")).Should().Equal([200], "Member's is 1");
    }

    [Test]
    public async Task Templates_show_the_perks_and_the_distance_to_the_next_tier_in_the_tier_window()
    {
        var sam = await _h.Customer("sam");
        var now = _h.Clock.GetUtcNow();
        var held = Program.Find(sam.Tier?.Tier)!;
        var window = await _h.Storage.Customers.OrderTotalsAsync(sam.Profile.Id, now.AddDays(-Program.WindowDays), now, CancellationToken.None);
        var next = Program.Next(held, window)!;
        (next.Tier.Name, next.SpendNeeded, next.OrdersNeeded).Should().Be(("Silver", 260m, 3), "Silver asks 300 or 4 orders; Sam has 40 and 1");

        var templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(Path.Combine(Repository, "templates")), "en"), "示例小店");
        string Render(string? locale)
        {
            var customer = locale is null ? sam : new Automation.Core.Customers.CustomerSnapshot(sam.Profile with { Locale = locale }, sam.Stats, sam.Cart) { Tier = sam.Tier };
            var model = TemplateModel.For(customer, "tier-upgrade", "congratulations", now, null, new JsonObject(), "https://automation.example/u/x", "USD", now, held, next);
            return templates.Render("tier-upgrade/congratulations", "email", model).Html ?? "";
        }
        Render(null).Should().Contain("<strong>Member</strong> member").And.Contain("shipping is free on orders over $50.00")
            .And.NotContain("% off every order").And.Contain("Next up is Silver: $260.00 more or 3 more orders within the year.");
        Render("zh-CN").Should().Contain("50.00 免运费").And.Contain("下一等级为Silver：一年内再消费").And.Contain("或再下 3 单即可升级。");

        var top = TemplateModel.For(sam, "t", "s", now, null, new JsonObject(), "u", "USD", now, Program.Tiers[^1], Program.Next(Program.Tiers[^1], window));
        var tier = (TemplateHash)top.Plain["tier"];
        ((TemplateHash)tier["next"])["name"].IsNil().Should().BeTrue("Diamond is the top: there is no next tier");
        ((TemplateHash)tier["perks"])["dedicated_service"].Should().Be(Fluid.Values.BooleanValue.True);
        ((TemplateHash)((TemplateHash)top.Plain["customer"])["tier_perks"])["free_shipping"].Should().Be(Fluid.Values.BooleanValue.True, "customer.tier_perks keeps working");
    }
}

/// <summary>The shipped rules/tiers.json is the playbook's example: its monthly spend ladder and its typed perks.</summary>
public sealed class ShippedTiersTests
{
    [Test]
    public void The_shipped_tiers_carry_the_playbooks_spend_ladder_and_gold_doubles_birthday_points()
    {
        var file = Path.Combine(ServerProcess.RepositoryRoot(), "rules", "tiers.json");
        var (program, problems) = TierFileReader.Read(file, File.ReadAllBytes(file));
        problems.Should().BeEmpty();
        // Monthly spend ≥100 → 1 %, ≥300 → 1.5 %, ≥500 → 2 % back: at 100 points = 1 unit, 1, 1.5 and 2 points per unit.
        program!.Bands.Should().Equal(new SpendBand(100, 1), new SpendBand(300, 1.5m), new SpendBand(500, 2));
        program.BandRate(99.99m).Should().Be(0);
        program.BandRate(320m).Should().Be(1.5m);
        program.Tiers.Select(t => (t.Name, t.Perks.BirthdayPointsMultiplier)).Should().Equal(("Member", 1m), ("Silver", 1m), ("Gold", 2m), ("Diamond", 2m));
    }
}
