using Automation.Core.Coupons;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>What importing the shop's codes must do, written once and run in memory and on each database (subclasses at the end).</summary>
public abstract class CouponStoreTests(string storage)
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private EngineHarness _harness = null!;

    // The in-memory store and AutomationStorage both stand behind the harness's ports; the import is one more port of theirs.
    private ICouponStore Store => (ICouponStore)_harness.Storage.Ingestion;

    [SetUp]
    public async Task SetUp() => _harness = await EngineHarness.CreateAsync(storage, Now);

    [TearDown]
    public async Task TearDown() => await _harness.DisposeAsync();

    [Test]
    public async Task Import_adds_new_codes_and_lists_those_there_before_with_their_campaign()
    {
        var first = await Store.ImportCodesAsync("shop-ten", ["B-2", "A-1", "C-3"], Now, CancellationToken.None);
        first.Should().BeEquivalentTo(new CouponImport("shop-ten", 3, 3, []));
        (await Store.ImportCodesAsync("other-shop", ["X-9"], Now, CancellationToken.None)).Added.Should().Be(1);

        var second = await Store.ImportCodesAsync("shop-ten", ["D-4", "C-3", "D-4", "X-9"], Now, CancellationToken.None);

        second.Campaign.Should().Be("shop-ten");
        second.Received.Should().Be(4);
        second.Added.Should().Be(1, "D-4 is new, once however often the list names it");
        second.Existing.Should().Equal(new ExistingCode("C-3", "shop-ten"), new ExistingCode("X-9", "other-shop"));
    }

    [Test]
    public async Task A_code_imported_again_into_another_campaign_stays_in_its_own()
    {
        await Store.ImportCodesAsync("shop-ten", ["SAME-1"], Now, CancellationToken.None);

        var again = await Store.ImportCodesAsync("other-shop", ["SAME-1", "NEW-2"], Now, CancellationToken.None);

        again.Added.Should().Be(1);
        again.Existing.Should().Equal(new ExistingCode("SAME-1", "shop-ten"));
        (await Store.ImportCodesAsync("shop-ten", ["SAME-1"], Now, CancellationToken.None)).Existing.Should().Equal(new ExistingCode("SAME-1", "shop-ten"));
    }
}

[TestFixture]
public sealed class InMemoryCouponStoreTests() : CouponStoreTests(EngineHarness.Memory);

[TestFixture]
public sealed class SqliteCouponStoreTests() : CouponStoreTests(StorageOptions.Sqlite);

[TestFixture]
public sealed class PostgresCouponStoreTests() : CouponStoreTests(StorageOptions.Postgres);

/// <summary>Imports racing on PostgreSQL from several nodes: each code is stored once and counted as added once.</summary>
[TestFixture]
public sealed class CouponImportRaceTests
{
    private const int Imports = 16, Step = 50, ListLength = 200;

    [Test]
    public async Task Sixteen_imports_of_overlapping_lists_from_two_nodes_add_each_code_once()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        await using var otherNode = new PostgresStorage(db.ConnectionString);
        ICouponStore[] nodes = [db.Storage, otherNode];
        // List i holds codes i*50 to i*50+199, shuffled: each code is in up to four lists, in a different order in each.
        var lists = Enumerable.Range(0, Imports)
            .Select(i => Enumerable.Range(i * Step, ListLength).Select(n => $"RACE-{n:D4}").OrderBy(_ => Random.Shared.Next()).ToList())
            .ToList();
        var distinct = lists.SelectMany(l => l).Distinct().Count();
        using var start = new ManualResetEventSlim();

        var imports = lists.Select((codes, i) => Task.Run(async () =>
        {
            start.Wait();
            return await nodes[i % nodes.Length].ImportCodesAsync("race", codes, DateTimeOffset.UnixEpoch, CancellationToken.None);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(imports);

        results.Sum(r => r.Added).Should().Be(distinct);
        results.Should().OnlyContain(r => r.Added + r.Existing.Count == ListLength);
        await using var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM coupon_codes WHERE campaign = 'race' AND customer_id IS NULL")).Should().Be(distinct);
        results.SelectMany(r => r.Existing).Should().OnlyContain(e => e.Campaign == "race");
    }
}
