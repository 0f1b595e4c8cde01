using System.Collections.Concurrent;
using Automation.Core.Coupons;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Core.Coupons;

/// <summary>
/// Sixteen issues at the same instant from two nodes (two storages on one PostgreSQL database): budgets, per-customer
/// limits, imported codes and issue keys hold, because each is claimed in the statement that takes it.
/// </summary>
[Category("Cluster")]
public sealed class CouponRaceTests
{
    private const int Senders = 16;
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;
    private PostgresStorage _other = null!;
    private long[] _customers = [];

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        _other = new PostgresStorage(_db.ConnectionString);
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        _customers = [.. await connection.QueryAsync<long>(
            "INSERT INTO customers (external_id, created_at, updated_at) SELECT 'c' || n, now(), now() FROM generate_series(1, @Senders) AS n RETURNING id", new { Senders })];
    }

    [TearDown]
    public async Task TearDown()
    {
        await _other.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>Sender <c>i</c> issues through node <c>i % 2</c>, all released at once.</summary>
    private async Task<CouponIssue[]> RaceAsync(Func<int, CouponIssueRequest> request)
    {
        var nodes = new AutomationStorage[] { _db.Storage, _other };
        using var gate = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, Senders).Select(i => Task.Run(async () =>
        {
            await gate.WaitAsync();
            await using var tx = await nodes[i % 2].BeginAsync(CancellationToken.None);
            var issue = await tx.IssueCouponAsync(request(i), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            return issue;
        })).ToList();
        gate.Release(Senders);
        return await Task.WhenAll(tasks);
    }

    private async Task<List<(string Code, long? CustomerId)>> CodesAsync()
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<(string, long?)>("SELECT code, customer_id FROM coupon_codes WHERE customer_id IS NOT NULL")];
    }

    [Test]
    public async Task Batches_naming_two_campaigns_in_opposite_orders_do_not_deadlock()
    {
        var first = CouponIssueTests.Campaign("""{ "Name": "alpha", "Value": { "PercentOff": 10 }, "Budget": 100 }""", "alpha");
        var second = CouponIssueTests.Campaign("""{ "Name": "beta", "Value": { "PercentOff": 20 }, "Budget": 100 }""", "beta");
        var nodes = new AutomationStorage[] { _db.Storage, _other };
        using var gate = new SemaphoreSlim(0);
        // Half the senders ask alpha then beta, half beta then alpha, each for a customer of its own: in request order the
        // two counters were locked in opposite orders and PostgreSQL broke the cycle with 40P01.
        var tasks = Enumerable.Range(0, Senders).Select(i => Task.Run(async () =>
        {
            await gate.WaitAsync();
            await using var tx = await nodes[i % 2].BeginAsync(CancellationToken.None);
            CouponIssueRequest[] requests = [new(first, _customers[i], $"a{i}", Now), new(second, _customers[i], $"b{i}", Now)];
            var issues = await tx.IssueCouponsAsync(i % 2 == 0 ? requests : [.. requests.Reverse()], CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            return issues;
        })).ToList();
        gate.Release(Senders);

        (await Task.WhenAll(tasks)).SelectMany(i => i).Should().OnlyContain(i => i.Coupon != null);
        (await CodesAsync()).Should().HaveCount(2 * Senders);
    }

    [Test]
    public async Task Sixteen_customers_racing_for_a_budget_of_five_get_five_codes()
    {
        var campaign = CouponIssueTests.Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "Budget": 5 }""");
        var issues = await RaceAsync(i => new CouponIssueRequest(campaign, _customers[i], $"k{i}", Now));
        issues.Count(i => i.Coupon is not null).Should().Be(5);
        issues.Where(i => i.Coupon is null).Should().OnlyContain(i => i.Refusal == "the campaign's budget of 5 codes is spent");
        (await CodesAsync()).Should().HaveCount(5);
    }

    [Test]
    public async Task Sixteen_issues_to_one_customer_stop_at_the_limit_per_customer()
    {
        var campaign = CouponIssueTests.Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "PerCustomer": 3 }""");
        var issues = await RaceAsync(i => new CouponIssueRequest(campaign, _customers[0], $"k{i}", Now));
        issues.Count(i => i.Coupon is not null).Should().Be(3);
        (await CodesAsync()).Should().HaveCount(3);
    }

    [Test]
    public async Task Sixteen_customers_take_different_imported_codes_until_none_is_left()
    {
        var campaign = CouponIssueTests.Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "Codes": { "Import": true } }""");
        await using (var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None))
            await connection.ExecuteAsync("INSERT INTO coupon_codes (code, campaign, imported_at) SELECT 'SHOP' || n, 'test', now() FROM generate_series(1, 10) AS n");

        var issues = await RaceAsync(i => new CouponIssueRequest(campaign, _customers[i], $"k{i}", Now));
        var given = issues.Where(i => i.Coupon is not null).Select(i => i.Coupon!.Code).ToList();
        given.Should().HaveCount(10).And.OnlyHaveUniqueItems();
        issues.Where(i => i.Coupon is null).Should().OnlyContain(i => i.Refusal == "the campaign has no imported codes left to issue");
        (await CodesAsync()).Select(c => c.CustomerId).Should().OnlyHaveUniqueItems();
    }

    [TestCase("""{ "Name": "test", "Value": { "PercentOff": 10 } }""")]
    [TestCase("""{ "Name": "test", "Value": { "PercentOff": 10 }, "Codes": { "Import": true } }""")]
    public async Task Sixteen_issues_with_one_key_give_one_code(string json)
    {
        var campaign = CouponIssueTests.Campaign(json);
        await using (var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None))
            await connection.ExecuteAsync("INSERT INTO coupon_codes (code, campaign, imported_at) SELECT 'SHOP' || n, 'test', now() FROM generate_series(1, 20) AS n");

        var issues = await RaceAsync(_ => new CouponIssueRequest(campaign, _customers[0], "one-key", Now));
        issues.Select(i => i.Coupon?.Code).Distinct().Should().ContainSingle().Which.Should().NotBeNull();
        (await CodesAsync()).Should().ContainSingle();
        await using var check = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await check.QuerySingleAsync<int>("SELECT issued FROM coupon_campaign_counts WHERE campaign = 'test'")).Should().Be(1, "the repeats gave back what they claimed");
    }

    /// <summary>Sender <c>i</c> issues a whole batch through node <c>i % 2</c>, all released at once.</summary>
    private async Task<IReadOnlyList<CouponIssue>[]> RaceBatchesAsync(Func<int, IReadOnlyList<CouponIssueRequest>> batch)
    {
        var nodes = new AutomationStorage[] { _db.Storage, _other };
        using var gate = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, Senders).Select(i => Task.Run(async () =>
        {
            await gate.WaitAsync();
            await using var tx = await nodes[i % 2].BeginAsync(CancellationToken.None);
            var issues = await tx.IssueCouponsAsync(batch(i), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            return issues;
        })).ToList();
        gate.Release(Senders);
        return await Task.WhenAll(tasks);
    }

    [Test]
    public async Task Sixteen_batches_racing_for_a_budget_fill_it_exactly_and_hold_the_limit_per_customer()
    {
        var campaign = CouponIssueTests.Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "PerCustomer": 3, "Budget": 40 }""");
        // 256 requests for 16 customers: at most 48 by the limit per customer, 40 by the budget.
        var issues = (await RaceBatchesAsync(s => [.. _customers.Select((c, i) => new CouponIssueRequest(campaign, c, $"s{s}:c{i}", Now))])).SelectMany(b => b).ToList();

        issues.Count(i => i.Coupon is not null).Should().Be(40);
        var codes = await CodesAsync();
        codes.Should().HaveCount(40);
        codes.GroupBy(c => c.CustomerId).Should().OnlyContain(g => g.Count() <= 3);
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QuerySingleAsync<int>("SELECT issued FROM coupon_campaign_counts WHERE campaign = 'test'")).Should().Be(40);
        (await connection.QuerySingleAsync<int>("SELECT SUM(issued) FROM coupon_holdings WHERE campaign = 'test'")).Should().Be(40, "every refusal gave back its claims");
    }

    [Test]
    public async Task Sixteen_batches_with_the_same_keys_give_each_key_one_code()
    {
        var campaign = CouponIssueTests.Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "PerCustomer": 1 }""");
        var batches = await RaceBatchesAsync(_ => [.. _customers.Select((c, i) => new CouponIssueRequest(campaign, c, $"c{i}", Now))]);

        batches.Should().OnlyContain(b => b.All(i => i.Coupon != null), "a key issued by another batch is answered with its code, not refused by the limit");
        for (var i = 0; i < _customers.Length; i++) batches.Select(b => b[i].Coupon!.Code).Distinct().Should().ContainSingle();
        (await CodesAsync()).Should().HaveCount(_customers.Length);
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QuerySingleAsync<int>("SELECT issued FROM coupon_campaign_counts WHERE campaign = 'test'")).Should().Be(_customers.Length);
    }

    [Test]
    public async Task Sixteen_orders_naming_one_code_at_once_redeem_it_once()
    {
        var campaign = CouponIssueTests.Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 } }""");
        var code = (await RaceAsync(_ => new CouponIssueRequest(campaign, _customers[0], "one-key", Now))).First().Coupon!.Code;

        var nodes = new AutomationStorage[] { _db.Storage, _other };
        using var gate = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, Senders).Select(i => Task.Run(async () =>
        {
            await gate.WaitAsync();
            await using var tx = await nodes[i % 2].BeginAsync(CancellationToken.None);
            var outcome = await tx.RedeemCouponAsync(new CouponRedemption($"o{i}", _customers[0], code, 90, 10, "USD", Now), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            return outcome;
        })).ToList();
        gate.Release(Senders);
        var outcomes = await Task.WhenAll(tasks);

        outcomes.Count(o => o == CouponRedemptionOutcome.Redeemed).Should().Be(1);
        outcomes.Count(o => o == CouponRedemptionOutcome.AlreadyRedeemed).Should().Be(Senders - 1);
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QuerySingleAsync<int>("SELECT COUNT(*) FROM coupon_redemptions WHERE outcome = 'redeemed'")).Should().Be(1);
    }
}
