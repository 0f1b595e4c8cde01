using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Core.Points;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Messaging;

/// <summary>The shipped expiring-points reminders show the points and what they are worth, in the customer's locale.</summary>
public sealed class PointsTemplateTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static TemplateModel Model(string locale, PointsSettings settings)
    {
        var profile = new CustomerProfile { Id = 1, ExternalId = "ann", Name = "Ann Lee", Email = "ann@example.com", Locale = locale, Timezone = "Asia/Shanghai" };
        // 1,500 points: 1,200 lapse on 20 March, 300 a year later.
        var snapshot = new CustomerSnapshot(profile, CustomerStats.None, null)
        {
            PointsLedger =
            [
                new PointsEntry(1, 1200, PointsKinds.Earn, "order a", "order:a", Now.AddMonths(-11), Now.AddDays(10)),
                new PointsEntry(2, 300, PointsKinds.Earn, "order b", "order:b", Now.AddDays(-1), Now.AddMonths(12)),
            ],
        };
        return TemplateModel.For(snapshot, "expiring-points", "reminder", Now.AddHours(-1), null, [], "https://automation.example/u/abc", "CNY", Now, points: settings);
    }

    private static LiquidTemplates Shipped() =>
        new(new TemplateFiles(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "templates")), "en"), "示例小店");

    [Test]
    public void The_chinese_reminder_shows_the_points_their_value_and_the_date()
    {
        var message = Shipped().Render("expiring-points/reminder", "email", Model("zh-CN", new PointsSettings()));

        message.Subject.Should().Be("您有 1200 积分（价值 ¥12.00）即将过期");
        message.Text.Should().Contain("您的 1500 积分（可抵 ¥15.00）").And.Contain("中有 1200 分将于 3月20日 过期，下单时可抵 ¥12.00");
    }

    [Test]
    public void The_english_reminder_values_points_at_the_configured_rate()
    {
        var message = Shipped().Render("expiring-points/reminder", "email", Model("en-US", new PointsSettings { Value = 0.02m }));

        message.Subject.Should().Be("1200 of your points (¥24.00) expire soon");
        message.Text.Should().Contain("All your points are worth ¥30.00").And.Contain("expire on March 20");
    }
}
