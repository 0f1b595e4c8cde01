using Automation.Core.Coupons;
using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Referrals;
using Automation.Core.Storage;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Storage;

/// <summary>Referral codes attribute new customers, first orders are noted, and rewards are paid once after the refund window: in memory, on SQLite and on PostgreSQL.</summary>
[TestFixture(EngineHarness.Memory)]
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class ReferralTests(string provider)
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly ReferralCodes Codes = new(new byte[32]);

    private TestDatabase? _db;
    private IIngestionStore _store = null!;
    private FakeTimeProvider _clock = null!;
    private IngestionService _ingestion = null!;
    private ReferralRewarder _rewarder = null!;

    [SetUp]
    public async Task SetUp()
    {
        _clock = new FakeTimeProvider(Start);
        _store = provider == EngineHarness.Memory ? new InMemoryStorage() : (_db = await TestDatabase.CreateAsync(provider)).Storage;
        (_ingestion, _rewarder) = Node(_store, _clock);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_db is not null) await _db.DisposeAsync();
    }

    /// <summary>
    /// Ingestion and the rewarder on a storage, with the shipped referral program (500 points after 14 days) or the
    /// program file given and the coupon campaigns of a folder.
    /// </summary>
    internal static (IngestionService Ingestion, ReferralRewarder Rewarder) Node(IIngestionStore store, TimeProvider clock, string? programFile = null, string? couponFolder = null)
    {
        var coupons = new CouponCatalog();
        if (couponFolder is not null) coupons.ReloadFolder(couponFolder).Should().BeEmpty();
        var program = new ReferralCatalog(coupons);
        program.ReloadFile(programFile ?? Path.Combine(ServerProcess.RepositoryRoot(), "rules", "referrals.json")).Should().BeEmpty();
        var tiers = new TierCatalog();
        var journeys = new JourneyEngine(new JourneyCatalog(), coupons, NullLogger<JourneyEngine>.Instance, new PointsSettings(), tiers);
        var ingestion = new IngestionService(store, journeys, TestIngestion.Tags(new TagCatalog()), clock, new TierEngine(tiers), new PointsSettings(), new ReferralIntake(Codes));
        return (ingestion, new ReferralRewarder(store, program, coupons, journeys, new PointsSettings(), clock, tiers));
    }

    private Task<IngestOutcome> Ingest(params System.Text.Json.Nodes.JsonObject[] messages) => _ingestion.IngestAsync(Segment.Read(_clock, messages), CancellationToken.None);

    private async Task<CustomerSnapshot> Customer(string id) => (await ((ICustomerStore)_store).FindAsync(id, CancellationToken.None))!;

    private async Task<string> CodeOf(string id) => Codes.CodeFor((await Customer(id)).Profile.Id);

    private static long Balance(CustomerSnapshot customer, DateTimeOffset now) => customer.PointsBalance(now);

    [Test]
    public async Task A_friend_who_signs_up_with_a_code_and_keeps_a_first_order_earns_the_referrer_500_points_once_after_14_days()
    {
        await Ingest(Segment.Identify("ann", new { name = "Ann" }));
        await Ingest(Segment.Identify("bob", new { referral = await CodeOf("ann") }));
        (await Customer("bob")).ReferredBy.Should().Be("ann");
        (await Customer("ann")).Referrals.Should().Be(0);

        await Ingest(Segment.Track("bob", "Order Completed", new { order_id = "b1", total = 80 }));
        await Ingest(Segment.Track("bob", "Order Completed", new { order_id = "b2", total = 20 }));
        (await Customer("ann")).Referrals.Should().Be(1);
        var before = Balance(await Customer("ann"), _clock.GetUtcNow());

        _clock.Advance(TimeSpan.FromDays(13));
        (await _rewarder.PayDueAsync(CancellationToken.None)).Should().Be(0);
        _clock.Advance(TimeSpan.FromDays(1));
        (await _rewarder.PayDueAsync(CancellationToken.None)).Should().Be(1);
        (await _rewarder.PayDueAsync(CancellationToken.None)).Should().Be(0);
        var ann = await Customer("ann");
        (Balance(ann, _clock.GetUtcNow()) - before).Should().Be(500);
        ann.PointsLedger.Should().ContainSingle(e => e.SourceKey.StartsWith("referral:", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_coupon_reward_goes_only_to_referrers_its_campaigns_eligibility_admits()
    {
        var rules = Directory.CreateTempSubdirectory("automation-referrals-");
        try
        {
            Directory.CreateDirectory(Path.Combine(rules.FullName, "coupons"));
            await File.WriteAllTextAsync(Path.Combine(rules.FullName, "coupons", "thanks.json"), """
                { "Name": "thanks", "Value": { "AmountOff": 5, "Currency": "CNY" }, "Eligible": "customer.Trait(\"vip\") == \"yes\"",
                  "Codes": { "Generate": { "Length": 10, "Prefix": "TY-" } } }
                """);
            await File.WriteAllTextAsync(Path.Combine(rules.FullName, "referrals.json"), """
                { "Link": "https://shop.example.com/?ref={code}", "RefundWindowDays": 14, "Reward": { "Coupon": "thanks" } }
                """);
            (_ingestion, _rewarder) = Node(_store, _clock, Path.Combine(rules.FullName, "referrals.json"), Path.Combine(rules.FullName, "coupons"));
        }
        finally
        {
            rules.Delete(recursive: true);
        }
        await Ingest(Segment.Identify("ann", new { vip = "yes" }), Segment.Identify("eve", new { vip = "no" }));
        await Ingest(Segment.Identify("bob", new { referral = await CodeOf("ann") }), Segment.Identify("fay", new { referral = await CodeOf("eve") }));
        await Ingest(Segment.Track("bob", "Order Completed", new { order_id = "b1", total = 80 }), Segment.Track("fay", "Order Completed", new { order_id = "f1", total = 80 }));

        _clock.Advance(TimeSpan.FromDays(14));
        (await _rewarder.PayDueAsync(CancellationToken.None)).Should().Be(2);
        (await Customer("ann")).Coupons.Should().ContainSingle().Which.Code.Should().StartWith("TY-");
        (await Customer("eve")).Coupons.Should().BeEmpty();
    }

    [Test]
    public async Task A_refunded_first_order_earns_nothing_and_only_new_customers_other_than_the_referrer_are_attributed()
    {
        await Ingest(Segment.Identify("ann", new { }), Segment.Track("old", "Order Completed", new { order_id = "o1", total = 10 }));
        var code = await CodeOf("ann");
        await Ingest(Segment.Identify("cat", new { referral = code }), Segment.Identify("old", new { referral = code }), Segment.Identify("ann", new { referral = code }));
        await Ingest(Segment.Identify("dan", new { referral = "NOT-A-REAL-CODE" }));
        (await Customer("cat")).ReferredBy.Should().Be("ann");
        (await Customer("old")).ReferredBy.Should().BeNull();
        (await Customer("ann")).ReferredBy.Should().BeNull();
        (await Customer("dan")).ReferredBy.Should().BeNull();

        var bea = await CodeOf("old");
        await Ingest(Segment.Identify("cat", new { referral = bea }));
        (await Customer("cat")).ReferredBy.Should().Be("ann", "the first attribution wins");

        await Ingest(Segment.Track("cat", "Order Completed", new { order_id = "c1", total = 30 }));
        await Ingest(Segment.Track("cat", "Order Refunded", new { order_id = "c1" }));
        _clock.Advance(TimeSpan.FromDays(15));
        (await _rewarder.PayDueAsync(CancellationToken.None)).Should().Be(1);
        (await Customer("ann")).PointsLedger.Should().NotContain(e => e.SourceKey.StartsWith("referral:", StringComparison.Ordinal));
    }
}
