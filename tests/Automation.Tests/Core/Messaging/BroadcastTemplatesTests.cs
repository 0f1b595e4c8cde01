using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Messaging;

/// <summary>The shipped templates/broadcasts/ (the playbook's new arrivals, clearance and new beans), in English and Chinese.</summary>
public sealed class BroadcastTemplatesTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 2, 2, 0, 0, TimeSpan.Zero);

    private static RenderedMessage Render(string template, string? locale)
    {
        var templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "templates")), "en"));
        var profile = new CustomerProfile { Id = 1, ExternalId = "mei", Email = "mei@example.com", Name = "Mei Lin", Timezone = "Asia/Shanghai", Locale = locale };
        var customer = new CustomerSnapshot(profile, CustomerStats.FromAggregates(3, 2400m, Now.AddDays(-40), Now.AddDays(-10)), null);
        var model = TemplateModel.For(customer, "broadcast:1", "send", Now, null, new JsonObject(), "https://automation.example/u/x", "CNY", Now);
        return templates.Render($"broadcasts/{template}", "email", model);
    }

    [TestCase("new-arrivals", null, "New this season, picked for you, Mei", "https://shop.example.com/new")]
    [TestCase("new-arrivals", "zh-CN", "Mei，新品到店，先给您看", "查看新品")]
    [TestCase("clearance", null, "Clearance: last sizes at their lowest prices", "https://shop.example.com/clearance")]
    [TestCase("clearance", "zh-CN", "清仓特惠：最后尺码，全年最低价", "去逛清仓")]
    [TestCase("new-beans", null, "New beans are in, Mei", "this season's new beans")]
    [TestCase("new-beans", "zh-CN", "Mei，新豆到了", "本季新豆刚刚烘焙好")]
    public void Each_renders_in_each_locale_with_the_customers_name_and_its_link(string template, string? locale, string subject, string body)
    {
        var message = Render(template, locale);
        message.Subject.Should().Be(subject);
        message.Html.Should().Contain(body).And.Contain("https://automation.example/u/x", "the layout carries the unsubscribe link");
    }
}
