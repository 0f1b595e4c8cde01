using System.Text.Json.Nodes;
using Automation.Core.Products;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Products;

/// <summary>
/// Replenishment per product on both databases and in memory, with the playbook's worked example: each product is due
/// at its own cycle less the 3 lead days, however long; products due within the window make one event (one message
/// of the shipped journey); a new order reschedules; and each reminder is claimed once.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class ReplenishmentTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly ReplenishmentSettings Settings = new() { ReorderUrl = "https://shop.example/reorder?products={products}" };

    private EngineHarness _h = null!;
    private ReplenishmentReminders _reminders = null!;

    [SetUp]
    public async Task SetUp()
    {
        var shipped = await File.ReadAllTextAsync(Path.Combine(ServerProcess.RepositoryRoot(), "rules", "replenishment.json"));
        _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { Journeys = [("replenishment.json", shipped)] });
        _reminders = new ReplenishmentReminders(_h.Storage.Ingestion, _h.Engine, Settings, _h.Clock);
        await SaveAsync(
            new ProductEdit("detergent") { Name = "Detergent", UsageDays = 30, Url = "https://shop.example/detergent", ImageUrl = "https://shop.example/detergent.jpg" },
            new ProductEdit("milk-powder") { Name = "Milk powder", UsageDays = 150 },
            new ProductEdit("softener") { Name = "Softener", UsageDays = 32 },
            new ProductEdit("coffee") { Name = "Coffee" },
            new ProductEdit("vase") { Name = "Vase", UsageDays = 30, Replenish = false });
        await _h.Ingest(Segment.Identify("ann", new { email = "ann@example.com" }, Start.AddDays(-1)));
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private Task<Automation.Core.Ingestion.IngestOutcome> Order(string orderId, double day, params object[] products) =>
        _h.Ingest(Segment.Track("ann", "Order Completed", new { order_id = orderId, total = 10, products }, Start.AddDays(day)));

    private async Task<IReadOnlyList<ReplenishmentDue>> Due() =>
        await _h.Storage.Products.ReplenishmentsAsync((await _h.Customer("ann")).Profile.Id, None);

    /// <summary>Moves the clock to the day and runs the job; returns the products of each Replenishment Due event it recorded ("a + b").</summary>
    private async Task<List<string>> RemindOn(double day)
    {
        _h.Clock.SetUtcNow(Start.AddDays(day));
        var before = (await Events()).Count;
        var reminded = await _reminders.RemindDueAsync(None);
        var recorded = (await Events()).Skip(before).ToList();
        recorded.Should().HaveCount(reminded);
        return [.. recorded.Select(e => string.Join(" + ", e["products"]!.AsArray().Select(p => p!["product_id"]!.GetValue<string>())))];
    }

    private async Task<List<JsonObject>> Events()
    {
        var ann = await _h.Customer("ann");
        return [.. (await _h.Storage.Customers.EventsOfAsync(ann.Profile.Id, 1000, None))
            .Where(e => e.Name == ReplenishmentReminders.ReplenishmentDueEvent).OrderBy(e => e.Id).Select(e => JsonNode.Parse(e.Properties)!.AsObject())];
    }

    [Test]
    public async Task The_playbooks_detergent_bought_twice_is_due_at_57_days_and_milk_powder_at_147()
    {
        await Order("o1", 0, new { product_id = "detergent", quantity = 2 }, new { product_id = "milk-powder", quantity = 1 });
        (await Due()).Select(d => (d.ProductId, d.CycleDays, d.CycleSource, d.DueAt)).Should().Equal(
            ("detergent", 60m, CycleSources.UsageDays, Start.AddDays(57)),
            ("milk-powder", 150m, CycleSources.UsageDays, Start.AddDays(147)));

        (await RemindOn(56.9)).Should().BeEmpty();
        (await RemindOn(57)).Should().Equal("detergent");
        (await RemindOn(57.5)).Should().BeEmpty("the detergent's reminder was claimed");
        (await RemindOn(146)).Should().BeEmpty();
        (await RemindOn(147)).Should().Equal("milk-powder");

        var instances = await _h.Storage.Journeys.ActiveInstancesAsync([(await _h.Customer("ann")).Profile.Id], None);
        instances.Should().ContainSingle(i => i.Journey == "replenishment").Which.StepsDone.Should().Equal("reminder");
    }

    [Test]
    public async Task Products_due_within_the_window_make_one_event_listing_them_with_name_image_and_reorder_links()
    {
        // Detergent is due on day 27, softener on day 29: within the 3-day window of the first.
        await Order("o1", 0, new { product_id = "detergent" }, new { product_id = "softener" });
        (await RemindOn(27)).Should().Equal("detergent + softener");

        var e = (await Events()).Single();
        e["product_count"]!.GetValue<int>().Should().Be(2);
        e["reorder_url"]!.GetValue<string>().Should().Be("https://shop.example/reorder?products=detergent%2Csoftener");
        var detergent = e["products"]![0]!;
        (detergent["name"]!.GetValue<string>(), detergent["url"]!.GetValue<string>(), detergent["image_url"]!.GetValue<string>(), detergent["reorder_url"]!.GetValue<string>())
            .Should().Be(("Detergent", "https://shop.example/detergent", "https://shop.example/detergent.jpg", "https://shop.example/reorder?products=detergent"));
        (await RemindOn(29)).Should().BeEmpty("the softener went with the detergent");
        var ann = (await _h.Customer("ann")).Profile.Id;
        (await _h.Storage.Journeys.ActiveInstancesAsync([ann], None)).Should().ContainSingle(i => i.Journey == "replenishment", "one message for both");
    }

    [Test]
    public async Task A_new_order_of_the_product_before_it_is_due_reschedules_it()
    {
        await Order("o1", 0, new { product_id = "detergent" });
        await Order("o2", 20, new { product_id = "detergent" });
        (await Due()).Single().DueAt.Should().Be(Start.AddDays(47));
        (await RemindOn(27)).Should().BeEmpty();
        (await RemindOn(47)).Should().Equal("detergent");

        // Bought again after the reminder: due again, unclaimed.
        await Order("o3", 50, new { product_id = "detergent", quantity = 3 });
        (await Due()).Single().Should().BeEquivalentTo(new { DueAt = Start.AddDays(137), ClaimedAt = (DateTimeOffset?)null, Quantity = 3 }, o => o.ExcludingMissingMembers());
    }

    [Test]
    public async Task Without_usage_days_the_customers_own_interval_counts_from_the_second_order_and_a_product_not_replenished_has_none()
    {
        await Order("o1", 0, new { product_id = "coffee" }, new { product_id = "vase" });
        (await Due()).Should().BeEmpty("one order of coffee gives no interval, and the vase is not replenished");
        await Order("o2", 40, new { product_id = "coffee" });
        (await Due()).Select(d => (d.ProductId, d.CycleDays, d.CycleSource, d.DueAt)).Should().Equal(("coffee", 40m, CycleSources.OwnInterval, Start.AddDays(77)));
    }

    [Test]
    public async Task Without_any_cycle_the_configured_default_applies()
    {
        var ingestion = TestIngestion.Service(_h.Storage.Ingestion, _h.Engine, _h.Clock);
        var withDefault = new Automation.Core.Ingestion.IngestionService(_h.Storage.Ingestion, _h.Engine, TestIngestion.Tags(new()), _h.Clock,
            new Automation.Core.Tiers.TierEngine(new()), new Automation.Core.Points.PointsSettings(), replenishment: new ReplenishmentSettings { DefaultCycleDays = 45 });
        await withDefault.IngestAsync(Segment.Read(_h.Clock, Segment.Track("ann", "Order Completed", new { order_id = "o1", total = 5, products = new[] { new { product_id = "coffee" } } }, Start)), None);
        (await Due()).Select(d => (d.ProductId, d.CycleSource, d.DueAt)).Should().Equal(("coffee", CycleSources.Default, Start.AddDays(42)));
        await ingestion.IngestAsync(Segment.Read(_h.Clock, Segment.Track("ann", "Order Completed", new { order_id = "o2", total = 5, products = new[] { new { product_id = "vase" } } }, Start)), None);
        (await Due()).Should().ContainSingle();
    }

    private async Task SaveAsync(params ProductEdit[] edits)
    {
        await using var tx = await _h.Storage.Ingestion.BeginAsync(None);
        await tx.SaveProductsAsync([.. edits.Select(e => e.ApplyTo(null, _h.Clock.GetUtcNow()))], None);
        await tx.CommitAsync(None);
    }
}
