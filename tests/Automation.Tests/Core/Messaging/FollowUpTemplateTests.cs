using System.Text.Json.Nodes;
using Automation.Core.Coupons;
using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Messaging;

/// <summary>
/// The shipped browse-abandonment reminder shows the product the customer kept viewing (from the Product Viewed event),
/// and the unpaid-order messages list the order of Checkout Started with the offer's code, in both languages and channels.
/// </summary>
public sealed class FollowUpTemplateTests
{
    private static readonly DateTimeOffset Now = new(2026, 4, 27, 9, 0, 0, TimeSpan.Zero);

    private static readonly JsonObject Boots = new()
    {
        ["product_id"] = "boots-42", ["name"] = "Hiking boots", ["price"] = 89.5,
        ["url"] = "https://shop.example/p/boots-42", ["image_url"] = "https://shop.example/p/boots-42.jpg",
    };

    private static TemplateModel Model(string journey, string step, string locale, string eventName, JsonObject properties, JsonObject context)
    {
        var profile = new CustomerProfile { Id = 1, ExternalId = "ann", Name = "Ann Lee", Email = "ann@example.com", Phone = "+8613800000000", Locale = locale };
        var trigger = new JsonObject { ["name"] = eventName, ["properties"] = properties.DeepClone() };
        return TemplateModel.For(new CustomerSnapshot(profile, CustomerStats.None, null), journey, step, Now, trigger, context, "https://automation.example/u/abc", "USD", Now);
    }

    private static TemplateModel Browse(string locale) => Model("browse-abandonment", "reminder", locale, "Product Viewed", Boots, []);

    private static TemplateModel Unpaid(string step, string locale)
    {
        var order = new JsonObject { ["order_id"] = "o-1", ["total"] = 179, ["products"] = new JsonArray(Boots.DeepClone()) };
        order["products"]![0]!["quantity"] = 2;
        var coupon = new IssuedCoupon("cart-recovery", "CART-ABC123", new CouponValue(CouponValueKind.PercentOff, 10, null), 7, Now.AddHours(-1), Now.AddDays(2));
        var context = step == "offer" ? new JsonObject { ["Coupon"] = coupon.ToContext() } : [];
        return Model("unpaid-order", step, locale, "Checkout Started", order, context);
    }

    private static LiquidTemplates Shipped() =>
        new(new TemplateFiles(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "templates")), "en"), "示例小店");

    [Test]
    public void The_browse_reminder_shows_the_viewed_products_name_image_price_and_link()
    {
        var english = Shipped().Render("browse-abandonment/reminder", "email", Browse("en"));
        english.Subject.Should().Be("Still thinking about Hiking boots?");
        english.Html.Should().Contain("<img src=\"https://shop.example/p/boots-42.jpg\" alt=\"Hiking boots\"")
            .And.Contain("<a href=\"https://shop.example/p/boots-42\">Hiking boots</a>").And.Contain("89.5");
        Shipped().Render("browse-abandonment/reminder", "email", Browse("zh-CN")).Subject.Should().Be("还在考虑Hiking boots吗？");
        Shipped().Render("browse-abandonment/reminder", "sms", Browse("en")).Text.Should()
            .Be("Still thinking about Hiking boots? It is waiting for you: https://shop.example/p/boots-42 Reply STOP to opt out.");
        Shipped().Render("browse-abandonment/reminder", "sms", Browse("zh-CN")).Text.Should()
            .Be("【示例小店】还在考虑Hiking boots吗？它还在等您：https://shop.example/p/boots-42 回T退订");
    }

    [Test]
    public void The_unpaid_order_service_message_offers_help_and_lists_the_order()
    {
        var english = Shipped().Render("unpaid-order/service", "email", Unpaid("service", "en"));
        english.Subject.Should().Be("Your order is waiting: anything we can help with?");
        english.Html.Should().Contain("<a href=\"https://shop.example/p/boots-42\">Hiking boots</a> × 2").And.Contain("179");
        Shipped().Render("unpaid-order/service", "email", Unpaid("service", "zh-CN")).Subject.Should().Be("您的订单还在等您付款，需要帮忙吗？");
        Shipped().Render("unpaid-order/service", "sms", Unpaid("service", "zh-CN")).Text.Should().StartWith("【示例小店】").And.EndWith("回T退订");
    }

    [Test]
    public void The_unpaid_order_offer_carries_the_coupon_code()
    {
        var english = Shipped().Render("unpaid-order/offer", "email", Unpaid("offer", "en"));
        english.Html.Should().Contain("<strong>CART-ABC123</strong>").And.Contain("Hiking boots");
        Shipped().Render("unpaid-order/offer", "email", Unpaid("offer", "zh-CN")).Html.Should().Contain("使用优惠码 <strong>CART-ABC123</strong>");
        Shipped().Render("unpaid-order/offer", "sms", Unpaid("offer", "en")).Text.Should().StartWith("Your order is still waiting: code CART-ABC123 takes ");
        Shipped().Render("unpaid-order/offer", "sms", Unpaid("offer", "zh-CN")).Text.Should().StartWith("【示例小店】您的订单还在等您付款：使用优惠码 CART-ABC123 立减 ");
    }
}
