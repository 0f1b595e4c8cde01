using Automation.Core.Analytics;
using Automation.Core.Points;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>
/// The loyalty figures and the tier-at-start grouping over <see cref="LoyaltyWorkedExample"/>, on both databases;
/// every expected number is worked out by hand in the comments from the rows the example inserts.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class LoyaltyStoreTests(string provider)
{
    private TestDatabase _db = null!;

    [OneTimeSetUp]
    public async Task Seed()
    {
        _db = await TestDatabase.CreateAsync(provider);
        await LoyaltyWorkedExample.SeedAsync(_db.Storage);
    }

    [OneTimeTearDown]
    public async Task Drop() => await _db.DisposeAsync();

    private static LoyaltyQuery January => new(LoyaltyWorkedExample.From, LoyaltyWorkedExample.To, LoyaltyWorkedExample.AsOf);

    [Test]
    public async Task Returning_orders_and_revenue_are_those_of_customers_who_had_ordered_before()
    {
        var figures = await _db.Storage.LoadLoyaltyAsync(January, CancellationToken.None);

        // Counted January orders: a2 80, a3 50 − 10 refunded = 40, b1 200, c2 70, e2 40, e3 40, f2 40, g1 40, g2 40
        // (b2 is refunded in full, d1 is in February): 9 orders, 590 revenue. Returning: a2, a3 (a1 in December), e2, e3
        // (e1 in December), f2 (f1 in May), g2 (g1 the day before): 6 orders, 80 + 40 × 5 = 280. b1 and g1 are first
        // orders; so is c2, because c's only earlier order was refunded in full.
        figures.Orders.Should().Be(9);
        figures.ReturningOrders.Should().Be(6);
        figures.Revenue.Should().Be(590m);
        figures.ReturningRevenue.Should().Be(280m);
    }

    [Test]
    public async Task Outstanding_points_follow_the_ledger_first_in_first_out_and_lapse_with_their_lot()
    {
        var figures = await _db.Storage.LoadLoyaltyAsync(January, CancellationToken.None);

        // Balance on 1 February (the period's end, before the report's time):
        //   a: 100 (lapsed 10 Jan) + 80 − 30 redeemed = 150 in the ledger; the 30 come out of the oldest lot, whose other
        //      70 lapsed without being written off yet: 150 − 70 = 80.
        //   b: 200 + 60 − 60 reversed = 200 (the 50 redeemed on 10 February is after the balance date).
        //   c: 50 awarded, written off as expired in December, + 70 − 20 redeemed + 20 restored = 70; deductions 70 use
        //      up the lapsed award first (50), so nothing of it is left to lapse: 70.
        //   d: 40 − 40 written off = 0.
        // 80 + 200 + 70 + 0 = 350.
        figures.OutstandingPoints.Should().Be(350);
        // Earned in January: a 80, b 200 + 60 − 60, c 70 = 350. Redeemed: a 30, c 20 − 20 restored = 30 (b's is in
        // February). Expired: d's 40 on 6 January (c's was in December).
        figures.PointsEarned.Should().Be(350);
        figures.PointsRedeemed.Should().Be(30);
        figures.PointsExpired.Should().Be(40);
        // Members: a, b, c, d earned or were awarded points by 1 February; a and c had redeemed (c's later cancelled).
        figures.PointsMembers.Should().Be(4);
        figures.Redeemers.Should().Be(2);
    }

    [Test]
    public async Task The_balance_is_taken_at_the_report_time_when_the_period_has_not_ended()
    {
        // Period January to April, report on 1 March: the balance is taken on 1 March, so b's 50 redeemed on 10 February
        // counts (200 − 50 = 150) and nothing else in the ledger moves: 80 + 150 + 70 + 0 = 300; redeemed 30 + 50 = 80.
        // Orders to 1 March add d1 (3 February, 90), a first order: 10 orders, still 6 returning, 590 + 90 = 680.
        var figures = await _db.Storage.LoadLoyaltyAsync(new LoyaltyQuery(LoyaltyWorkedExample.From, LoyaltyWorkedExample.Day(2026, 4, 1), LoyaltyWorkedExample.AsOf),
            CancellationToken.None);

        figures.OutstandingPoints.Should().Be(300);
        figures.PointsRedeemed.Should().Be(80);
        (figures.Orders, figures.ReturningOrders, figures.Revenue).Should().Be((10, 6, 680m));
    }

    [Test]
    public async Task Outstanding_points_are_the_sum_of_every_customers_balance_as_checkout_computes_it()
    {
        // A random ledger per customer: lots of earned points with their expiry, redemptions, reversals, restores and
        // write-offs in any order. The SQL must agree with PointsExpiry.Balance, the first-in-first-out rule checkout
        // and templates use, summed over customers: an independent computation of the same definition.
        await using var db = await TestDatabase.CreateAsync(provider);
        var random = new Random(20261204);
        var start = LoyaltyWorkedExample.Day(2025, 1, 1);
        var at = LoyaltyWorkedExample.Day(2026, 1, 1);
        var ledgers = new List<List<PointsEntry>>();
        await using (var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None))
        {
            var id = 0L;
            for (var c = 0; c < 40; c++)
            {
                var customer = await connection.QuerySingleAsync<long>("INSERT INTO customers (external_id, created_at, updated_at) VALUES (@name, @start, @start) RETURNING id",
                    new { name = $"r{c}", start });
                var entries = new List<PointsEntry>();
                var held = 0;
                for (var k = random.Next(1, 9); k > 0; k--)
                {
                    var created = start.AddHours(random.Next(0, 24 * 500));
                    var earn = held == 0 || random.NextDouble() < 0.55;
                    var points = earn ? random.Next(1, 300) : -random.Next(1, held + 1);
                    held += points;
                    var kind = earn ? (random.NextDouble() < 0.2 ? "restore" : "earn") : random.NextDouble() switch { < 0.6 => "redeem", < 0.8 => "reverse", _ => "expire" };
                    DateTimeOffset? expires = earn ? created.AddDays(random.Next(30, 400)) : null;
                    entries.Add(new PointsEntry(++id, points, kind, "random", $"r{id}", created, expires));
                    await connection.ExecuteAsync("""
                        INSERT INTO points_ledger (customer_id, points, reason, source_key, created_at, kind, expires_at)
                        VALUES (@customer, @points, 'random', @key, @created, @kind, @expires)
                        """, new { customer, points, key = $"r{id}", created, kind, expires });
                }
                ledgers.Add(entries);
            }
        }

        var figures = await db.Storage.LoadLoyaltyAsync(new LoyaltyQuery(start, at, LoyaltyWorkedExample.AsOf), CancellationToken.None);

        var expected = ledgers.Sum(entries => PointsExpiry.Balance([.. entries.Where(e => e.CreatedAt < at)], at));
        expected.Should().BePositive();
        ledgers.SelectMany(e => e).Should().Contain(e => e.ExpiresAt <= at, "lots must lapse for the rule to be tested");
        figures.OutstandingPoints.Should().Be(expected);
    }

    [Test]
    public async Task Repurchase_by_tier_groups_by_the_tier_held_when_the_window_opened_not_today()
    {
        var query = new RepurchaseQuery(LoyaltyWorkedExample.From, LoyaltyWorkedExample.To, 30, RepurchaseSegment.Tier, LoyaltyWorkedExample.BaseTier, LoyaltyWorkedExample.AsOf);
        var figures = await _db.Storage.LoadRepurchaseAsync(query, CancellationToken.None);

        // Anchors (first counted January order) and the tier just before it:
        //   a 5 Jan, no change ever → bronze, a3 on 20 Jan repurchases.     b 10 Jan → bronze, b2 refunded in full: no.
        //   c 15 Jan → bronze, no.     e 5 Jan, upgraded to gold on 20 Jan by the repurchase itself → bronze, yes.
        //   f 10 Jan, gold since 15 Dec → gold, no.     g 8 Jan, first placed in bronze at that very order → bronze, g2 yes.
        // bronze 3 of 5, gold 0 of 1. By today's tier it would read gold 1 of 2 (e, f) and silver 1 of 1 (g): the circular figure.
        figures.Groups.Select(g => (g.Name, g.Customers, g.Repurchased)).Should().BeEquivalentTo([("bronze", 5L, 3L), ("gold", 1L, 0L)]);
    }

    [Test]
    public async Task Members_and_non_members_are_compared_among_returning_customers()
    {
        var query = new RepurchaseQuery(LoyaltyWorkedExample.From, LoyaltyWorkedExample.To, 30, RepurchaseSegment.Member, LoyaltyWorkedExample.BaseTier, LoyaltyWorkedExample.AsOf);
        var figures = await _db.Storage.LoadRepurchaseAsync(query, CancellationToken.None);

        // Returning customers: a, e (bronze at their anchor: non-members, both repurchased) and f (gold: a member, no
        // repurchase). b, c and g are new and left out.
        figures.Groups.Select(g => (g.Name, g.Customers, g.Repurchased)).Should().BeEquivalentTo([("member", 1L, 0L), ("non-member", 2L, 2L)]);
    }
}
