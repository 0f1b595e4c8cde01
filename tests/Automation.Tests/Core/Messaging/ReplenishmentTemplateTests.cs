using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Core.Products;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Messaging;

/// <summary>The shipped replenishment reminders list the products due with name, image, link and reorder links, in both languages and channels.</summary>
public sealed class ReplenishmentTemplateTests
{
    private static readonly DateTimeOffset Now = new(2026, 4, 27, 9, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, Product> Catalog = new()
    {
        ["detergent"] = new Product("detergent") { Name = "洗衣液 2 L", Url = "https://shop.example/p/detergent", ImageUrl = "https://shop.example/p/detergent.jpg" },
        ["softener"] = new Product("softener") { Name = "Softener", Url = "https://shop.example/p/softener" },
    };

    private static TemplateModel Model(string locale, params string[] products)
    {
        var profile = new CustomerProfile { Id = 1, ExternalId = "ann", Name = "Ann Lee", Email = "ann@example.com", Phone = "+8613800000000", Locale = locale };
        var due = products.Select(p => new ReplenishmentDue(1, p, Now.AddDays(-57), 2, 60, CycleSources.UsageDays, Now)).ToList();
        var trigger = new JsonObject
        {
            ["name"] = ReplenishmentReminders.ReplenishmentDueEvent,
            ["properties"] = ReplenishmentReminders.Properties(due, Catalog, "https://shop.example/reorder?products={products}"),
        };
        return TemplateModel.For(new CustomerSnapshot(profile, CustomerStats.None, null), "replenishment", "reminder", Now, trigger, [], "https://automation.example/u/abc", "CNY", Now);
    }

    private static LiquidTemplates Shipped() =>
        new(new TemplateFiles(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "templates")), "en"), "示例小店");

    [Test]
    public void One_product_is_named_in_the_subject_with_its_image_and_reorder_link()
    {
        var message = Shipped().Render("replenishment/reminder", "email", Model("en", "detergent"));
        message.Subject.Should().Be("Running low on 洗衣液 2 L?");
        message.Html.Should().Contain("<img src=\"https://shop.example/p/detergent.jpg\"").And.Contain("href=\"https://shop.example/reorder?products=detergent\"")
            .And.NotContain("Reorder them all");
    }

    [Test]
    public void Two_products_due_together_are_listed_in_one_message_with_a_link_to_reorder_both()
    {
        var english = Shipped().Render("replenishment/reminder", "email", Model("en", "detergent", "softener"));
        english.Subject.Should().Be("Time to restock 2 of your favourites");
        english.Html.Should().Contain("洗衣液 2 L").And.Contain("Softener").And.Contain("href=\"https://shop.example/reorder?products=detergent%2Csoftener\">Reorder them all");

        var chinese = Shipped().Render("replenishment/reminder", "email", Model("zh-CN", "detergent", "softener"));
        chinese.Subject.Should().Be("您常买的 2 件商品该补货啦");
        chinese.Html.Should().Contain("一键全部补货").And.Contain("再次购买");

        Shipped().Render("replenishment/reminder", "sms", Model("en", "detergent", "softener")).Text.Should()
            .Be("Running low? 洗衣液 2 L, Softener: reorder at https://shop.example/reorder?products=detergent%2Csoftener Reply STOP to opt out.");
        Shipped().Render("replenishment/reminder", "sms", Model("zh-CN", "detergent")).Text.Should()
            .Be("【示例小店】您的洗衣液 2 L快用完了，点此补货：https://shop.example/reorder?products=detergent 回T退订");
    }
}
