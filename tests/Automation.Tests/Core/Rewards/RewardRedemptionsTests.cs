using Automation.Core.Coupons;
using Automation.Core.Points;
using Automation.Core.Rewards;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Rewards;

/// <summary>
/// Redeeming and cancelling on both databases and in memory: stock and the per-customer limit are taken and given back
/// once, a refusal rolled back leaves nothing, and a coupon item's code ends when its redemption is cancelled.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class RewardRedemptionsTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private const string Voucher = """
        { "Name": "mall", "Value": { "AmountOff": 10, "Currency": "USD" }, "Validity": { "DaysFromIssue": 30 },
          "Codes": { "Generate": { "Length": 10, "Prefix": "MA-" } } }
        """;

    private EngineHarness _h = null!;
    private RewardRedemptions _redemptions = null!;
    private DirectoryInfo _coupons = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = await EngineHarness.CreateAsync(storage, Start);
        _coupons = Directory.CreateTempSubdirectory("automation-coupons-");
        await File.WriteAllTextAsync(Path.Combine(_coupons.FullName, "mall.json"), Voucher);
        await File.WriteAllTextAsync(Path.Combine(_coupons.FullName, "regulars.json"), Voucher.Replace("\"mall\"", "\"regulars\"").Replace("\"Codes\"", "\"Eligible\": \"stats.OrderCount >= 2\", \"Codes\""));
        var catalog = new CouponCatalog();
        catalog.ReloadFolder(_coupons.FullName).Should().BeEmpty();
        _redemptions = new RewardRedemptions(catalog, new PointsSettings(1m, 12), _h.Tiers);
        await _h.Ingest(Segment.Order("ann", "o1", 3000m, Start.AddDays(-1)));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        _coupons.Delete(recursive: true);
    }

    private static RewardItem Item(RewardKind kind, int points, int? stock = null, int? perCustomer = null) =>
        new($"{kind}".ToLowerInvariant(), "Item", kind, points, 10m, stock, [], perCustomer, RewardLimitPeriod.Month, true, kind == RewardKind.Coupon ? "mall" : null, null);

    private async Task<RewardResult> InTransaction(Func<IJourneyTransaction, long, Task<RewardResult>> work)
    {
        var customer = await _h.Customer("ann");
        await using var tx = await _h.Storage.Ingestion.BeginAsync(CancellationToken.None);
        var result = await work(tx, customer.Profile.Id);
        if (result.Refusal is null) await tx.CommitAsync(CancellationToken.None);
        return result;
    }

    private Task<RewardResult> Redeem(RewardItem item, string key) =>
        InTransaction((tx, id) => _redemptions.RedeemAsync(tx, item, id, key, _h.Clock.GetUtcNow(), CancellationToken.None));

    private Task<RewardResult> Cancel(long redemption) =>
        InTransaction((tx, _) => _redemptions.CancelAsync(tx, redemption, _h.Clock.GetUtcNow(), CancellationToken.None));

    private async Task<long> Balance() => (await _h.Customer("ann")).PointsBalance(_h.Clock.GetUtcNow());

    [Test]
    public async Task Stock_and_the_monthly_limit_are_taken_by_redemptions_and_given_back_once_by_a_cancellation()
    {
        var gift = Item(RewardKind.Gift, 500, stock: 1, perCustomer: 1);
        var first = await Redeem(gift, "k1");
        first.Redemption!.Status.Should().Be(RewardStatuses.Pending);
        first.Events.Should().ContainSingle().Which.Message.EventName.Should().Be(RewardRedemptions.RewardRedeemed);
        (await Redeem(gift, "k2")).Refusal!.Reason.Should().Be(RewardRefusalReason.OutOfStock);
        (await Balance()).Should().Be(2500);

        (await Cancel(first.Redemption.Id)).Redemption!.Status.Should().Be(RewardStatuses.Cancelled);
        (await Cancel(first.Redemption.Id)).Replayed.Should().BeTrue();
        (await Balance()).Should().Be(3000, "the points come back once");
        (await Redeem(gift, "k3")).Refusal.Should().BeNull("the unit and the month's redemption were given back");
        (await Redeem(gift with { Stock = 5 }, "k4")).Refusal!.Reason.Should().Be(RewardRefusalReason.LimitReached);
        (await Balance()).Should().Be(2500);
    }

    [Test]
    public async Task A_coupon_item_issues_a_code_once_per_key_and_cancelling_ends_it()
    {
        var coupon = Item(RewardKind.Coupon, 1000);
        var first = await Redeem(coupon, "k1");
        first.Redemption!.CouponCode.Should().StartWith("MA-");
        var again = await Redeem(coupon, "k1");
        again.Replayed.Should().BeTrue();
        again.Redemption!.CouponCode.Should().Be(first.Redemption.CouponCode);
        (await Redeem(coupon with { Name = "other" }, "k1")).Refusal!.Reason.Should().Be(RewardRefusalReason.KeyUsedForAnotherItem);
        (await Balance()).Should().Be(2000);

        (await Cancel(first.Redemption.Id)).Refusal.Should().BeNull();
        var held = (await _h.Customer("ann")).Coupons.Single(c => c.Code == first.Redemption.CouponCode);
        held.ExpiresAt.Should().Be(_h.Clock.GetUtcNow(), "the unused code ends when its redemption is cancelled");
    }

    [Test]
    public async Task A_coupon_item_whose_campaign_does_not_admit_the_customer_is_refused_before_stock_or_points_are_taken()
    {
        var regulars = Item(RewardKind.Coupon, 1000, stock: 3) with { Campaign = "regulars" };
        var refused = await Redeem(regulars, "k1");
        refused.Refusal!.Reason.Should().Be(RewardRefusalReason.CouponUnavailable);
        refused.Refusal.Detail.Should().Be($"coupon cannot issue its coupon: {CouponEligibility.NotEligible}");
        (await ((IRewardQueries)_h.Storage.Draws).RewardStockTakenAsync(CancellationToken.None)).Should().BeEmpty();
        (await Balance()).Should().Be(3000);
        (await _h.Customer("ann")).Coupons.Should().BeEmpty();

        await _h.Ingest(Segment.Order("ann", "o2", 100m, _h.Clock.GetUtcNow()));
        var admitted = await Redeem(regulars, "k2");
        admitted.Redemption!.CouponCode.Should().StartWith("MA-", "a second order makes the customer a regular");
        (await Balance()).Should().Be(3100 - 1000);
    }

    [Test]
    public async Task Not_enough_points_and_a_disabled_item_are_refused_without_taking_stock()
    {
        (await Redeem(Item(RewardKind.Donation, 5000, stock: 3), "k1")).Refusal!.Reason.Should().Be(RewardRefusalReason.NotEnoughPoints);
        (await Redeem(Item(RewardKind.Donation, 10, stock: 3) with { Enabled = false }, "k2")).Refusal!.Reason.Should().Be(RewardRefusalReason.Disabled);
        (await ((IRewardQueries)_h.Storage.Draws).RewardStockTakenAsync(CancellationToken.None)).Should().BeEmpty();
        (await Balance()).Should().Be(3000);
    }
}
