using Automation.Core.Ingestion;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Points;

/// <summary>The points ledger on both databases and in memory: earning, reversal, FIFO expiry, redemption under concurrency.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class PointsTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);
    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { Points = new PointsSettings(1m, 12) });

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private Task<IIngestTransaction> Begin() => _h.Storage.Ingestion.BeginAsync(CancellationToken.None);

    private async Task<long> IdOf(string id) => (await _h.Customer(id)).Profile.Id;

    private async Task<long> Balance(string id) => (await _h.Customer(id)).PointsBalance(_h.Clock.GetUtcNow());

    private async Task<IReadOnlyList<PointsEntry>> Ledger(string id)
    {
        var customerId = await IdOf(id);
        await using var tx = await Begin();
        return await tx.LoadPointsAsync(customerId, CancellationToken.None);
    }

    [Test]
    public async Task Orders_earn_once_and_refunds_give_back_no_more_than_was_earned()
    {
        await _h.Ingest(Segment.Order("ann", "o1", 42.7m, Start));
        await _h.Ingest(Segment.Order("ann", "o1", 42.7m, Start));
        var earned = (await Ledger("ann")).Should().ContainSingle().Subject;
        earned.Points.Should().Be(42);
        earned.Kind.Should().Be(PointsKinds.Earn);
        earned.ExpiresAt.Should().Be(Start.AddMonths(12));

        await _h.Ingest(Segment.Track("ann", "Order Refunded", new { order_id = "o1", total = 10.5 }, Start.AddDays(1)));
        await _h.Ingest(Segment.Track("ann", "Order Refunded", new { order_id = "o1" }, Start.AddDays(2)));
        await _h.Ingest(Segment.Track("ann", "Order Refunded", new { order_id = "o1" }, Start.AddDays(3)));

        (await Ledger("ann")).Select(e => e.Points).Should().Equal(42, -10, -32);
        (await Balance("ann")).Should().Be(0);
    }

    [Test]
    public async Task The_oldest_points_lapse_first_and_only_what_is_left_of_them()
    {
        await _h.Ingest(Segment.Order("bo", "b1", 100m, Start));
        await _h.Ingest(Segment.Order("bo", "b2", 50m, Start.AddMonths(6)));
        var id = await IdOf("bo");
        await using (var tx = await Begin())
        {
            (await PointsRedemption.RedeemAsync(tx, id, 120, "gift-card", "gift card", Start.AddMonths(7), CancellationToken.None)).Redeemed.Should().BeTrue();
            await tx.CommitAsync(CancellationToken.None);
        }
        var expirer = _h.PointsExpirer;

        _h.Clock.SetUtcNow(Start.AddMonths(12).AddDays(1));
        (await expirer.ExpireAsync(CancellationToken.None)).Should().Be(0, "the first lot was all spent");
        _h.Clock.SetUtcNow(Start.AddMonths(18).AddDays(1));
        (await expirer.ExpireAsync(CancellationToken.None)).Should().Be(30);
        (await expirer.ExpireAsync(CancellationToken.None)).Should().Be(0, "nothing twice");
        (await Balance("bo")).Should().Be(0);
    }

    [Test]
    public async Task Concurrent_redemptions_never_take_the_balance_below_zero_and_a_repeated_key_returns_the_first_result()
    {
        await _h.Ingest(Segment.Order("cy", "c1", 100m, Start));
        var id = await IdOf("cy");

        async Task<RedemptionResult> Redeem(string key)
        {
            await using var tx = await Begin();
            var result = await PointsRedemption.RedeemAsync(tx, id, 30, key, "reward", Start, CancellationToken.None);
            if (result.Redeemed) await tx.CommitAsync(CancellationToken.None);
            return result;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Redeem($"k{i}"))));
        results.Count(r => r.Redeemed).Should().Be(3);
        results.Where(r => !r.Redeemed).Should().OnlyContain(r => r.Refusal!.StartsWith("the balance is 10 points"));
        (await Balance("cy")).Should().Be(10);

        var key = results.Select((r, i) => (r, i)).First(x => x.r.Redeemed).i;
        var again = await Redeem($"k{key}");
        again.Replayed.Should().BeTrue();
        again.Points.Should().Be(30);
        (await Balance("cy")).Should().Be(10);
    }

    [Test]
    public async Task An_order_stamped_at_the_end_of_the_calendar_earns_points_that_never_lapse()
    {
        await _h.Ingest(Segment.Identify("far", new { email = "far@example.com" }, Start));
        var id = await IdOf("far");
        var endOfCalendar = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);

        await using (var tx = await Begin())
        {
            var grant = PointsEarning.ForOrder(id, new OrderCompleted("f1", 40m, "USD", null, 0m, []), endOfCalendar, new PointsSettings(1m, 12), null, default, null);
            await tx.AddPointsAsync([grant!], CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        var earned = (await Ledger("far")).Should().ContainSingle().Subject;
        earned.Points.Should().Be(40);
        earned.ExpiresAt.Should().Be(DateTimeOffset.MaxValue);
        PointsExpiry.Lapsed(await Ledger("far"), endOfCalendar).Should().Be(0);
    }

    [Test]
    public async Task More_than_an_entry_holds_lapsing_at_once_is_written_off_in_several_entries()
    {
        await _h.Ingest(Segment.Order("big", "g1", 3_000_000_000m, Start), Segment.Order("big", "g2", 3_000_000_000m, Start.AddMinutes(1)));
        (await Ledger("big")).Select(e => e.Points).Should().Equal(PointsEarning.MaxPerOrder, PointsEarning.MaxPerOrder);

        _h.Clock.SetUtcNow(Start.AddMonths(12).AddDays(1));
        (await _h.PointsExpirer.ExpireAsync(CancellationToken.None)).Should().Be(2L * int.MaxValue);

        (await Ledger("big")).Where(e => e.Kind == PointsKinds.Expire).Select(e => e.Points).Should().Equal(-int.MaxValue, -int.MaxValue);
        (await Balance("big")).Should().Be(0);
    }
}
