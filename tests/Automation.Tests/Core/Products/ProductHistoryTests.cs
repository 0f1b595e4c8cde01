using Automation.Core.Journeys;
using Automation.Core.Products;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Products;

/// <summary>
/// The catalog, purchase history and views that ingest writes, on both databases and in memory: the newest event
/// wins, counts add up, views are kept 30 days, and rules see it all through <c>customer.Bought(…)</c> and its siblings.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class ProductHistoryTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private const string RepeatBuyers = """
        { "WorkflowName": "repeat-buyers", "Trigger": { "Event": "Order Completed", "Condition": "customer.BoughtCount(\"sku-1\") >= 2 && customer.BoughtCategory(\"coffee\")" },
          "Rules": [ { "RuleName": "thanks", "Expression": "true", "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "coffee-regular" } } } } ] }
        """;

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { Journeys = [("repeat-buyers.json", RepeatBuyers)] });

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private static System.Text.Json.Nodes.JsonObject Viewed(string user, object product, DateTimeOffset at) => Segment.Track(user, "Product Viewed", product, at);

    private static System.Text.Json.Nodes.JsonObject Order(string user, string orderId, DateTimeOffset at, params object[] products) =>
        Segment.Track(user, "Order Completed", new { order_id = orderId, total = 10, products }, at);

    private Task<Product?> Product(string id) => _h.Storage.Products.FindProductAsync(id, None);

    [Test]
    public async Task Events_upsert_the_catalog_the_newest_event_winning_and_a_field_left_out_keeping_its_value()
    {
        // One batch: the newer view names the product, the older one also gives the brand.
        await _h.Ingest(
            Viewed("ann", new { product_id = "sku-1", name = "Beans", price = 12.5, category = "coffee", url = "https://shop.example/beans" }, Start),
            Viewed("bob", new { product_id = "sku-1", name = "Old beans", brand = "Roastery", price = 11 }, Start.AddHours(-1)));
        (await Product("sku-1")).Should().BeEquivalentTo(new { Name = "Beans", Brand = "Roastery", Price = 12.5m, Category = "coffee", Url = "https://shop.example/beans", SeenAt = Start },
            o => o.ExcludingMissingMembers());

        // A late event older than the one stored changes nothing it holds, and fills what it lacks.
        await _h.Ingest(Viewed("ann", new { product_id = "sku-1", name = "Stale", price = 1, image_url = "https://shop.example/old.jpg" }, Start.AddHours(-2)));
        (await Product("sku-1")).Should().BeEquivalentTo(new { Name = "Beans", Price = 12.5m, ImageUrl = "https://shop.example/old.jpg", SeenAt = Start },
            o => o.ExcludingMissingMembers());

        // An order's product list is a newer description; what it leaves out stays.
        await _h.Ingest(Order("ann", "o1", Start.AddHours(1), new { product_id = "sku-1", name = "Beans 1 kg", price = 14, image_url = "https://shop.example/beans.jpg" }));
        (await Product("sku-1")).Should().BeEquivalentTo(new { Name = "Beans 1 kg", Price = 14m, Category = "coffee", Brand = "Roastery", ImageUrl = "https://shop.example/beans.jpg" },
            o => o.ExcludingMissingMembers());

        // Cart events describe products too, and a product without product_id is known by its sku.
        await _h.Ingest(Segment.Track("ann", "Product Added", new { sku = "tea-7", name = "Tea", price = 5 }, Start.AddHours(2)));
        (await Product("tea-7"))!.Name.Should().Be("Tea");
    }

    [Test]
    public async Task A_view_that_repeats_the_catalog_moves_seen_at_only_once_an_hour()
    {
        await _h.Ingest(Viewed("ann", new { product_id = "sku-2", name = "Beans", price = 12 }, Start));
        await _h.Ingest(Viewed("bob", new { product_id = "sku-2", name = "Beans", price = 12 }, Start.AddMinutes(59)));
        (await Product("sku-2"))!.SeenAt.Should().Be(Start, "the second view changed nothing within the hour");

        await _h.Ingest(Viewed("bob", new { product_id = "sku-2", name = "Beans", price = 12 }, Start.AddMinutes(61)));
        (await Product("sku-2"))!.SeenAt.Should().Be(Start.AddMinutes(61));

        await _h.Ingest(Viewed("ann", new { product_id = "sku-2", price = 9 }, Start.AddMinutes(62)));
        (await Product("sku-2")).Should().BeEquivalentTo(new { Name = "Beans", Price = 9m, SeenAt = Start.AddMinutes(62) }, o => o.ExcludingMissingMembers());
    }

    [Test]
    public async Task What_the_API_set_stays_when_events_describe_the_product_again()
    {
        await SaveAsync(new ProductEdit("sku-1") { UsageDays = 30, Replenish = false, Categories = ["gifts"] });
        await _h.Ingest(Viewed("ann", new { product_id = "sku-1", name = "Beans", usage_days = 90 }, Start));
        var product = (await Product("sku-1"))!;
        (product.Name, product.UsageDays, product.Replenish, string.Join(",", product.Categories)).Should().Be(("Beans", 30, false, "gifts"));

        // An event's usage_days fills a usage the catalog does not know.
        await _h.Ingest(Viewed("ann", new { product_id = "sku-2", usage_days = 45 }, Start));
        (await Product("sku-2"))!.UsageDays.Should().Be(45);
    }

    [Test]
    public async Task Purchase_history_counts_orders_and_units_per_product_and_rules_read_it()
    {
        await SaveAsync(new ProductEdit("sku-1") { Category = "coffee", Categories = ["gifts"] });
        await _h.Ingest(Order("ann", "o1", Start, new { product_id = "sku-1", quantity = 2 }));
        (await _h.Customer("ann")).Tags.Should().NotContain("coffee-regular", "one order of sku-1 is not two");

        // The same order sent again under another message id, twice in one batch too, counts once.
        await _h.Ingest(Order("ann", "o1", Start, new { product_id = "sku-1", quantity = 2 }));
        await _h.Ingest(Order("ann", "o0", Start, new { product_id = "tea-7", quantity = 0 + 1 }), Order("ann", "o0", Start, new { product_id = "tea-7", quantity = 1 }));
        _h.Clock.Advance(TimeSpan.FromDays(10));
        await _h.Ingest(Order("ann", "o2", Start.AddDays(10), new { product_id = "sku-1", quantity = 1 }, new { product_id = "tea-7", quantity = 4 }));
        _h.Clock.Advance(TimeSpan.FromDays(2));

        var ann = await _h.Customer("ann");
        ann.Tags.Should().Contain("coffee-regular", "the trigger read the purchase history on the event");
        ann.History.Purchases.Should().BeEquivalentTo([
            new ProductPurchase("sku-1", ["coffee", "gifts"], Start, Start.AddDays(10), 2, 3),
            new ProductPurchase("tea-7", [], Start, Start.AddDays(10), 2, 5),
        ]);
        var facts = FactsBuilder.Customer(ann, _h.Clock.GetUtcNow(), null);
        (facts.Bought("sku-1"), facts.BoughtCount("sku-1"), facts.BoughtQuantity("sku-1"), facts.DaysSinceBought("sku-1")).Should().Be((true, 2, 3, 2));
        (facts.Bought("nope"), facts.BoughtCount("nope"), facts.DaysSinceBought("nope")).Should().Be((false, 0, -1));
        (facts.BoughtCategory("COFFEE"), facts.BoughtCategory("gifts"), facts.BoughtCategory("tea"), facts.DaysSinceBoughtCategory("coffee"), facts.DaysSinceBoughtCategory("tea"))
            .Should().Be((true, true, false, 2, -1));
        (facts.BoughtCategoryCount("coffee"), facts.BoughtCategoryQuantity("Coffee"), facts.BoughtCategoryCount("gifts"), facts.BoughtCategoryCount("tea"), facts.BoughtCategoryQuantity("tea"))
            .Should().Be((2, 3, 2, 0, 0), "sku-1 alone is coffee (and gifts): two orders, three units");
    }

    [Test]
    public async Task Views_count_per_day_within_the_window_asked_and_only_the_last_30_days_are_kept()
    {
        await _h.Ingest(Viewed("ann", new { product_id = "sku-1" }, Start), Viewed("ann", new { product_id = "sku-1" }, Start.AddMinutes(5)));
        _h.Clock.Advance(TimeSpan.FromDays(20));
        await _h.Ingest(Viewed("ann", new { product_id = "sku-1" }, Start.AddDays(20)));
        _h.Clock.Advance(TimeSpan.FromDays(15));
        await _h.Ingest(Viewed("ann", new { product_id = "sku-1" }, Start.AddDays(35)), Viewed("ann", new { product_id = "sku-2" }, Start.AddDays(35)));

        var ann = await _h.Customer("ann");
        ann.History.Views.Select(v => (v.ProductId, v.Day, v.Views)).Should().BeEquivalentTo([
            ("sku-1", DateOnly.FromDateTime(Start.AddDays(20).UtcDateTime), 1),
            ("sku-1", DateOnly.FromDateTime(Start.AddDays(35).UtcDateTime), 1),
            ("sku-2", DateOnly.FromDateTime(Start.AddDays(35).UtcDateTime), 1),
        ], "the views of day 0 fell out of the 30 days kept");
        var facts = FactsBuilder.Customer(ann, _h.Clock.GetUtcNow(), null);
        (facts.Viewed("sku-1", 1), facts.Viewed("sku-1", 7), facts.Viewed("sku-1", 30), facts.Viewed("sku-1", 365), facts.Viewed("nope", 30)).Should().Be((1, 1, 2, 2, 0));
    }

    [Test]
    public async Task Only_the_50_products_viewed_last_are_kept_per_customer()
    {
        await _h.Ingest([.. Enumerable.Range(0, 60).SelectMany(i => new[]
        {
            Viewed("ann", new { product_id = $"p{i:D2}" }, Start.AddMinutes(i)),
            Viewed("bob", new { product_id = $"p{i % 3:D2}" }, Start.AddMinutes(i)),
        })]);
        var viewed = (await _h.Customer("ann")).History.Views.Select(v => v.ProductId).ToList();
        viewed.Should().HaveCount(PurchaseHistory.ViewedProducts).And.NotContain("p09").And.Contain(["p10", "p59"]);
        (await _h.Customer("bob")).History.Views.Select(v => (v.ProductId, v.Views)).Should().BeEquivalentTo([("p00", 20), ("p01", 20), ("p02", 20)],
            "another customer's views in the same batch are ranked on their own");
    }

    [Test]
    public async Task Only_the_200_products_bought_last_are_kept_per_customer()
    {
        await _h.Ingest(Order("ann", "o1", Start, [.. Enumerable.Range(0, PurchaseHistory.BoughtProducts).Select(i => new { product_id = $"p{i:D3}" })]),
            Order("bob", "o2", Start, new { product_id = "p000" }));
        await _h.Ingest(Order("ann", "o3", Start.AddDays(1), new { product_id = "new-1" }, new { product_id = "new-2" }, new { product_id = "p000" }));

        var bought = (await _h.Customer("ann")).History.Purchases.Select(p => p.ProductId).ToList();
        bought.Should().HaveCount(PurchaseHistory.BoughtProducts).And.Contain(["new-1", "new-2", "p000", "p197"]).And.NotContain(["p198", "p199"],
            "of the products bought together first, those last in id order go");
        (await _h.Customer("bob")).History.Purchases.Should().ContainSingle(p => p.ProductId == "p000", "another customer's history is untouched");
    }

    private async Task SaveAsync(params ProductEdit[] edits)
    {
        await using var tx = await _h.Storage.Ingestion.BeginAsync(None);
        await tx.SaveProductsAsync([.. edits.Select(e => e.ApplyTo(null, _h.Clock.GetUtcNow()))], None);
        await tx.CommitAsync(None);
    }
}
