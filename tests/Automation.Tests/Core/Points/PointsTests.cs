using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Core.Points;

/// <summary>The points ledger on both databases: earning, reversal, FIFO expiry, redemption under concurrency.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class PointsTests(string provider)
{
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private IngestionService _ingestion = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _clock = new FakeTimeProvider(Start);
        _ingestion = TestIngestion.Service(_db.Storage, TestIngestion.Engine(new JourneyCatalog()), _clock, points: new PointsSettings(1m, 12));
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private Task<IngestOutcome> Ingest(params System.Text.Json.Nodes.JsonObject[] messages) => _ingestion.IngestAsync(Segment.Read(_clock, messages), CancellationToken.None);

    private async Task<IReadOnlyList<PointsEntry>> Ledger(string id)
    {
        var customerId = (await _db.Storage.FindAsync(id, CancellationToken.None))!.Profile.Id;
        await using var tx = await _db.Storage.BeginAsync(CancellationToken.None);
        return await tx.LoadPointsAsync(customerId, CancellationToken.None);
    }

    [Test]
    public async Task Orders_earn_once_and_refunds_give_back_no_more_than_was_earned()
    {
        await Ingest(Segment.Order("ann", "o1", 42.7m, Start));
        await Ingest(Segment.Order("ann", "o1", 42.7m, Start));
        var earned = (await Ledger("ann")).Should().ContainSingle().Subject;
        earned.Points.Should().Be(42);
        earned.Kind.Should().Be(PointsKinds.Earn);
        earned.ExpiresAt.Should().Be(Start.AddMonths(12));

        await Ingest(Segment.Track("ann", "Order Refunded", new { order_id = "o1", total = 10.5 }, Start.AddDays(1)));
        await Ingest(Segment.Track("ann", "Order Refunded", new { order_id = "o1" }, Start.AddDays(2)));
        await Ingest(Segment.Track("ann", "Order Refunded", new { order_id = "o1" }, Start.AddDays(3)));

        (await Ledger("ann")).Select(e => e.Points).Should().Equal(42, -10, -32);
        (await _db.Storage.FindAsync("ann", CancellationToken.None))!.PointsBalance(_clock.GetUtcNow()).Should().Be(0);
    }

    [Test]
    public async Task The_oldest_points_lapse_first_and_only_what_is_left_of_them()
    {
        await Ingest(Segment.Order("bo", "b1", 100m, Start));
        await Ingest(Segment.Order("bo", "b2", 50m, Start.AddMonths(6)));
        var id = (await _db.Storage.FindAsync("bo", CancellationToken.None))!.Profile.Id;
        await using (var tx = await _db.Storage.BeginAsync(CancellationToken.None))
        {
            (await PointsRedemption.RedeemAsync(tx, id, 120, "gift-card", "gift card", Start.AddMonths(7), CancellationToken.None)).Redeemed.Should().BeTrue();
            await tx.CommitAsync(CancellationToken.None);
        }
        var expirer = new PointsExpirer(_db.Storage, _db.Storage, _clock);

        _clock.SetUtcNow(Start.AddMonths(12).AddDays(1));
        (await expirer.ExpireAsync(CancellationToken.None)).Should().Be(0, "the first lot was all spent");
        _clock.SetUtcNow(Start.AddMonths(18).AddDays(1));
        (await expirer.ExpireAsync(CancellationToken.None)).Should().Be(30);
        (await expirer.ExpireAsync(CancellationToken.None)).Should().Be(0, "nothing twice");
        (await _db.Storage.FindAsync("bo", CancellationToken.None))!.PointsBalance(_clock.GetUtcNow()).Should().Be(0);
    }

    [Test]
    public async Task Concurrent_redemptions_never_take_the_balance_below_zero_and_a_repeated_key_returns_the_first_result()
    {
        await Ingest(Segment.Order("cy", "c1", 100m, Start));
        var id = (await _db.Storage.FindAsync("cy", CancellationToken.None))!.Profile.Id;

        async Task<RedemptionResult> Redeem(string key)
        {
            await using var tx = await _db.Storage.BeginAsync(CancellationToken.None);
            var result = await PointsRedemption.RedeemAsync(tx, id, 30, key, "reward", Start, CancellationToken.None);
            if (result.Redeemed) await tx.CommitAsync(CancellationToken.None);
            return result;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Redeem($"k{i}"))));
        results.Count(r => r.Redeemed).Should().Be(3);
        results.Where(r => !r.Redeemed).Should().OnlyContain(r => r.Refusal!.StartsWith("the balance is 10 points"));
        (await _db.Storage.FindAsync("cy", CancellationToken.None))!.PointsBalance(_clock.GetUtcNow()).Should().Be(10);

        var key = results.Select((r, i) => (r, i)).First(x => x.r.Redeemed).i;
        var again = await Redeem($"k{key}");
        again.Replayed.Should().BeTrue();
        again.Points.Should().Be(30);
        (await _db.Storage.FindAsync("cy", CancellationToken.None))!.PointsBalance(_clock.GetUtcNow()).Should().Be(10);
    }

    [Test]
    public async Task An_order_stamped_at_the_end_of_the_calendar_earns_points_that_never_lapse()
    {
        await Ingest(Segment.Identify("far", new { email = "far@example.com" }, Start));
        var id = (await _db.Storage.FindAsync("far", CancellationToken.None))!.Profile.Id;
        var endOfCalendar = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);

        await using (var tx = await _db.Storage.BeginAsync(CancellationToken.None))
        {
            await PointsEarning.OnOrderAsync(tx, id, new OrderCompleted("f1", 40m, "USD", null, 0m, []), endOfCalendar, new PointsSettings(1m, 12), null, null, CancellationToken.None);
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
        await Ingest(Segment.Order("big", "g1", 3_000_000_000m, Start), Segment.Order("big", "g2", 3_000_000_000m, Start.AddMinutes(1)));
        (await Ledger("big")).Select(e => e.Points).Should().Equal(PointsEarning.MaxPerOrder, PointsEarning.MaxPerOrder);

        _clock.SetUtcNow(Start.AddMonths(12).AddDays(1));
        (await new PointsExpirer(_db.Storage, _db.Storage, _clock).ExpireAsync(CancellationToken.None)).Should().Be(2L * int.MaxValue);

        (await Ledger("big")).Where(e => e.Kind == PointsKinds.Expire).Select(e => e.Points).Should().Equal(-int.MaxValue, -int.MaxValue);
        (await _db.Storage.FindAsync("big", CancellationToken.None))!.PointsBalance(_clock.GetUtcNow()).Should().Be(0);
    }
}
