using System.Text;
using Automation.Core.Coupons;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Coupons;

/// <summary>Issuing codes of a campaign inside a transaction: limits, idempotency and redemption, on both databases and in memory.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class CouponIssueTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await EngineHarness.CreateAsync(storage, Start);

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    internal static CouponCampaign Campaign(string json, string name = "test")
    {
        var (campaign, problems) = CouponFileReader.Read($"rules/coupons/{name}.json", Encoding.UTF8.GetBytes(json), RuleLimits.Default);
        problems.Should().BeEmpty();
        return campaign!;
    }

    private async Task<long> CustomerAsync(string id)
    {
        await _h.Ingest(Segment.Identify(id, new { email = $"{id}@example.com" }, Start));
        return (await _h.Customer(id)).Profile.Id;
    }

    private async Task<CouponIssue> IssueAsync(CouponCampaign campaign, long customerId, string key, decimal? amount = null)
    {
        await using var tx = await _h.Storage.Ingestion.BeginAsync(CancellationToken.None);
        var issue = await tx.IssueCouponAsync(new CouponIssueRequest(campaign, customerId, key, _h.Clock.GetUtcNow(), amount), CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return issue;
    }

    [Test]
    public async Task A_generated_code_is_issued_once_per_key_with_its_value_and_expiry()
    {
        var campaign = Campaign("""{ "Name": "test", "Value": { "AmountOff": 20, "Currency": "CNY" }, "MinimumSpend": 199, "Validity": { "DaysFromIssue": 7 }, "Codes": { "Generate": { "Prefix": "T-" } } }""");
        var ann = await CustomerAsync("ann");

        var first = (await IssueAsync(campaign, ann, "k1")).Coupon!;
        first.Code.Should().MatchRegex("^T-[A-HJKMNP-Z2-9]{10}$");
        first.Value.Should().Be(new CouponValue(CouponValueKind.AmountOff, 20, "CNY"));
        first.MinimumSpend.Should().Be(199);
        first.ExpiresAt.Should().Be(Start.AddDays(7));

        _h.Clock.Advance(TimeSpan.FromHours(1));
        (await IssueAsync(campaign, ann, "k1")).Coupon.Should().Be(first, "a retried issue gets the code issued first");
        (await IssueAsync(campaign, ann, "k2")).Coupon!.Code.Should().NotBe(first.Code);
    }

    [Test]
    public async Task A_share_overrides_the_amount_and_a_closed_campaign_issues_nothing()
    {
        var campaign = Campaign("""{ "Name": "test", "Value": { "AmountOff": 50, "Currency": "CNY" }, "Validity": { "From": "2026-12-01", "Until": "2026-12-02" } }""");
        var ann = await CustomerAsync("ann");
        (await IssueAsync(campaign, ann, "share", amount: 37.5m)).Coupon!.Value.Amount.Should().Be(37.5m);

        _h.Clock.Advance(TimeSpan.FromDays(2));
        (await IssueAsync(campaign, ann, "late")).Should().Be(CouponIssue.Refused("the campaign ended on 2026-12-02"));
    }

    [Test]
    public async Task The_budget_and_the_limit_per_customer_hold_and_a_refusal_takes_nothing()
    {
        var campaign = Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "PerCustomer": 2, "Budget": 3 }""");
        var ann = await CustomerAsync("ann");
        var bo = await CustomerAsync("bo");

        (await IssueAsync(campaign, ann, "a1")).Coupon.Should().NotBeNull();
        (await IssueAsync(campaign, ann, "a2")).Coupon.Should().NotBeNull();
        (await IssueAsync(campaign, ann, "a3")).Refusal.Should().Be("the customer already holds 2 code(s) of the campaign, its limit per customer");
        (await IssueAsync(campaign, bo, "b1")).Coupon.Should().NotBeNull("ann's refusal gave back the budget it had claimed");
        (await IssueAsync(campaign, bo, "b2")).Refusal.Should().Be("the campaign's budget of 3 codes is spent");
        (await IssueAsync(campaign, ann, "a1")).Coupon.Should().NotBeNull("an issued key is answered even when the budget is spent");
    }

    private async Task<IReadOnlyList<CouponIssue>> IssueAllAsync(params CouponIssueRequest[] requests)
    {
        await using var tx = await _h.Storage.Ingestion.BeginAsync(CancellationToken.None);
        var issues = await tx.IssueCouponsAsync(requests, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return issues;
    }

    [Test]
    public async Task A_batch_answers_each_request_as_issuing_them_one_at_a_time_in_order_would()
    {
        var campaign = Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "PerCustomer": 1, "Budget": 4 }""");
        var other = Campaign("""{ "Name": "other", "Value": { "AmountOff": 5, "Currency": "CNY" } }""", "other");
        var (ann, bo, cy, di) = (await CustomerAsync("ann"), await CustomerAsync("bo"), await CustomerAsync("cy"), await CustomerAsync("di"));
        var annFirst = (await IssueAsync(campaign, ann, "ann-earlier")).Coupon!;
        var now = _h.Clock.GetUtcNow();

        var issues = await IssueAllAsync(
            new CouponIssueRequest(campaign, ann, "ann-earlier", now),
            new CouponIssueRequest(campaign, bo, "bo", now),
            new CouponIssueRequest(other, bo, "bo-other", now),
            new CouponIssueRequest(campaign, bo, "bo-again", now),
            new CouponIssueRequest(campaign, cy, "cy", now),
            new CouponIssueRequest(campaign, cy, "cy", now),
            new CouponIssueRequest(campaign, di, "di", now));

        issues[0].Coupon.Should().Be(annFirst, "a key issued before is answered with its code");
        issues[1].Coupon!.Campaign.Should().Be("test");
        issues[2].Coupon!.Value.Should().Be(new CouponValue(CouponValueKind.AmountOff, 5, "CNY"));
        issues[3].Refusal.Should().Be("the customer already holds 1 code(s) of the campaign, its limit per customer");
        issues[4].Coupon.Should().NotBeNull();
        issues[5].Coupon.Should().Be(issues[4].Coupon, "one key twice is one code");
        issues[6].Coupon.Should().NotBeNull("the budget of 4 covers ann, bo, cy and di");
        issues.Where(i => i.Coupon is not null).Select(i => i.Coupon!.Code).Distinct().Should().HaveCount(5);

        var late = await IssueAllAsync(new CouponIssueRequest(campaign, await CustomerAsync("ed"), "ed", now), new CouponIssueRequest(campaign, ann, "ann-earlier", now));
        late[0].Refusal.Should().Be("the campaign's budget of 4 codes is spent");
        late[1].Coupon.Should().Be(annFirst);
    }

    [Test]
    public async Task A_batch_larger_than_what_is_left_of_the_budget_gives_the_last_codes_in_request_order()
    {
        var campaign = Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "Budget": 3 }""");
        var now = _h.Clock.GetUtcNow();
        var customers = new List<long>();
        foreach (var id in new[] { "ann", "bo", "cy", "di", "ed" }) customers.Add(await CustomerAsync(id));

        var issues = await IssueAllAsync([.. customers.Select((c, i) => new CouponIssueRequest(campaign, c, $"k{i}", now))]);

        issues.Select(i => i.Coupon is not null).Should().Equal(true, true, true, false, false);
        issues[4].Refusal.Should().Be("the campaign's budget of 3 codes is spent");
        (await IssueAllAsync(new CouponIssueRequest(campaign, customers[0], "k0", now), new CouponIssueRequest(campaign, customers[1], "k-new", now)))
            .Select(i => i.Coupon?.Code).Should().Equal(issues[0].Coupon!.Code, null);
    }

    [Test]
    public async Task An_order_redeems_an_issued_code_once_and_records_every_other_outcome()
    {
        var campaign = Campaign("""{ "Name": "test", "Value": { "PercentOff": 10 }, "Validity": { "DaysFromIssue": 2 } }""");
        var ann = await CustomerAsync("ann");
        var code = (await IssueAsync(campaign, ann, "k")).Coupon!.Code;
        var expiring = (await IssueAsync(campaign, ann, "k2")).Coupon!.Code;

        async Task<CouponRedemptionOutcome> Order(string orderId, string coupon)
        {
            await using var tx = await _h.Storage.Ingestion.BeginAsync(CancellationToken.None);
            var outcome = await tx.RedeemCouponAsync(new CouponRedemption(orderId, ann, coupon, 90, 10, "USD", _h.Clock.GetUtcNow()), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            return outcome;
        }

        (await Order("o1", code)).Should().Be(CouponRedemptionOutcome.Redeemed);
        (await Order("o1", code)).Should().Be(CouponRedemptionOutcome.Redeemed, "the same order again is the same redemption");
        (await Order("o2", code)).Should().Be(CouponRedemptionOutcome.AlreadyRedeemed);
        (await Order("o3", "SAVE10")).Should().Be(CouponRedemptionOutcome.Unknown);
        _h.Clock.Advance(TimeSpan.FromDays(3));
        (await Order("o4", expiring)).Should().Be(CouponRedemptionOutcome.Expired);
    }
}
