using System.Text;
using Automation.Core.Journeys;
using Automation.Server.Jobs;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Tests.Core.Segments;

/// <summary>
/// A journey whose trigger names a segment enters the segment's members once per schedule occurrence, on both
/// databases, and two nodes ticking at once on the same database enter nobody twice; a trigger naming no segment is a problem.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class SegmentJourneyTests(string provider)
{
    // 10:05 UTC: the daily 10:00 schedule is due for customers in UTC.
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    private const string BigSpenders = """
        { "WorkflowName": "big-spenders", "Trigger": { "Segment": "big", "Schedule": "0 0 10 * * ?", "Audience": "customer.Trait(\"plan\") != \"none\"" },
          "ReEntry": "P1D",
          "Rules": [ { "RuleName": "hello", "Expression": "journey.HoursSinceEntry >= 0",
            "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "big/hello" } } } } ] }
        """;

    private static readonly JourneyReadOptions Options = EngineHarness.ReadOptions with
    {
        SegmentExpression = name => name == "big" ? "stats.TotalSpent >= 500" : null,
    };

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = await EngineHarness.CreateAsync(provider, Now);
        var read = new JourneyFileReader(Options).Read("big-spenders.json", Encoding.UTF8.GetBytes(BigSpenders));
        read.Problems.Should().BeEmpty();
        _h.Journeys.Replace([new JourneyFileResult("big-spenders.json", read.Journey, read.Problems)]);
        // c000..c029: every third spent 600; c003 opted out by its trait.
        for (var i = 0; i < 30; i++)
        {
            await _h.Ingest(Segment.Identify($"c{i:D3}", new { plan = i == 3 ? "none" : "basic" }, Now.AddDays(-3)));
            await _h.Ingest(Segment.Order($"c{i:D3}", $"o{i}", i % 3 == 0 ? 600 : 100, Now.AddDays(-2)));
        }
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private async Task<List<(string ExternalId, string EntryKey)>> EntriesAsync()
    {
        await using var connection = await _h.RequireDatabase().Storage.OpenConnectionAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<(string, string)>(
            "SELECT c.external_id, i.entry_key FROM journey_instances i JOIN customers c ON c.id = i.customer_id ORDER BY c.external_id, i.entry_key")];
    }

    private static IEnumerable<string> Expected => Enumerable.Range(0, 30).Where(i => i % 3 == 0 && i != 3).Select(i => $"c{i:D3}");

    [Test]
    public async Task The_segments_members_enter_once_per_occurrence()
    {
        var report = await _h.Scheduler.TickAsync(CancellationToken.None);
        report.ScheduledEntries.Should().Be(Expected.Count());
        (await EntriesAsync()).Should().Equal(Expected.Select(id => (id, "schedule:2026-11-18T10:00:00Z")));

        _h.Clock.Advance(TimeSpan.FromMinutes(30));
        (await _h.Scheduler.TickAsync(CancellationToken.None)).ScheduledEntries.Should().Be(0, "the occurrence was entered");
        _h.Clock.Advance(TimeSpan.FromDays(1));
        (await _h.Scheduler.TickAsync(CancellationToken.None)).ScheduledEntries.Should().Be(Expected.Count(), "the next day's occurrence enters again");
    }

    [Test]
    public async Task Two_nodes_ticking_at_once_enter_each_member_once()
    {
        var schedulers = Enumerable.Range(0, 2).Select(_ =>
        {
            var catalog = new JourneyCatalog();
            catalog.Replace([.. _h.Journeys.Current.Entries.Select(e => new JourneyFileResult(e.Name + ".json", e.Running, []))]);
            return new JourneyScheduler(catalog, TestIngestion.Engine(catalog), _h.Storage.Journeys, new QuartzCronSchedule(), _h.Clock, NullLogger<JourneyScheduler>.Instance);
        }).ToList();
        var reports = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => schedulers[i % 2].TickAsync(CancellationToken.None))));

        reports.Sum(r => r.ScheduledEntries).Should().Be(Expected.Count());
        (await EntriesAsync()).Should().Equal(Expected.Select(id => (id, "schedule:2026-11-18T10:00:00Z")));
    }

    [Test]
    public void A_trigger_naming_no_segment_or_an_event_trigger_naming_one_is_a_problem()
    {
        var reader = new JourneyFileReader(Options);
        reader.Read("big-spenders.json", Encoding.UTF8.GetBytes(BigSpenders.Replace("\"big\"", "\"huge\""))).Problems.Should().ContainSingle()
            .Which.ToString().Should().Be("big-spenders.json:1: Trigger.Segment: 'huge' is not a segment of rules/segments/ (or its file has problems)");
        reader.Read("big-spenders.json", Encoding.UTF8.GetBytes(BigSpenders.Replace("\"Schedule\": \"0 0 10 * * ?\"", "\"Event\": \"Order Completed\"")))
            .Problems.Select(p => p.ToString()).Should().Contain(p => p.Contains("Trigger.Segment: belongs to Schedule and Scan triggers"));
    }
}
