using System.Text.Json.Nodes;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Core.Coupons;

/// <summary>Journeys issue real codes: an IssueCoupon step and the Sends of the instance naming the campaign share one code.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class CouponJourneyTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private const string Welcome = """
        {
          "WorkflowName": "welcome",
          "Trigger": { "Event": "Signed Up" },
          "Rules": [
            { "RuleName": "issue", "Expression": "journey.HoursSinceEntry >= 0",
              "Actions": { "OnSuccess": { "Name": "IssueCoupon", "Context": { "Campaign": "welcome" } } } },
            { "RuleName": "tell", "Expression": "journey.HoursSinceEntry >= 24",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "welcome/code", "Coupon": "welcome" } } } },
            { "RuleName": "vip", "Expression": "journey.HoursSinceEntry >= 0",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "welcome/vip", "Coupon": "vip" } } } }
          ]
        }
        """;

    private EngineHarness _h = null!;
    private DirectoryInfo _coupons = null!;

    [SetUp]
    public async Task SetUp()
    {
        _coupons = Directory.CreateTempSubdirectory("automation-coupons-");
        await File.WriteAllTextAsync(Path.Combine(_coupons.FullName, "welcome.json"),
            """{ "Name": "welcome", "Value": { "AmountOff": 5, "Currency": "USD" }, "Validity": { "DaysFromIssue": 30 } }""");
        await File.WriteAllTextAsync(Path.Combine(_coupons.FullName, "vip.json"),
            """{ "Name": "vip", "Value": { "PercentOff": 20 }, "Eligible": "customer.Trait(\"vip\") == \"yes\"" }""");
        _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { CouponsFolder = _coupons.FullName, Journeys = [("welcome.json", Welcome)] });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        _coupons.Delete(recursive: true);
    }

    [Test]
    public async Task The_code_issued_by_a_step_is_the_one_a_later_message_carries_and_an_ineligible_customer_gets_none()
    {
        await _h.Ingest(Segment.Identify("ann", new { email = "ann@example.com", vip = "no" }, Start), Segment.Track("ann", "Signed Up", null, Start));
        _h.Clock.Advance(TimeSpan.FromHours(25));
        await _h.Scheduler.TickAsync(CancellationToken.None);
        await _h.Scheduler.TickAsync(CancellationToken.None);

        await using var connection = await _h.RequireDatabase().Storage.OpenConnectionAsync(CancellationToken.None);
        var code = await connection.QuerySingleAsync<string>("SELECT code FROM coupon_codes WHERE campaign = 'welcome'");
        var contexts = (await connection.QueryAsync<string>("SELECT context FROM outbox")).Select(c => JsonNode.Parse(c)!).ToList();
        var coupon = contexts.Should().ContainSingle("the vip message is not sent to a customer the vip campaign does not admit").Subject["Coupon"]!;
        coupon["Code"]!.GetValue<string>().Should().Be(code);
        coupon["Amount"]!.GetValue<decimal>().Should().Be(5);
        coupon["ExpiresAt"]!.GetValue<string>().Should().StartWith("2026-12-31T08:00:00");
        (await connection.QuerySingleAsync<int>("SELECT COUNT(*) FROM coupon_codes WHERE campaign = 'vip'")).Should().Be(0);
        var steps = (await _h.Storage.Queries.InstancesOfAsync((await _h.Customer("ann")).Profile.Id, CancellationToken.None)).Single().Steps;
        steps.Single(s => s.Step == "vip").Outcome.Should().Be("no coupon of vip: the customer is not eligible (Eligible does not hold)");
        steps.Single(s => s.Step == "tell").Outcome.Should().BeNull();
    }

    [Test]
    public async Task Customers_entering_together_get_their_codes_in_one_batch_within_the_budget_and_each_message_carries_its_own()
    {
        await File.WriteAllTextAsync(Path.Combine(_coupons.FullName, "welcome.json"), """{ "Name": "welcome", "Value": { "AmountOff": 5, "Currency": "USD" }, "Budget": 3 }""");
        await using var h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { CouponsFolder = _coupons.FullName, Journeys = [("welcome.json", Welcome)] });
        string[] names = ["ann", "bo", "cy", "di", "ed"];
        await h.Ingest([.. names.SelectMany((n, i) => new[] { Segment.Identify(n, new { email = $"{n}@example.com", vip = i % 2 == 0 ? "yes" : "no" }, Start), Segment.Track(n, "Signed Up", null, Start) })]);
        h.Clock.Advance(TimeSpan.FromHours(25));
        await h.Scheduler.TickAsync(CancellationToken.None);
        await h.Scheduler.TickAsync(CancellationToken.None);

        await using var connection = await h.RequireDatabase().Storage.OpenConnectionAsync(CancellationToken.None);
        var codes = (await connection.QueryAsync<(string Code, string Campaign, long CustomerId)>("SELECT code, campaign, customer_id FROM coupon_codes")).ToList();
        codes.Count(c => c.Campaign == "welcome").Should().Be(3, "the budget is 3");
        codes.Count(c => c.Campaign == "vip").Should().Be(3, "ann, cy and ed are vip");
        var messages = (await connection.QueryAsync<(long CustomerId, string Context)>("SELECT customer_id, context FROM outbox")).ToList();
        messages.Should().HaveCount(6);
        foreach (var (customerId, context) in messages)
        {
            var coupon = JsonNode.Parse(context)!["Coupon"]!;
            codes.Should().Contain((coupon["Code"]!.GetValue<string>(), coupon["Campaign"]!.GetValue<string>(), customerId), "each message carries the code its own customer was issued");
        }
        var refused = new List<string?>();
        foreach (var name in names)
            refused.AddRange((await h.Storage.Queries.InstancesOfAsync((await h.Customer(name)).Profile.Id, CancellationToken.None)).Single().Steps.Where(s => s.Step == "issue").Select(s => s.Outcome));
        refused.Where(o => o is not null).Should().Equal(["no coupon of welcome: the campaign's budget of 3 codes is spent", "no coupon of welcome: the campaign's budget of 3 codes is spent"]);
    }

    [Test]
    public async Task A_step_taken_later_issues_to_whom_its_campaigns_eligibility_admits_whatever_that_reads()
    {
        // The scheduler reads of a snapshot only what the journey's expressions read; the vip campaign's Eligible reads
        // traits, which no expression of this journey does.
        const string later = """
            {
              "WorkflowName": "later",
              "Trigger": { "Event": "Signed Up" },
              "Rules": [
                { "RuleName": "vip", "Expression": "journey.HoursSinceEntry >= 24",
                  "Actions": { "OnSuccess": { "Name": "IssueCoupon", "Context": { "Campaign": "vip" } } } }
              ]
            }
            """;
        await using var h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { CouponsFolder = _coupons.FullName, Journeys = [("later.json", later)] });
        await h.Ingest(Segment.Identify("ann", new { email = "ann@example.com", vip = "yes" }, Start), Segment.Track("ann", "Signed Up", null, Start),
            Segment.Identify("bo", new { email = "bo@example.com", vip = "no" }, Start), Segment.Track("bo", "Signed Up", null, Start));
        h.Clock.Advance(TimeSpan.FromHours(25));
        await h.Scheduler.TickAsync(CancellationToken.None);

        await using var connection = await h.RequireDatabase().Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QueryAsync<long>("SELECT customer_id FROM coupon_codes WHERE campaign = 'vip'"))
            .Should().Equal([(await h.Customer("ann")).Profile.Id], "ann is vip and bo is not");
    }

    [Test]
    public async Task The_shipped_reminder_writes_three_days_before_an_unredeemed_code_expires()
    {
        var journey = await File.ReadAllTextAsync(Path.Combine(ServerProcess.RepositoryRoot(), "rules", "expiring-coupons.json"));
        await using var h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { CouponsFolder = _coupons.FullName, Journeys = [("expiring-coupons.json", journey)] });
        await h.Ingest(Segment.Identify("ann", new { email = "ann@example.com" }, Start), Segment.Identify("bo", new { email = "bo@example.com" }, Start));
        var campaign = h.Coupons.Find("welcome")! with { Validity = new Automation.Core.Coupons.CouponValidity(null, null, 10) };
        string? redeemed = null;
        foreach (var id in new[] { "ann", "bo" })
        {
            await using var tx = await h.Storage.Ingestion.BeginAsync(CancellationToken.None);
            var issue = await tx.IssueCouponAsync(new Automation.Core.Coupons.CouponIssueRequest(campaign, (await h.Customer(id)).Profile.Id, id, Start), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            if (id == "bo") redeemed = issue.Coupon!.Code;
        }
        await h.Ingest(Segment.Track("bo", "Order Completed", new { order_id = "o1", total = 40, coupon = redeemed }, Start.AddHours(1)));

        h.Clock.Advance(TimeSpan.FromDays(1));
        await h.Scheduler.TickAsync(CancellationToken.None);
        await using var connection = await h.RequireDatabase().Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QuerySingleAsync<int>("SELECT COUNT(*) FROM outbox")).Should().Be(0, "nine days before expiry is too early");

        h.Clock.Advance(TimeSpan.FromDays(6.5));
        await h.Scheduler.TickAsync(CancellationToken.None);
        (await connection.QueryAsync<long>("SELECT customer_id FROM outbox")).Should().Equal([(await h.Customer("ann")).Profile.Id], "bo redeemed his code");
    }

    [Test]
    public async Task Ingesting_an_order_with_a_coupon_redeems_it()
    {
        var db = _h.RequireDatabase();
        await _h.Ingest(Segment.Identify("ann", new { email = "ann@example.com" }, Start), Segment.Track("ann", "Signed Up", null, Start));
        await using var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None);
        var code = await connection.QuerySingleAsync<string>("SELECT code FROM coupon_codes WHERE campaign = 'welcome'");
        await _h.Ingest(Segment.Track("ann", "Order Completed", new { order_id = "o1", total = 90, discount = 10, currency = "USD", coupon = code }, Start));
        await _h.Ingest(Segment.Track("ann", "Order Completed", new { order_id = "o2", total = 50, coupon = "NOPE" }, Start));

        (await connection.QueryAsync<(string, string, decimal)>("SELECT order_id, outcome, discount FROM coupon_redemptions ORDER BY order_id"))
            .Should().Equal(("o1", "redeemed", 10m), ("o2", "unknown", 0m));
        (await connection.QuerySingleAsync<string>("SELECT order_id FROM coupon_codes WHERE code = @code", new { code })).Should().Be("o1");
    }
}
