using System.Net;
using System.Text.Json.Nodes;
using Automation.Core.Analytics;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class MetricsApiTests(string provider)
{
    private TestDatabase _db = null!;
    private AnalyticsDataset _data = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _data = AnalyticsDataset.Generate();
        await _data.LoadAsync(_db.Storage);
        _factory = new AutomationFactory(_db, new FakeTimeProvider(AnalyticsDataset.AsOf));
        _client = _factory.CreateAuthorizedClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task Repurchase_answers_the_report_of_the_history()
    {
        var report = JsonNode.Parse(await _client.GetStringAsync("/v1/metrics/repurchase?from=2026-01-01&to=2026-07-01T00:00:00Z&segment=member&within=60"))!;

        var query = new RepurchaseQuery(new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), AnalyticsDataset.HistoryEnd, 60, RepurchaseSegment.Member, AnalyticsDataset.BaseTier, AnalyticsDataset.AsOf);
        var overall = _data.ExpectedOverall(query);
        report["withinDays"]!.GetValue<int>().Should().Be(60);
        report["segment"]!.GetValue<string>().Should().Be("member");
        report["overall"]!["customers"]!.GetValue<long>().Should().Be(overall.Customers);
        report["overall"]!["rate"]!.GetValue<double>().Should().BeApproximately((double)overall.Repurchased / overall.Customers, 1e-12);
        report["groups"]!.AsArray().Select(g => (g!["name"]!.GetValue<string>(), g["repurchased"]!.GetValue<long>()))
            .Should().BeEquivalentTo(_data.ExpectedGroups(query).Select(g => (g.Name, g.Repurchased)));
        report["cohorts"]!.AsArray().Select(c => c!["month"]!.GetValue<string>()).Should().Equal("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06");
        report["cohorts"]![0]!["retention"]![0]!.GetValue<double>().Should().Be(1);
        report["predictedLtv"]!["value"]!.GetValue<decimal>().Should().BePositive();
        report["ltvPrior"]!["fullCohorts"]!.GetValue<int>().Should().Be(0, "no cohort of 2026 has had its year by July");
    }

    [Test]
    public async Task Attribution_answers_lift_against_the_holdout_and_none_without_one()
    {
        var report = JsonNode.Parse(await _client.GetStringAsync("/v1/metrics/attribution?from=2025-07-01&to=2026-07-01"))!;

        report["withinDays"]!.GetValue<int>().Should().Be(7);
        var steps = report["steps"]!.AsArray();
        var welcome = steps.Single(s => s!["journey"]!.GetValue<string>() == "welcome-series")!;
        welcome["holdout"].Should().BeNull();
        welcome["variants"]![0]!["lift"].Should().BeNull();
        var missYou = steps.Single(s => s!["step"]!.GetValue<string>() == "miss-you")!;
        var expected = _data.ExpectedAttribution(new AttributionQuery(new(2025, 7, 1, 0, 0, 0, TimeSpan.Zero), AnalyticsDataset.HistoryEnd, 7, null));
        var holdout = expected.Single(f => f.Step == "miss-you" && f.Variant == "holdout");
        missYou["holdout"]!["conversions"]!.GetValue<long>().Should().Be(holdout.Conversions);
        var a = expected.Single(f => f.Step == "miss-you" && f.Variant == "A");
        var variantA = missYou["variants"]!.AsArray().Single(v => v!["variant"]!.GetValue<string>() == "A")!;
        variantA["lift"]!["difference"]!.GetValue<double>().Should().BeApproximately((double)a.Conversions / a.Messages - (double)holdout.Conversions / holdout.Messages, 1e-12);
        variantA["lift"]!["low"]!.GetValue<double>().Should().BeLessThan(variantA["lift"]!["high"]!.GetValue<double>());

        JsonNode.Parse(await _client.GetStringAsync("/v1/metrics/attribution?from=2025-07-01&to=2026-07-01&journey=welcome-series"))!["steps"]!.AsArray()
            .Should().ContainSingle();
    }

    [TestCase("/v1/metrics/repurchase?to=2026-07-01", "from")]
    [TestCase("/v1/metrics/repurchase?from=2026-01-01", "to")]
    [TestCase("/v1/metrics/repurchase?from=2026-07-01&to=2026-01-01", "from")]
    [TestCase("/v1/metrics/repurchase?from=2026-13-01&to=2027-01-01", "from")]
    [TestCase("/v1/metrics/repurchase?from=2026-01-01&to=2026-07-01&within=0", "within")]
    [TestCase("/v1/metrics/repurchase?from=2026-01-01&to=2026-07-01&within=3651", "within")]
    [TestCase("/v1/metrics/repurchase?from=2026-01-01&to=2026-07-01&within=ninety", "within")]
    [TestCase("/v1/metrics/repurchase?from=2026-01-01&to=2026-07-01&segment=vip", "segment")]
    [TestCase("/v1/metrics/loyalty?from=2026-01-01", "to")]
    [TestCase("/v1/metrics/loyalty?from=2026-02-30&to=2026-07-01", "from")]
    [TestCase("/v1/metrics/attribution?from=2026-01-01&to=soon", "to")]
    [TestCase("/v1/metrics/attribution?from=2026-01-01&to=2026-07-01&within=-7", "within")]
    public async Task Bad_parameters_are_named(string url, string field)
    {
        var response = await _client.GetAsync(url);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]!.GetValue<string>().Should().Be(field);
    }

    [Test]
    public async Task Reports_need_the_api_key()
    {
        using var anonymous = _factory.CreateClient();
        (await anonymous.GetAsync("/v1/metrics/repurchase?from=2026-01-01&to=2026-07-01")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
