using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Core.Presales;
using Automation.Core.Tiers;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Presales;

/// <summary>The shipped templates/presale-announcement/announce, by email and SMS, in English and Chinese, for an early window and for the opening to all.</summary>
public sealed class PresaleTemplatesTests
{
    private static readonly DateTimeOffset Now = new(2027, 2, 28, 2, 0, 0, TimeSpan.Zero);

    private static readonly Presale Sale = new("new-collection", "The new season collection", "", ["NS-GIFT-BOX"],
        new DateTimeOffset(2027, 3, 1, 10, 0, 0, TimeSpan.FromHours(8)), new DateTimeOffset(2027, 3, 15, 23, 59, 0, TimeSpan.FromHours(8)), 24,
        new Dictionary<string, int>(), AnnounceToEveryone: true);

    private static readonly TierDefinition Gold = new("Gold", 2, 1000, 8, 1.5m, TierPerks.None with { EarlyAccessHours = 24 });

    private static RenderedMessage Render(string channel, string? locale, bool early)
    {
        var templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "templates")), "en"), "示例小店");
        var profile = new CustomerProfile { Id = 1, ExternalId = "mei", Email = "mei@example.com", Name = "Mei Lin", Timezone = "Asia/Shanghai", Locale = locale };
        var customer = new CustomerSnapshot(profile, CustomerStats.FromAggregates(1, 1200m, Now.AddDays(-10), Now.AddDays(-10)), null);
        var trigger = new JsonObject { ["name"] = PresaleAnnouncer.PresaleOpened, ["properties"] = PresaleAnnouncer.Properties(Sale, early ? Gold : null, early) };
        var model = TemplateModel.For(customer, "presale-announcement", "announce", Now, trigger, new JsonObject(), "https://automation.example/u/x", "CNY", Now);
        return templates.Render("presale-announcement/announce", channel, model);
    }

    [Test]
    public void An_early_window_is_announced_with_the_tier_and_the_hours_in_the_customers_time()
    {
        var email = Render("email", null, early: true);
        email.Subject.Should().Be("Early access for Gold members: The new season collection");
        email.Html.Should().Contain("As a Gold member you may shop <strong>The new season collection</strong> from now, 24 hours before everyone else (it opens to all on March 1, 10:00).")
            .And.Contain("The sale runs until March 15, 23:59.");
        Render("sms", null, early: true).Text.Should().Be("Gold early access: The new season collection is open to you now, 24 h before everyone. Reply STOP to opt out.");

        var zh = Render("email", "zh-CN", early: true);
        zh.Subject.Should().Be("Gold会员优先购：The new season collection");
        zh.Html.Should().Contain("比其他顾客提前 24 小时（3月1日 10:00 向所有顾客开放）").And.Contain("活动截止：3月15日 23:59。");
        Render("sms", "zh-CN", early: true).Text.Should().Contain("现已为您开放，比其他顾客提前 24 小时。").And.StartWith("【示例小店】").And.EndWith("回T退订");
    }

    [Test]
    public void The_opening_to_all_is_announced_without_early_words()
    {
        var email = Render("email", null, early: false);
        email.Subject.Should().Be("The new season collection is open");
        email.Html.Should().Contain("is open to everyone from March 1, 10:00.").And.NotContain("before everyone");
        Render("sms", "zh-CN", early: false).Text.Should().Be("【示例小店】The new season collection 现已开售。回T退订");
    }
}
