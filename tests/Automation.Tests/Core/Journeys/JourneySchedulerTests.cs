using Automation.Core.Journeys;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Core.Journeys;

/// <summary>One tick's audience passes: zones, scans riding on the same pages, reruns, and journeys seeing each other's actions; on both databases.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class JourneySchedulerTests(string provider)
{
    // 10:05 UTC: a daily 10:00 schedule is due for customers in UTC, not for those in Tokyo (19:05 there).
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    private const string Morning = """
        { "WorkflowName": "morning", "Trigger": { "Schedule": "0 0 10 * * ?", "Audience": "customer.Trait(\"plan\") == \"gold\"" }, "ReEntry": "P20D",
          "Rules": [ { "RuleName": "hello", "Expression": "journey.HoursSinceEntry >= 0",
            "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "morning/hello" } } } } ] }
        """;

    // Tags everyone it enters; "tagged" (after it in the catalog) selects the tagged, so it must see this tick's tags.
    private const string Tagger = """
        { "WorkflowName": "tagger", "Trigger": { "Scan": "P1D", "Audience": "customer.Trait(\"plan\") != \"\"" }, "ReEntry": "P20D",
          "Rules": [ { "RuleName": "tag", "Expression": "journey.HoursSinceEntry >= 0", "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "scanned" } } } },
                     { "RuleName": "later", "Expression": "journey.DaysSinceEntry >= 3",
                       "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "tagger/later" } } } } ] }
        """;

    private const string Tagged = """
        { "WorkflowName": "tagged", "Trigger": { "Scan": "P1D", "Audience": "customer.HasTag(\"scanned\")" }, "ReEntry": "P20D",
          "Rules": [ { "RuleName": "note", "Expression": "journey.HoursSinceEntry >= 0",
            "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "sms", "Template": "tagged/note" } } } } ] }
        """;

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() =>
        _h = await EngineHarness.CreateAsync(provider, Now, new EngineSetup { Journeys = [("morning.json", Morning), ("tagger.json", Tagger), ("tagged.json", Tagged)] });

    // The assertions read entry keys, steps and outbox rows with SQL and a test rewinds the schedule state: databases only.
    private TestDatabase Db => _h.RequireDatabase();

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    // More than a page of customers, spread over no zone, 'UTC' named, and Tokyo; two in three on a plan, one in three gold.
    private async Task<int> CreateCustomersAsync(int count)
    {
        var messages = Enumerable.Range(0, count).Select(i =>
        {
            var traits = new System.Text.Json.Nodes.JsonObject();
            if (i % 3 != 2) traits["plan"] = i % 3 == 0 ? "gold" : "silver";
            if (i % 4 < 2) traits["timezone"] = i % 4 == 0 ? "Asia/Tokyo" : "UTC";
            return Segment.Identify($"c{i:D4}", traits, Now.AddMinutes(-10));
        }).ToArray();
        foreach (var chunk in messages.Chunk(200)) await _h.Ingest(chunk);
        return count;
    }

    private async Task<List<(string Journey, string ExternalId, string EntryKey, string Status)>> InstancesAsync()
    {
        await using var connection = await Db.Storage.OpenConnectionAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<(string, string, string, string)>("""
            SELECT i.journey, c.external_id, i.entry_key, i.status FROM journey_instances i JOIN customers c ON c.id = i.customer_id
            ORDER BY i.journey, c.external_id
            """)];
    }

    [Test]
    public async Task A_scan_and_a_zone_schedule_share_the_pages_and_enter_exactly_their_audiences()
    {
        var count = await CreateCustomersAsync(JourneyScheduler.PageSize + 101);
        var report = await _h.Scheduler.TickAsync(CancellationToken.None);

        var instances = await InstancesAsync();
        var customers = Enumerable.Range(0, count).Select(i => (Id: $"c{i:D4}", Plan: i % 3, Tokyo: i % 4 == 0)).ToList();
        instances.Where(i => i.Journey == "morning").Select(i => i.ExternalId).Should()
            .Equal(customers.Where(c => c.Plan == 0 && !c.Tokyo).Select(c => c.Id), "gold customers in UTC, with a zone or without, and no one in Tokyo");
        instances.Where(i => i.Journey == "morning").Should().OnlyContain(i => i.EntryKey == "schedule:2026-11-18T10:00:00Z" && i.Status == "completed");
        instances.Where(i => i.Journey == "tagger").Select(i => i.ExternalId).Should().Equal(customers.Where(c => c.Plan != 2).Select(c => c.Id));
        instances.Where(i => i.Journey == "tagger").Should().OnlyContain(i => i.Status == "active", "its second step waits three days");
        instances.Where(i => i.Journey == "tagged").Select(i => i.ExternalId).Should()
            .Equal(customers.Where(c => c.Plan != 2).Select(c => c.Id), "the tags tagger added this tick are seen by the journey after it");
        report.ScheduledEntries.Should().Be(instances.Count(i => i.Journey == "morning"));
        report.ScanEntries.Should().Be(instances.Count(i => i.Journey != "morning"));

        await using var connection = await Db.Storage.OpenConnectionAsync(CancellationToken.None);
        var messages = (await connection.QueryAsync<(string Journey, string Step, string Status, string Key)>(
            "SELECT o.journey, o.step, o.status, o.idempotency_key FROM outbox o JOIN journey_instances i ON i.id = o.instance_id")).ToList();
        messages.Should().HaveCount(instances.Count(i => i.Journey != "tagger"));
        messages.Should().OnlyContain(m => m.Status == "queued" && m.Key.StartsWith(m.Journey + ":"));
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM journey_steps")).Should().Be(instances.Count);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM journey_instances WHERE last_step_at IS NULL")).Should().Be(0);
    }

    [Test]
    public async Task A_tick_run_again_after_a_crash_before_its_checks_were_saved_enters_nobody_twice()
    {
        await CreateCustomersAsync(JourneyScheduler.PageSize + 20);
        await _h.Scheduler.TickAsync(CancellationToken.None);
        var first = await InstancesAsync();
        await using var connection = await Db.Storage.OpenConnectionAsync(CancellationToken.None);
        var outbox = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox");

        await connection.ExecuteAsync("DELETE FROM journey_schedule_state");
        var again = await _h.Scheduler.TickAsync(CancellationToken.None);

        again.ScheduledEntries.Should().Be(0);
        again.ScanEntries.Should().Be(0);
        (await InstancesAsync()).Should().Equal(first);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox")).Should().Be(outbox);
    }

    [Test]
    public async Task Only_the_zones_with_a_schedule_due_are_read_when_no_scan_is_due()
    {
        await CreateCustomersAsync(40);
        await _h.Scheduler.TickAsync(CancellationToken.None);

        // 01:00 UTC the next day is 10:00 in Tokyo: the schedule is due there, and the scans wait for their day.
        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 19, 1, 0, 30, TimeSpan.Zero));
        var report = await _h.Scheduler.TickAsync(CancellationToken.None);

        report.ScanEntries.Should().Be(0);
        var tokyo = (await InstancesAsync()).Where(i => i.EntryKey == "schedule:2026-11-19T01:00:00Z").Select(i => i.ExternalId).ToList();
        tokyo.Should().Equal(Enumerable.Range(0, 40).Where(i => i % 3 == 0 && i % 4 == 0).Select(i => $"c{i:D4}"));
        report.ScheduledEntries.Should().Be(tokyo.Count);
    }

    [Test]
    public async Task A_page_screened_outside_the_transaction_is_checked_again_before_anyone_enters()
    {
        await CreateCustomersAsync(6);
        await using var connection = await Db.Storage.OpenConnectionAsync(CancellationToken.None);
        // By name: one batch's customers are created in lanes, so their ids need not follow their names.
        var ids = (await connection.QueryAsync<long>("SELECT id FROM customers ORDER BY external_id")).ToList();
        DueAudience[] due = [new(_h.Journeys.Current.Find("tagger")!, "scan:1", JourneyScheduler.AllZones)];
        var screen = await _h.Engine.ScreenAsync(Db.Storage, due, ids, Now, CancellationToken.None);
        screen.Candidates[0].Should().Equal(new[] { ids[0], ids[1], ids[3], ids[4] }.Order(), "those on a plan, in id order");

        // Between the screen and the transaction, c0000 leaves its plan and c0002 takes one.
        await _h.Ingest(
            Segment.Identify("c0000", new System.Text.Json.Nodes.JsonObject { ["plan"] = "" }, Now),
            Segment.Identify("c0002", new System.Text.Json.Nodes.JsonObject { ["plan"] = "gold" }, Now));
        await using (var tx = await Db.Storage.BeginJourneyWorkAsync(CancellationToken.None))
        {
            (await _h.Engine.EnterAudiencesAsync(tx, due, screen, Now, CancellationToken.None)).Should().Equal(3);
            await tx.CommitAsync(CancellationToken.None);
        }

        (await InstancesAsync()).Select(i => i.ExternalId).Should().Equal(["c0001", "c0003", "c0004"],
            "c0000 no longer holds the audience; c0002 was not screened in and waits for the next scan");
    }
}
