using System.Text.Json.Nodes;
using Automation.Core.Audit;
using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Cli;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Automation.Tests.Server.Cli;

/// <summary>
/// Each starter journey in rules/, simulated whole with the real engine on a virtual clock, on both databases.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class StarterJourneyTests(string provider)
{
    private static readonly DateTimeOffset Start = new(2026, 4, 20, 0, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;

    [SetUp]
    public async Task CreateDatabase() => _db = await TestDatabase.CreateAsync(provider);

    [TearDown]
    public async Task DropDatabase() => await _db.DisposeAsync();

    private Task<IReadOnlyList<string>> Simulate(string journey, object traits, double days, params (string At, object Message)[] events) =>
        SimulateFrom(Start, journey, traits, days, events);

    private async Task<IReadOnlyList<string>> SimulateFrom(DateTimeOffset start, string journey, object traits, double days, params (string At, object Message)[] events) =>
        await SimulateAs("ann", start, journey, traits, days, events);

    private async Task<IReadOnlyList<string>> SimulateAs(string userId, DateTimeOffset start, string journey, object traits, double days, params (string At, object Message)[] events)
    {
        var files = JourneyFiles.From(new ConfigurationBuilder().Build(), ServerProcess.RepositoryRoot(), new QuartzCronSchedule());
        var file = JourneyDirectory.Load(files.RulesFolder, files.ReadOptions).Single(f => Path.GetFileNameWithoutExtension(f.File) == journey);
        file.Problems.Should().BeEmpty();
        var customer = new JsonObject { ["userId"] = userId, ["traits"] = System.Text.Json.JsonSerializer.SerializeToNode(traits) };
        var simulated = events.Select(e => new SimulatedEvent(JourneySimulation.ParseOffset(e.At), System.Text.Json.JsonSerializer.SerializeToNode(e.Message)!.AsObject())).ToList();
        var step = days <= 3 ? TimeSpan.FromMinutes(15) : TimeSpan.FromHours(1);
        var tags = new TagCatalog();
        var tiers = new TierCatalog();
        tags.Reload(files.RulesFolder, JourneyFiles.TagsName).Should().BeEmpty();
        tiers.Reload(files.RulesFolder, JourneyFiles.TiersName).Should().BeEmpty();
        var timeline = await new JourneySimulation(_db.Storage, file, tags, tiers, files.Coupons).RunAsync(customer, simulated, start, TimeSpan.FromDays(days), step, CancellationToken.None);
        return timeline.Select(t => t.ToString()).ToList();
    }

    private static object Order(string id, decimal total, object[]? products = null) =>
        new { @event = "Order Completed", properties = new { order_id = id, total, products = products ?? [] } };

    private static object Checkout(string id) => new
    {
        @event = "Checkout Started",
        properties = new { order_id = id, total = 24, currency = "USD", products = new[] { new { product_id = "tea", name = "Tea", price = 12, quantity = 2 } } },
    };

    private static object Viewed(string product) =>
        new { @event = "Product Viewed", properties = new { product_id = product, name = product, price = 90, url = $"https://shop.example/p/{product}", image_url = $"https://shop.example/p/{product}.jpg" } };

    private static readonly object Ann = new { email = "ann@example.com", name = "Ann" };

    [Test]
    public async Task Welcome_series_thanks_guides_and_invites_a_second_order()
    {
        (await Simulate("welcome-series", Ann, 9, ("+0h", Order("w1", 30)))).Should().Equal(
            "+0h enter",
            "+0h send email welcome-series/thank-you",
            "+72h send email welcome-series/guide",
            "+168h send email welcome-series/second-order-coupon (a coupon of welcome-second-order)",
            "+168h complete: all steps done");
    }

    [Test]
    public async Task Welcome_series_skips_the_coupon_when_a_second_order_came()
    {
        (await Simulate("welcome-series", Ann, 9, ("+0h", Order("w1", 30)), ("+48h", Order("w2", 20)))).Should().Equal(
            "+0h enter",
            "+0h send email welcome-series/thank-you",
            "+72h send email welcome-series/guide",
            "+73h exit: exit condition");
    }

    [Test]
    public async Task Cart_recovery_reminds_after_an_hour_and_sends_a_coupon_after_a_day()
    {
        (await Simulate("cart-recovery", Ann, 3, ("+0h", new { @event = "Product Added", properties = new { product_id = "tea", price = 12 } }))).Should().Equal(
            "+0h enter",
            "+1h send email cart-recovery/reminder",
            "+24h send sms cart-recovery/coupon (a coupon of cart-recovery)",
            "+24h complete: all steps done");
    }

    [Test]
    public async Task Cart_recovery_exits_on_an_order()
    {
        (await Simulate("cart-recovery", Ann, 3,
            ("+0h", new { @event = "Product Added", properties = new { product_id = "tea", price = 12 } }),
            ("+5h", Order("c1", 12)))).Should().Equal(
            "+0h enter",
            "+1h send email cart-recovery/reminder",
            "+5h exit: Order Completed");
    }

    [Test]
    public async Task Cart_recovery_hands_over_to_unpaid_order_when_checkout_starts()
    {
        (await Simulate("cart-recovery", Ann, 3,
            ("+0h", new { @event = "Product Added", properties = new { product_id = "tea", price = 12 } }),
            ("+2h", Checkout("u0")))).Should().Equal(
            "+0h enter",
            "+1h send email cart-recovery/reminder",
            "+2h exit: Checkout Started");
    }

    [Test]
    public async Task Unpaid_order_asks_if_it_can_help_after_an_hour_and_offers_a_coupon_at_a_day_within_48_hours()
    {
        (await Simulate("unpaid-order", Ann, 3, ("+0h", Checkout("u1")))).Should().Equal(
            "+0h enter",
            "+1h send email unpaid-order/service",
            "+24h send email unpaid-order/offer (a coupon of cart-recovery)",
            "+48.25h complete: max age");
    }

    [Test]
    public async Task Unpaid_order_sends_nothing_more_once_the_order_is_paid()
    {
        (await Simulate("unpaid-order", Ann, 3, ("+0h", Checkout("u2")), ("+5h", Order("u2", 24)))).Should().Equal(
            "+0h enter",
            "+1h send email unpaid-order/service",
            "+5h exit: Order Completed");
        (await SimulateAs("bo", Start, "unpaid-order", new { email = "bo@example.com" }, 3, ("+0h", Checkout("u3")), ("+30m", Order("u3", 24)))).Should().Equal(
            "+0h enter",
            "+0.5h exit: Order Completed");
        // Closed unpaid (the shopper cancelled it, or the shop did at its deadline): nothing more either.
        var cancelled = new { @event = "Order Cancelled", properties = new { order_id = "u6" } };
        (await SimulateAs("cy", Start, "unpaid-order", new { email = "cy@example.com" }, 3, ("+0h", Checkout("u6")), ("+3h", cancelled))).Should().Equal(
            "+0h enter",
            "+1h send email unpaid-order/service",
            "+3h exit: Order Cancelled");
    }

    [Test]
    public async Task Unpaid_order_texts_only_customers_who_consented_to_sms()
    {
        var texted = new { phone = "+14155550123", sms_consent = true };
        (await SimulateAs("sms-ann", Start, "unpaid-order", texted, 3, ("+0h", Checkout("u4")))).Should().Equal(
            "+0h enter",
            "+1h send sms unpaid-order/service",
            "+24h send sms unpaid-order/offer (a coupon of cart-recovery)",
            "+48.25h complete: max age");
        await _db.Storage.SuppressAsync("sms", "+14155550124", "STOP", Start.AddDays(-1), AuditActor.Cli("test"), CancellationToken.None);
        (await SimulateAs("quiet-bo", Start, "unpaid-order", new { phone = "+14155550124" }, 3, ("+0h", Checkout("u5")))).Should().Equal(
            "+0h enter",
            "+48.25h complete: max age");
    }

    [Test]
    public async Task Browse_abandonment_reminds_once_of_a_product_viewed_three_times_in_a_day()
    {
        (await Simulate("browse-abandonment", Ann, 3, ("+1h", Viewed("boots")), ("+2h", Viewed("boots")), ("+3h", Viewed("boots")), ("+4h", Viewed("boots")))).Should().Equal(
            "+3h enter",
            "+4h send email browse-abandonment/reminder",
            "+27.25h complete: max age");
    }

    [Test]
    public async Task Browse_abandonment_reminds_a_shopper_whose_cart_holds_other_things()
    {
        static object Added(string product) => new { @event = "Product Added", properties = new { product_id = product, name = product, price = 10, quantity = 1 } };
        (await Simulate("browse-abandonment", Ann, 2, ("+0h", Added("socks")), ("+1h", Viewed("boots")), ("+2h", Viewed("boots")), ("+3h", Viewed("boots")))).Should().Equal(
            "+3h enter",
            "+4h send email browse-abandonment/reminder",
            "+27.25h complete: max age");
    }

    [Test]
    public async Task Browse_abandonment_counts_views_of_a_shop_that_sends_only_the_sku()
    {
        var viewed = new { @event = "Product Viewed", properties = new { sku = "BOOTS-42", name = "Boots" } };
        (await Simulate("browse-abandonment", Ann, 1, ("+1h", viewed), ("+2h", viewed), ("+3h", viewed))).Should().Equal(
            "+3h enter",
            "+4h send email browse-abandonment/reminder");
    }

    [Test]
    public async Task Browse_abandonment_leaves_two_views_or_views_of_different_products_alone()
    {
        (await Simulate("browse-abandonment", Ann, 2, ("+1h", Viewed("boots")), ("+2h", Viewed("boots")), ("+3h", Viewed("hat")))).Should().BeEmpty();
        (await SimulateAs("bo", Start, "browse-abandonment", new { email = "bo@example.com" }, 3, ("+20h", Viewed("boots")), ("+22h", Viewed("boots")), ("+25h", Viewed("boots"))))
            .Should().BeEmpty("two views on one UTC day and one on the next are not three in a day");
    }

    [Test]
    public async Task Browse_abandonment_says_nothing_when_the_product_goes_into_a_cart_or_was_bought()
    {
        (await Simulate("browse-abandonment", Ann, 2,
            ("+1h", Viewed("boots")), ("+2h", Viewed("boots")), ("+3h", Viewed("boots")),
            ("+3.5h", new { @event = "Product Added", properties = new { product_id = "boots", price = 90 } }))).Should().Equal(
            "+3h enter",
            "+3.5h exit: exit condition");
        var bootsOrder = new object[] { new { product_id = "boots", price = 90 } };
        (await SimulateAs("bo", Start, "browse-abandonment", new { email = "bo@example.com" }, 2,
            ("-10d", Order("b1", 90, bootsOrder)), ("+1h", Viewed("boots")), ("+2h", Viewed("boots")), ("+3h", Viewed("boots")))).Should().BeEmpty();
        (await SimulateAs("cy", Start, "browse-abandonment", new { email = "cy@example.com" }, 2,
            ("+0h", new { @event = "Product Added", properties = new { product_id = "boots", price = 90 } }),
            ("+1h", Viewed("boots")), ("+2h", Viewed("boots")), ("+3h", Viewed("boots")))).Should().BeEmpty("boots in the cart are cart-recovery's");
    }

    [Test]
    public async Task Browse_abandonment_reminds_at_most_once_a_week()
    {
        (await Simulate("browse-abandonment", Ann, 3,
            ("+1h", Viewed("boots")), ("+2h", Viewed("boots")), ("+3h", Viewed("boots")),
            ("+25h", Viewed("boots")), ("+26h", Viewed("boots")), ("+27h", Viewed("boots")),
            ("+49h", Viewed("scarf")), ("+50h", Viewed("scarf")), ("+51h", Viewed("scarf")))).Should().Equal(
            "+3h enter",
            "+4h send email browse-abandonment/reminder",
            "+27.25h complete: max age");
    }

    [Test]
    public async Task Replenishment_reminds_three_days_before_the_product_runs_out()
    {
        var coffee = new[] { new { product_id = "coffee-1kg", price = 20, usage_days = 30 } };
        (await Simulate("replenishment", Ann, 30, ("+0h", Order("r1", 20, coffee)))).Should().Equal(
            "+648h enter",
            "+648h send email replenishment/reminder",
            "+673h complete: max age");
    }

    [Test]
    public async Task Replenishment_reminds_of_the_playbooks_detergent_bought_twice_at_57_days_and_of_milk_powder_at_147()
    {
        // The playbook: detergent lasts 30 days (two bottles, 60), milk powder 150; each is reminded 3 days before it runs out.
        var basket = new object[]
        {
            new { product_id = "detergent", name = "Detergent", price = 30, quantity = 2, usage_days = 30 },
            new { product_id = "milk-powder", name = "Milk powder", price = 200, usage_days = 150 },
        };
        (await Simulate("replenishment", Ann, 150, ("+0h", Order("r1", 260, basket)))).Should().Equal(
            "+1368h enter",
            "+1368h send email replenishment/reminder",
            "+1393h complete: max age",
            "+3528h enter",
            "+3528h send email replenishment/reminder",
            "+3553h complete: max age");
    }

    [Test]
    public async Task Win_back_messages_dormant_customers_and_raises_the_offer_at_90_days()
    {
        (await Simulate("win-back", Ann, 25, ("-70d", Order("old", 50)))).Should().Equal(
            "+0h enter",
            "+0h send email win-back/miss-you (a coupon of win-back)",
            "+480h send email win-back/bigger-coupon (a coupon of win-back-bigger)",
            "+480h complete: all steps done");
    }

    [Test]
    public async Task Member_day_reaches_members_at_ten_their_time_on_the_18th()
    {
        // 10:00 in Shanghai on 18 April is 02:00 UTC, 50 hours after midnight UTC on the 16th.
        var from = new DateTimeOffset(2026, 4, 16, 0, 0, 0, TimeSpan.Zero);
        var member = new { email = "ann@example.com", name = "Ann", timezone = "Asia/Shanghai" };
        (await SimulateFrom(from, "member-day", member, 3, ("-30d", Order("m1", 40)))).Should().Equal(
            "+50h enter",
            "+50h send email member-day/offer (a coupon of member-day)",
            "+50h complete: all steps done");
        (await SimulateAs("bo", from, "member-day", new { email = "bo@example.com" }, 3)).Should().BeEmpty("customers who hold no tier (never ordered) are not in the audience");
    }

    [Test]
    public async Task Tier_upgrade_congratulates_at_once_when_an_order_reaches_a_higher_tier()
    {
        // Joining Member on the first order is a tier change too, but not one worth a message; 300 spent reaches Silver.
        (await Simulate("tier-upgrade", Ann, 2, ("+0h", Order("t1", 100)), ("+1h", Order("t2", 100)), ("+2h", Order("t3", 100)))).Should().Equal(
            "+2h enter",
            "+2h send email tier-upgrade/congratulations",
            "+2h complete: all steps done");
    }

    [Test]
    public async Task Presale_announcement_sends_an_email_when_a_sale_opens_to_the_customer_and_an_sms_with_consent()
    {
        var opened = new
        {
            @event = "Presale Opened",
            properties = new { sale = "new-collection", title = "New collection", early = true, tier = "Gold", early_access_hours = 24,
                opens_at = "2026-04-20T10:00:00+08:00", opens_to_everyone_at = "2026-04-21T10:00:00+08:00" },
        };
        // Without SMS consent the SMS step waits (until the instance's MaxAge of a day) and never fires.
        (await Simulate("presale-announcement", Ann, 1, ("+1h", opened))).Should().Equal(
            "+1h enter",
            "+1h send email presale-announcement/announce");
        (await SimulateAs("sms-ann", Start, "presale-announcement", new { email = "ann@example.com", phone = "+14155550123", sms_consent = true }, 1, ("+1h", opened)))
            .Should().Contain("+1h send sms presale-announcement/announce");
    }

    [Test]
    public async Task Birthday_greets_with_points_and_a_coupon_at_nine_their_time()
    {
        // 09:00 in New York on 21 April (EDT, UTC-4) is 13:00 UTC, 37 hours after the start.
        var birthdayGirl = new { email = "ann@example.com", name = "Ann", timezone = "America/New_York", birthday = "1990-04-21" };
        (await Simulate("birthday", birthdayGirl, 3)).Should().Equal(
            "+37h enter",
            "+37h coupon of birthday",
            "+37h points + 200 × birthday_points_multiplier",
            "+37h send email birthday/greeting (a coupon of birthday)",
            "+37h complete: all steps done");
        var customer = await _db.Storage.FindAsync("ann", CancellationToken.None);
        customer!.PointsBalance(Start.AddDays(3)).Should().Be(200);
        customer.PointsBalance(Start.AddMonths(13)).Should().Be(0, "awarded points lapse like earned ones");
    }

    [Test]
    public async Task Expiring_points_remind_fourteen_days_before_they_lapse()
    {
        // 100 points earned 350 days before the start lapse 12 months after the order: 15 days after the start.
        (await Simulate("expiring-points", Ann, 3, ("-350d", Order("x1", 100)))).Should().Equal(
            "+24h enter",
            "+24h send email expiring-points/reminder",
            "+24h complete: all steps done");
    }

    [Test]
    public async Task Post_delivery_care_asks_three_days_after_delivery_unless_refunded()
    {
        (await Simulate("post-delivery-care", Ann, 7, ("+0h", Order("p1", 40)), ("+48h", new { @event = "Order Delivered", properties = new { order_id = "p1" } }))).Should().Equal(
            "+48h enter",
            "+120h send email post-delivery-care/how-is-it",
            "+120h complete: all steps done");
    }

    [Test]
    public async Task Post_delivery_care_is_skipped_when_the_order_is_refunded()
    {
        (await Simulate("post-delivery-care", new { email = "bo@example.com" }, 7,
            ("+0h", Order("p2", 40)),
            ("+48h", new { @event = "Order Delivered", properties = new { order_id = "p2" } }),
            ("+60h", new { @event = "Order Refunded", properties = new { order_id = "p2" } }))).Should().Equal(
            "+48h enter",
            "+60h exit: Order Refunded");
    }
}
