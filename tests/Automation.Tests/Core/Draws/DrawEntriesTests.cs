using Automation.Core.Coupons;
using Automation.Core.Draws;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Draws;

/// <summary>
/// Entering a draw on both databases and in memory, with a known random source: the pick leaves out prizes found out
/// of stock and repeats, every refusal leaves nothing behind once rolled back, and the daily limit counts local days.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class DrawEntriesTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 15, 30, 0, TimeSpan.Zero);

    /// <summary>Always the lowest value: the first prize in stock wins, so each pick is known beforehand.</summary>
    private sealed class LowestValue : IDrawRandom
    {
        public List<int> Ranges { get; } = [];

        public int Below(int range)
        {
            Ranges.Add(range);
            return 0;
        }
    }

    // One code per customer: a second win of the prize is refused by the campaign, not by the draw's stock.
    private const string Voucher = """
        { "Name": "draw-voucher", "Value": { "AmountOff": 5, "Currency": "USD" }, "Validity": { "DaysFromIssue": 30 }, "PerCustomer": 1,
          "Codes": { "Generate": { "Length": 10, "Prefix": "DR-" } } }
        """;

    private EngineHarness _h = null!;
    private LowestValue _random = null!;
    private DrawEntries _entries = null!;
    private DirectoryInfo _coupons = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = await EngineHarness.CreateAsync(storage, Start);
        _random = new LowestValue();
        _coupons = Directory.CreateTempSubdirectory("automation-coupons-");
        await File.WriteAllTextAsync(Path.Combine(_coupons.FullName, "draw-voucher.json"), Voucher);
        var catalog = new CouponCatalog();
        catalog.ReloadFolder(_coupons.FullName).Should().BeEmpty();
        _entries = new DrawEntries(_random, new PointsSettings(1m, 12), catalog, _h.Tiers);
        // 200 points, and a customer whose day starts at 16:00 UTC.
        await _h.Ingest(Segment.Identify("ann", new { timezone = "Asia/Shanghai" }, Start.AddDays(-1)), Segment.Order("ann", "o1", 200m, Start.AddDays(-1)));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        _coupons.Delete(recursive: true);
    }

    private static Draw Draw(int? dailyLimit, params DrawPrize[] prizes) => new("weekly", "", 50, prizes, dailyLimit, null, null, [], "weekly.json");

    private async Task<DrawResult> Enter(Draw draw, string key, string customerId = "ann")
    {
        var customer = await _h.Customer(customerId);
        await using var tx = await _h.Storage.Ingestion.BeginAsync(CancellationToken.None);
        var result = await _entries.EnterAsync(tx, draw, customer.Profile.Id, customer.Profile.Timezone, key, _h.Clock.GetUtcNow(), CancellationToken.None);
        if (result.Refusal is null) await tx.CommitAsync(CancellationToken.None);
        return result;
    }

    private async Task<long> Balance() => (await _h.Customer("ann")).PointsBalance(_h.Clock.GetUtcNow());

    [Test]
    public async Task A_prize_out_of_stock_is_left_out_and_the_pick_repeated_over_the_others()
    {
        var draw = Draw(null, new DrawPrize("ten", PrizeKind.Points, 1, 1, null, 10), new DrawPrize("thanks", PrizeKind.Nothing, 3, null, null, 0));

        var first = await Enter(draw, "k1");
        first.Entry!.Pick.Should().BeEquivalentTo(new DrawPick("ten", PrizeKind.Points, 10, null, 0, 4, []));
        first.Balance.Should().Be(160);

        var second = await Enter(draw, "k2");
        second.Entry!.Pick.Prize.Should().Be("thanks");
        second.Entry.Pick.OutOfStock.Should().Equal("ten");
        second.Entry.Pick.RandomRange.Should().Be(3, "the second pick ran over the prizes still in stock");
        _random.Ranges.Should().Equal(4, 4, 3);
        second.Balance.Should().Be(110);
        (await Balance()).Should().Be(110);
        (await _h.Customer("ann")).PointsLedger.Select(e => (e.Points, e.Kind)).Should().Equal(
            (200, PointsKinds.Earn), (-50, PointsKinds.Redeem), (10, PointsKinds.Award), (-50, PointsKinds.Redeem));
    }

    [Test]
    public async Task A_coupon_prize_is_issued_once_per_entry_and_one_the_campaign_refuses_goes_back_to_stock()
    {
        var draw = Draw(null, new DrawPrize("voucher", PrizeKind.Coupon, 1, 2, "draw-voucher", 0), new DrawPrize("thanks", PrizeKind.Nothing, 1, null, null, 0));

        var first = await Enter(draw, "k1");
        first.Entry!.Pick.Prize.Should().Be("voucher");
        first.Entry.Pick.CouponCode.Should().MatchRegex("^DR-[A-Z0-9]{10}$");
        (await Enter(draw, "k1")).Entry!.Pick.CouponCode.Should().Be(first.Entry.Pick.CouponCode);

        var second = await Enter(draw, "k2");
        second.Entry!.Pick.Prize.Should().Be("thanks", "the campaign gives one code per customer");
        second.Entry.Pick.OutOfStock.Should().Equal("voucher");
        await _h.Ingest(Segment.Order("bob", "b1", 100m, Start));
        (await Enter(draw, "k1", "bob")).Entry!.Pick.Prize.Should().Be("voucher", "the voucher ann's second entry could not take went back to stock");
        (await Enter(draw, "k2", "bob")).Entry!.Pick.OutOfStock.Should().Equal("voucher");
        (await _h.Storage.Draws.DrawTalliesAsync("weekly", CancellationToken.None)).Select(t => (t.Prize, t.Entries)).Should().Equal(("thanks", 2L), ("voucher", 2L));
    }

    [Test]
    public async Task Out_of_stock_rolls_back_the_daily_entry_it_had_claimed()
    {
        var empty = Draw(1, new DrawPrize("ten", PrizeKind.Points, 1, 0, null, 10));
        var refused = await Enter(empty, "k1");
        refused.Refusal!.Reason.Should().Be(DrawRefusalReason.OutOfStock);
        refused.Refusal.Detail.Should().Be("every prize of the draw weekly is out of stock");

        var restocked = Draw(1, new DrawPrize("ten", PrizeKind.Points, 1, 1, null, 10));
        (await Enter(restocked, "k1")).Entry!.Pick.Prize.Should().Be("ten", "neither the key nor the day's entry was kept by the refusal");
        (await Balance()).Should().Be(160);
    }

    [Test]
    public async Task The_daily_limit_counts_the_customers_local_day_and_a_key_replays()
    {
        var draw = Draw(1, new DrawPrize("thanks", PrizeKind.Nothing, 1, null, null, 0));
        var first = await Enter(draw, "k1");
        first.Entry!.Start.LocalDay.Should().Be("2026-03-01");
        var again = await Enter(draw, "k1");
        again.Replayed.Should().BeTrue();
        again.Entry.Should().BeEquivalentTo(first.Entry);

        var limited = await Enter(draw, "k2");
        limited.Refusal!.Reason.Should().Be(DrawRefusalReason.DailyLimitReached);
        limited.Refusal.Detail.Should().Be("the customer has entered the draw weekly 1 time(s) on 2026-03-01, the daily limit");

        // 16:30 UTC is 00:30 the next day in Shanghai, though still 1 March in UTC.
        _h.Clock.Advance(TimeSpan.FromHours(1));
        var nextDay = await Enter(draw, "k2");
        nextDay.Entry!.Start.LocalDay.Should().Be("2026-03-02");
        (await Balance()).Should().Be(100);

        var other = draw with { Name = "monthly" };
        (await Enter(other, "k2")).Refusal!.Reason.Should().Be(DrawRefusalReason.KeyUsedForAnotherDraw);
    }
}
