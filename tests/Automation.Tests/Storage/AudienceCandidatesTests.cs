using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>
/// The scheduler reads only the customers storage selects by an audience's bound, less its recent entries, so that
/// selection must never leave out a customer the audience would enter. Random customers — orders (some stamped ahead
/// of the clock), tiers, points lots and redemptions, coupons (redeemed, without expiry, expiring on the hour), birthdays
/// (29 February too) in zones a day apart, entries before and after each re-entry wait — are screened against the
/// shipped scanned and scheduled audiences at several moments and compared with evaluating every customer whole.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class AudienceCandidatesTests(string provider)
{
    private static readonly DateTimeOffset Base = new(2026, 2, 27, 10, 5, 0, TimeSpan.Zero);
    private static readonly string?[] Zones = [null, "UTC", "Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"];
    private static readonly string[] Audiences = ["win-back", "expiring-points", "expiring-coupons", "birthday", "member-day"];
    private static readonly CancellationToken None = CancellationToken.None;

    [Test]
    public async Task No_customer_an_audience_selects_is_left_out_and_most_others_are_never_read()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var catalog = TestIngestion.ShippedJourneys();
        var journeys = Audiences.Select(name => catalog.Current.Find(name)!).ToList();
        var ids = await SeedAsync(db.Storage, new Random(20261205), 400);
        var engine = TestIngestion.Engine(catalog);
        var snapshots = (await db.Storage.SnapshotsAsync(ids, SnapshotParts.All, None)).ToDictionary(s => s.Profile.Id);
        await using var connection = await db.Storage.OpenConnectionAsync(None);
        var entries = (await connection.QueryAsync<(long CustomerId, string Journey, DateTimeOffset EnteredAt)>(
            "SELECT customer_id, journey, entered_at FROM journey_instances")).ToLookup(e => (e.CustomerId, e.Journey), e => e.EnteredAt);

        var checkedSome = 0;
        foreach (var now in new[] { Base, Base.AddHours(14), Base.AddDays(1), Base.AddDays(2).AddMinutes(7), Base.AddDays(3) })
        {
            foreach (var zone in new[] { JourneyScheduler.AllZones, "Asia/Shanghai", "UTC" })
            {
                var due = journeys.Select(j => new DueAudience(j, "scan:test", zone)).ToList();
                // Pages of uneven size, as the scheduler's ranges may be.
                var screened = due.Select(_ => new HashSet<long>()).ToArray();
                foreach (var page in ids.Chunk(97))
                {
                    var screen = await engine.ScreenAsync(db.Storage, due, page, now, None);
                    for (var d = 0; d < due.Count; d++) screened[d].UnionWith(screen.Candidates[d]);
                }
                var bounded = await db.Storage.AudienceCandidatesAsync(
                    [.. journeys.Select(j => new AudienceSelection(catalog.Current.Compiled(j.Name).Trigger!.Bound(now), zone, j.Name, null))], ids[0], ids[^1], None);

                for (var d = 0; d < due.Count; d++)
                {
                    var journey = journeys[d];
                    var trigger = catalog.Current.Compiled(journey.Name).Trigger!;
                    var selected = ids.Where(id => InZone(snapshots[id], zone)
                        && trigger.Evaluate(FactsBuilder.Facts(snapshots[id], null, new EventFacts(), now, null), now).Holds).ToList();
                    var mayEnter = selected.Where(id => entries[(id, journey.Name)].DefaultIfEmpty().Max() is var last
                        && (last == default || (journey.ReEntryAfter is { } wait && now - last >= wait))).ToList();

                    screened[d].Should().BeSubsetOf(selected, $"{journey.Name} at {now:O} in {zone}: the screen evaluates the audience");
                    mayEnter.Except(screened[d]).Should().BeEmpty($"{journey.Name} at {now:O} in {zone}: no customer the audience selects, past the re-entry wait, is left out");
                    selected.Where(id => !entries[(id, journey.Name)].Any()).Except(bounded[d]).Should().BeEmpty($"{journey.Name} at {now:O} in {zone}: the bound holds whom the audience selects");
                    bounded[d].Count.Should().BeLessThan(ids.Count / 2, $"{journey.Name} at {now:O} in {zone}: the bound leaves most customers unread");
                    checkedSome += mayEnter.Count;
                }
            }
        }
        checkedSome.Should().BeGreaterThan(100, "the random customers must give every audience members to find");
    }

    [Test]
    public async Task The_zones_are_each_customers_zone_once_and_none_before_any_customer()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        (await db.Storage.TimezonesAsync(None)).Should().BeEmpty();

        await SeedAsync(db.Storage, new Random(20261206), 60);
        await using var connection = await db.Storage.OpenConnectionAsync(None);
        var zones = await connection.QueryAsync<string>("SELECT DISTINCT COALESCE(timezone, 'UTC') FROM customers");
        zones.Should().HaveCount(Zones.Length - 1, "the random customers are in every zone, no zone and 'UTC' one");
        (await db.Storage.TimezonesAsync(None)).Should().BeEquivalentTo(zones);
    }

    private static bool InZone(CustomerSnapshot snapshot, string zone) =>
        zone == JourneyScheduler.AllZones || (snapshot.Profile.Timezone ?? FactsBuilder.DefaultZone) == zone;

    /// <summary>Random customers around <see cref="Base"/>; returns their ids in order.</summary>
    private static async Task<List<long>> SeedAsync(AutomationStorage storage, Random random, int count)
    {
        await using var connection = await storage.OpenConnectionAsync(None);
        await using var transaction = await connection.BeginTransactionAsync();
        DateTimeOffset Around(double fromDays, double toDays) => Base.AddSeconds(Math.Round((fromDays + random.NextDouble() * (toDays - fromDays)) * 86400));
        T Pick<T>(params T[] items) => items[random.Next(items.Length)];
        var code = 0;
        for (var i = 0; i < count; i++)
        {
            // Birthdays near the moments checked, in leap and other years, or anywhere in the year.
            var birthday = random.Next(4) switch
            {
                0 => null,
                1 => new DateOnly(Pick(1988, 1990, 2000), 2, 25).AddDays(random.Next(8)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                2 => "1996-02-29",
                _ => new DateOnly(1985, 1, 1).AddDays(random.Next(365)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            };
            var id = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO customers (external_id, birthday, timezone, traits, created_at, updated_at) VALUES (@external, @birthday, @zone, '{}', @at, @at) RETURNING id",
                new { external = $"c{i:D4}", birthday, zone = Pick(Zones), at = Base.AddDays(-400) }, transaction);
            if (random.Next(10) < 7)
            {
                var orders = random.Next(6);
                await connection.ExecuteAsync(
                    "INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, coupon_order_count) VALUES (@id, @orders, @spent, @first, @last, 0)",
                    new { id, orders, spent = orders * 30m, first = orders > 0 ? Base.AddDays(-380) : (DateTimeOffset?)null, last = orders > 0 ? Around(-120, 1) : (DateTimeOffset?)null },
                    transaction);
            }
            if (random.Next(2) == 0)
                await connection.ExecuteAsync("INSERT INTO customer_tiers (customer_id, tier, since) VALUES (@id, @tier, @since)",
                    new { id, tier = Pick("", "Member", "Silver"), since = Base.AddDays(-30) }, transaction);
            for (var lot = random.Next(4); lot > 0; lot--)
            {
                var points = random.Next(4) == 0 ? -random.Next(1, 300) : random.Next(1, 300);
                await connection.ExecuteAsync(
                    "INSERT INTO points_ledger (customer_id, points, reason, source_key, created_at, kind, expires_at) VALUES (@id, @points, 'test', @key, @created, @kind, @expires)",
                    new { id, points, key = $"k{id}-{lot}", created = Base.AddDays(-300 + lot), kind = points > 0 ? "earn" : "redeem", expires = points <= 0 ? (DateTimeOffset?)null : random.Next(4) == 0 ? Base.AddDays(random.Next(-1, 20)) : Around(-5, 25) },
                    transaction);
            }
            for (var coupon = random.Next(3); coupon > 0; coupon--)
            {
                var expires = random.Next(5) == 0 ? (DateTimeOffset?)null : random.Next(4) == 0 ? Base.AddDays(random.Next(-1, 8)) : Around(-3, 12);
                await connection.ExecuteAsync(
                    "INSERT INTO coupon_codes (code, campaign, customer_id, issued_at, expires_at, redeemed_at) VALUES (@code, 'test', @id, @issued, @expires, @redeemed)",
                    new { code = $"T{code++}", id, issued = Around(-20, 0), expires, redeemed = random.Next(5) == 0 ? Base.AddDays(-1) : (DateTimeOffset?)null }, transaction);
            }
            foreach (var journey in Audiences.Where(_ => random.Next(3) == 0))
            {
                // Around each shipped wait (180, 20, 7, 300 days) and inside it.
                await connection.ExecuteAsync(
                    "INSERT INTO journey_instances (customer_id, journey, entry_key, status, entered_at) VALUES (@id, @journey, 'seed', 'completed', @entered)",
                    new { id, journey, entered = Base.AddDays(-Pick(1, 6.9, 7, 7.01, 19.99, 20, 21, 179.99, 180, 181, 299.9, 300.1)).AddHours(random.Next(-30, 30)) }, transaction);
            }
        }
        await transaction.CommitAsync();
        return [.. await connection.QueryAsync<long>("SELECT id FROM customers ORDER BY id")];
    }
}
