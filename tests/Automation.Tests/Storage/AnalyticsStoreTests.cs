using System.Diagnostics;
using Automation.Core.Analytics;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>
/// The report SQL against the generated history, on both databases. Every expectation comes from
/// <see cref="AnalyticsDataset"/>'s LINQ over the in-memory history, not from the database.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class AnalyticsStoreTests(string provider)
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private AnalyticsDataset _data = null!;

    [OneTimeSetUp]
    public async Task LoadHistory()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _data = AnalyticsDataset.Generate();
        var load = Stopwatch.StartNew();
        await _data.LoadAsync(_db.Storage);
        TestContext.Progress.WriteLine($"{provider}: loaded {_data.Orders.Count} orders and {_data.Messages.Count} messages in {load.ElapsedMilliseconds} ms");
    }

    [OneTimeTearDown]
    public async Task Drop() => await _db.DisposeAsync();

    private static RepurchaseQuery Query(RepurchaseSegment? segment = null, int within = 90, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        new(from ?? From, to ?? To, within, segment, AnalyticsDataset.BaseTier, AnalyticsDataset.AsOf);

    [Test]
    public void The_history_exercises_every_rule()
    {
        // Guards the generator: without these the tests below would pass on a history that proves little.
        _data.Orders.Should().Contain(o => o.FullyRefunded).And.Contain(o => o.Refunded > 0 && !o.FullyRefunded).And.Contain(o => o.CompletedAt == null);
        _data.Messages.Select(m => m.Status).Distinct().Should().Contain(["sent", "delivered", "failed", "queued", "holdout"]);
        var q = Query();
        _data.ExpectedGroups(q).Select(g => g.Name).Should().Equal("new", "returning");
        _data.ExpectedGroups(q).Should().OnlyContain(g => g.Customers > 20 && g.Repurchased > 5 && g.Repurchased < g.Customers && g.StillOpen > 0);
    }

    [TestCase(null, 90)]
    [TestCase(RepurchaseSegment.New, 90)]
    [TestCase(RepurchaseSegment.Returning, 30)]
    [TestCase(RepurchaseSegment.Tier, 90)]
    [TestCase(RepurchaseSegment.Tag, 60)]
    [TestCase(RepurchaseSegment.Member, 90)]
    public async Task Repurchase_groups_match_the_history(RepurchaseSegment? segment, int within)
    {
        var q = Query(segment, within);
        var figures = await _db.Storage.LoadRepurchaseAsync(q, CancellationToken.None);

        ShouldMatch(figures.Overall, _data.ExpectedOverall(q));
        var expected = _data.ExpectedGroups(q);
        figures.Groups.Select(g => g.Name).Should().BeEquivalentTo(expected.Select(g => g.Name));
        foreach (var group in expected) ShouldMatch(figures.Groups.Single(g => g.Name == group.Name), group);
        // Guards the history: every tier and both membership groups are there to be miscounted.
        if (segment == RepurchaseSegment.Tier) expected.Select(g => g.Name).Should().BeEquivalentTo([AnalyticsDataset.BaseTier, "silver", "gold"]);
        if (segment == RepurchaseSegment.Member) expected.Select(g => g.Name).Should().BeEquivalentTo(["member", "non-member"]);
    }

    [TestCase(90)]
    [TestCase(30)]
    public async Task Repurchase_per_first_order_month_matches_the_history_and_sums_to_the_headline(int within)
    {
        var q = Query(within: within, from: new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var figures = await _db.Storage.LoadRepurchaseAsync(q, CancellationToken.None);

        var expected = _data.ExpectedCohortRepurchases(q);
        expected.Should().HaveCount(16).And.Contain(c => c.Repurchased > 0);
        figures.CohortRepurchases.Should().Equal(expected);
        figures.CohortRepurchases.Select(c => (c.Customers, c.Repurchased, c.StillOpen)).Aggregate((a, b) => (a.Customers + b.Customers, a.Repurchased + b.Repurchased, a.StillOpen + b.StillOpen))
            .Should().Be((figures.Overall.Customers, figures.Overall.Repurchased, figures.Overall.StillOpen));
        figures.Overall.IntervalHistogram.Sum().Should().Be(figures.Overall.Intervals);
        figures.Overall.IntervalHistogram.Should().Contain(n => n > 0).And.HaveCount(8);
    }

    [Test]
    public async Task Cohort_retention_revenue_and_ltv_inputs_match_the_history()
    {
        var q = Query(from: new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var figures = await _db.Storage.LoadRepurchaseAsync(q, CancellationToken.None);

        var expectedCells = _data.ExpectedCells(q);
        expectedCells.Select(c => c.Cohort).Distinct().Should().HaveCount(16);
        figures.Cells.Select(c => (c.Cohort, c.Age, c.Customers)).Should().Equal(expectedCells.Select(c => (c.Cohort, c.Age, c.Customers)));
        figures.Cells.Zip(expectedCells).Should().OnlyContain(p => Math.Abs(p.First.Revenue - p.Second.Revenue) < 0.001m);

        var expectedLtv = _data.ExpectedLtv(q);
        figures.Ltv.Select(l => (l.Cohort, l.Customers, l.Orders)).Should().Equal(expectedLtv.Select(l => (l.Cohort, l.Customers, l.Orders)));
        foreach (var (actual, expected) in figures.Ltv.Zip(expectedLtv))
        {
            actual.Revenue.Should().BeApproximately(expected.Revenue, 0.001m);
            actual.ExposureDays.Should().BeApproximately(expected.ExposureDays, 1e-6);
        }
    }

    [TestCase(7, null)]
    [TestCase(3, "win-back")]
    public async Task Attribution_matches_last_touch_over_the_history(int within, string? journey)
    {
        var q = new AttributionQuery(new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero), To, within, journey);
        var actual = await _db.Storage.LoadAttributionAsync(q, CancellationToken.None);

        var expected = _data.ExpectedAttribution(q);
        expected.Should().Contain(f => f.Variant == "holdout" && f.Conversions > 0).And.Contain(f => f.Variant == null || journey != null);
        actual.Select(f => (f.Journey, f.Step, f.Variant, f.Messages, f.Conversions))
            .Should().BeEquivalentTo(expected.Select(f => (f.Journey, f.Step, f.Variant, f.Messages, f.Conversions)));
        foreach (var e in expected)
            actual.Single(a => a.Journey == e.Journey && a.Step == e.Step && a.Variant == e.Variant).Revenue.Should().BeApproximately(e.Revenue, 0.001m);
    }


    private static void ShouldMatch(GroupFigures actual, GroupFigures expected)
    {
        actual.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering().Excluding(g => g.MedianIntervalDays).Excluding(g => g.MeanIntervalDays));
        Close(actual.MedianIntervalDays, expected.MedianIntervalDays);
        Close(actual.MeanIntervalDays, expected.MeanIntervalDays);
    }

    private static void Close(double? actual, double? expected)
    {
        if (expected is null) actual.Should().BeNull();
        else actual.Should().BeApproximately(expected.Value, 1e-6);
    }
}
