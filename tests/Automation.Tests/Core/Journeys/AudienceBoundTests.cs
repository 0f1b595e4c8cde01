using Automation.Core.Journeys;
using Automation.Server.Jobs;
using Automation.Tests.Support;
using RulesEngine.Models;

namespace Automation.Tests.Core.Journeys;

/// <summary>
/// The bound read off an audience's expression: what storage selects by before the audience is evaluated. Each
/// comparison it understands narrows it, loosened by a day where time is involved (by a minute for time in the journey,
/// which only steps and exits bound); anything else leaves everyone in.
/// That it never leaves out a customer the audience selects is <see cref="Storage.AudienceCandidatesTests"/>' part.
/// </summary>
public sealed class AudienceBoundTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    [TestCase("stats.OrderCount > 2", "orders >= 3")]
    [TestCase("stats.OrderCount >= 2", "orders >= 2")]
    [TestCase("stats.OrderCount == 4", "orders >= 4")]
    [TestCase("2 < stats.OrderCount", "orders >= 3")]
    [TestCase("stats.OrderCount > 0.5", "orders >= 1")]
    [TestCase("stats.OrderCount >= 0", "everyone")]
    [TestCase("stats.OrderCount <= 3", "everyone")]
    [TestCase("stats.OrderCount != 0", "everyone")]
    [TestCase("stats.DaysSinceLastOrder >= 60", "last order <= 2026-09-20T10:05:00Z")]
    [TestCase("stats.DaysSinceLastOrder > 1", "last order <= 2026-11-17T10:05:00Z")]
    [TestCase("stats.DaysSinceLastOrder >= 0", "everyone")]
    [TestCase("customer.PointsExpiring > 0", "points expiring > 2026-11-17T10:05:00Z")]
    [TestCase("customer.PointsExpiringInDays >= 5", "points expiring > 2026-11-22T10:05:00Z")]
    [TestCase("customer.PointsExpiringInDays <= 14", "everyone")]
    [TestCase("customer.PointsExpiring > 0 && customer.PointsExpiringInDays <= 14", "points expiring between 2026-11-17T10:05:00Z and 2026-12-04T10:05:00Z")]
    [TestCase("customer.PointsExpiringInDays >= 2 && customer.PointsExpiringInDays < 5", "points expiring between 2026-11-19T10:05:00Z and 2026-11-24T10:05:00Z")]
    [TestCase("customer.CouponExpiringInDays >= 0 && customer.CouponExpiringInDays <= 3", "coupon expiring between 2026-11-17T10:05:00Z and 2026-11-23T10:05:00Z")]
    [TestCase("customer.CouponExpiringHeldDays >= 4", "coupon expiring > 2026-11-17T10:05:00Z issued <= 2026-11-15T10:05:00Z")]
    [TestCase("customer.CouponExpiringInDays == 2", "coupon expiring between 2026-11-19T10:05:00Z and 2026-11-22T10:05:00Z")]
    [TestCase("stats.OrderCount >= 2 && stats.OrderCount <= 1 || now.IsBirthday", "(orders >= 2 or birthday on 11-17, 11-18, 11-19)")]
    [TestCase("customer.CouponExpiringInDays >= 0", "coupon expiring > 2026-11-17T10:05:00Z")]
    [TestCase("now.IsBirthday", "birthday on 11-17, 11-18, 11-19")]
    [TestCase("now.IsBirthday == true", "birthday on 11-17, 11-18, 11-19")]
    [TestCase("!now.IsBirthday", "everyone")]
    [TestCase("customer.Tier != \"\"", "in a tier")]
    [TestCase("customer.Tier == \"Gold\"", "in a tier")]
    [TestCase("customer.Tier == \"\"", "everyone")]
    [TestCase("stats.TotalSpent > 100", "everyone")]
    [TestCase("stats.OrderCount > 2 && stats.TotalSpent > 100", "orders >= 3")]
    [TestCase("stats.OrderCount > 2 || stats.TotalSpent > 100", "everyone")]
    [TestCase("stats.OrderCount > 2 || now.IsBirthday", "(orders >= 3 or birthday on 11-17, 11-18, 11-19)")]
    [TestCase("stats.OrderCount > 2 && (customer.Tier != \"\" || customer.PointsExpiring > 0) && stats.DaysSinceLastOrder >= 30",
        "((in a tier or points expiring > 2026-11-17T10:05:00Z) and orders >= 3 and last order <= 2026-10-20T10:05:00Z)")]
    [TestCase("!(stats.OrderCount > 2) && now.IsBirthday", "birthday on 11-17, 11-18, 11-19")]
    [TestCase("(stats.OrderCount > 2 ? 1 : 0) == 1", "everyone")]
    [TestCase("true", "everyone")]
    [TestCase("journey.HoursSinceEntry >= 24", "entered <= 2026-11-17T10:06:00Z")]
    [TestCase("journey.HoursSinceEntry > 1.5 && cart.ItemCount > 0", "entered <= 2026-11-18T08:36:00Z")]
    [TestCase("journey.DaysSinceEntry >= 3 && stats.OrderCount < 2", "entered <= 2026-11-15T10:06:00Z")]
    [TestCase("2 <= journey.DaysSinceEntry", "entered <= 2026-11-16T10:06:00Z")]
    [TestCase("journey.HoursSinceEntry >= 0", "entered <= 2026-11-18T10:06:00Z")]
    [TestCase("journey.HoursSinceEntry < 24", "everyone")]
    [TestCase("journey.HoursSinceEntry >= -1", "everyone")]
    [TestCase("journey.HoursSinceLastStep >= 24", "everyone")]
    [TestCase("journey.DaysSinceEntry >= 1000000", "everyone")]
    [TestCase("journey.DaysSinceEntry >= 7 || stats.DaysSinceLastOrder >= 90", "(entered <= 2026-11-11T10:06:00Z or last order <= 2026-08-21T10:05:00Z)")]
    public void An_expression_is_bounded_by_what_its_comparisons_imply(string expression, string bound) =>
        CompiledRule.Compile("audience", expression, []).Bound(Now).ToString().Should().Be(bound);

    [Test]
    public void A_param_that_holds_a_constant_counts_as_one()
    {
        ScopedParam[] parameters = [new() { Name = "dormantDays", Expression = "90" }, new() { Name = "vip", Expression = "stats.OrderCount > 5" }];

        CompiledRule.Compile("audience", "stats.DaysSinceLastOrder >= dormantDays && vip", parameters).Bound(Now).ToString()
            .Should().Be("last order <= 2026-08-21T10:05:00Z", "a param that is itself a condition is not read through");
    }

    [Test]
    public void A_birthday_on_29_February_is_looked_for_on_the_28th()
    {
        var rule = CompiledRule.Compile("audience", "now.IsBirthday", []);

        rule.Bound(new DateTimeOffset(2027, 3, 1, 3, 0, 0, TimeSpan.Zero)).ToString().Should().Be("birthday on 02-28, 03-01, 03-02, 02-29");
        rule.Bound(new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero)).ToString().Should().Be("birthday on 12-30, 12-31, 01-01");
    }

    [Test]
    public void Every_shipped_scanned_or_scheduled_audience_is_narrower_than_everyone()
    {
        var catalog = new JourneyCatalog();
        catalog.Reload(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "rules")),
            new JourneyReadOptions(JourneyReadOptions.DefaultChannels, null, new QuartzCronSchedule().Problem));
        var bounds = catalog.Current.Running.Where(j => j.Trigger is ScanTrigger or ScheduleTrigger)
            .ToDictionary(j => j.Name, j => catalog.Current.Compiled(j.Name).Trigger!.Bound(Now).ToString());

        bounds.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["win-back"] = "(orders >= 1 and last order <= 2026-09-20T10:05:00Z)",
            ["expiring-points"] = "points expiring between 2026-11-17T10:05:00Z and 2026-12-04T10:05:00Z",
            ["expiring-coupons"] = "coupon expiring between 2026-11-17T10:05:00Z and 2026-11-23T10:05:00Z issued <= 2026-11-15T10:05:00Z",
            ["birthday"] = "birthday on 11-17, 11-18, 11-19",
            ["member-day"] = "in a tier",
        });
    }
}
