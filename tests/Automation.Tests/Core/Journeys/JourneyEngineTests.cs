using System.Text;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Server.Jobs;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Core.Journeys;

/// <summary>At-most-once, exit, re-entry and catch-up, on both databases.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class JourneyEngineTests(string provider)
{
    private static readonly DateTimeOffset Start = new(2026, 6, 15, 8, 0, 0, TimeSpan.Zero);

    private const string CartRecovery = """
        {
          "WorkflowName": "cart-recovery",
          "Trigger": { "Event": "Product Added" },
          "Exit": { "Events": ["Order Completed"] },
          "ReEntry": "P7D",
          "Rules": [
            { "RuleName": "reminder", "Expression": "journey.HoursSinceEntry >= 1 && cart.ItemCount > 0",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "cart-recovery/reminder" } } } },
            { "RuleName": "coupon", "Expression": "journey.HoursSinceEntry >= 24 && cart.ItemCount > 0",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "sms", "Template": "cart-recovery/coupon" } } } }
          ]
        }
        """;

    private const string MemberDay = """
        {
          "WorkflowName": "member-day",
          "Trigger": { "Schedule": "0 0 10 18 * ?", "Audience": "customer.Trait(\"membership\") != \"\"" },
          "ReEntry": "P20D",
          "Rules": [
            { "RuleName": "offer", "Expression": "journey.HoursSinceEntry >= 0",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "member-day/offer" } } } }
          ]
        }
        """;

    private const string Promo = """
        {
          "WorkflowName": "promo",
          "Trigger": { "Event": "Signed Up" },
          "Rules": [
            { "RuleName": "offer", "Expression": "journey.HoursSinceEntry >= 0",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "promo/a",
                "Variants": [ { "Name": "A" }, { "Name": "B", "Template": "promo/b" } ], "Holdout": 0.2 } } } }
          ]
        }
        """;

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private JourneyCatalog _catalog = null!;
    private IngestionService _ingestion = null!;
    private JourneyScheduler _scheduler = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _clock = new FakeTimeProvider(Start);
        _catalog = new JourneyCatalog();
        var reader = new JourneyFileReader(new JourneyReadOptions(JourneyReadOptions.DefaultChannels, null, new QuartzCronSchedule().Problem));
        _catalog.Replace([
            Read(reader, "cart-recovery.json", CartRecovery),
            Read(reader, "member-day.json", MemberDay),
            Read(reader, "promo.json", Promo),
        ]);
        var engine = TestIngestion.Engine(_catalog);
        _ingestion = TestIngestion.Service(_db.Storage, engine, _clock);
        _scheduler = new JourneyScheduler(_catalog, engine, _db.Storage, new QuartzCronSchedule(), _clock, NullLogger<JourneyScheduler>.Instance);
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    /// <summary>A journey file read from text, which must have no problems; shared with the scheduler's tests.</summary>
    internal static JourneyFileResult Read(JourneyFileReader reader, string file, string json)
    {
        var result = reader.Read(file, Encoding.UTF8.GetBytes(json));
        result.Problems.Should().BeEmpty();
        return new JourneyFileResult(file, result.Journey, result.Problems);
    }

    private Task<IngestOutcome> Ingest(params System.Text.Json.Nodes.JsonObject[] messages) =>
        _ingestion.IngestAsync(Segment.Read(_clock, messages), CancellationToken.None);

    private async Task<long> Count(string sql)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static System.Text.Json.Nodes.JsonObject Added(string user, string? messageId = null, DateTimeOffset? at = null) =>
        Segment.Track(user, CommerceEvents.ProductAdded, new { product_id = "tea", price = 5 }, at ?? Start, messageId);

    [Test]
    public async Task The_same_event_twice_enters_once_and_sends_once()
    {
        await Ingest(Added("ann", "m-1"));
        await Ingest(Added("ann", "m-1"));
        await Ingest(Added("ann", "m-2"));

        _clock.Advance(TimeSpan.FromHours(2));
        await _scheduler.TickAsync(CancellationToken.None);
        await _scheduler.TickAsync(CancellationToken.None);

        (await Count("SELECT COUNT(*) FROM journey_instances")).Should().Be(1);
        (await Count("SELECT COUNT(*) FROM outbox WHERE step = 'reminder'")).Should().Be(1);
    }

    [Test]
    public async Task Two_evaluator_runs_at_once_fire_each_step_once()
    {
        for (var i = 0; i < 20; i++) await Ingest(Added($"c{i}"));
        _clock.Advance(TimeSpan.FromHours(25));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _scheduler.TickAsync(CancellationToken.None))));

        (await Count("SELECT COUNT(*) FROM outbox")).Should().Be(40);
        (await Count("SELECT COUNT(*) FROM journey_steps")).Should().Be(40);
        (await Count("SELECT COUNT(*) FROM journey_instances WHERE status = 'completed'")).Should().Be(20);
    }

    [Test]
    public async Task An_exit_event_ends_the_instance_and_re_entry_waits_its_period()
    {
        await Ingest(Added("ann"));
        await Ingest(Segment.Order("ann", "o1", 5m, Start.AddMinutes(30)));
        (await Count("SELECT COUNT(*) FROM journey_instances WHERE status = 'exited' AND end_reason = 'event: Order Completed'")).Should().Be(1);

        _clock.Advance(TimeSpan.FromDays(2));
        await Ingest(Added("ann", at: _clock.GetUtcNow()));
        (await Count("SELECT COUNT(*) FROM journey_instances")).Should().Be(1, "re-entry waits 7 days");

        _clock.Advance(TimeSpan.FromDays(6));
        await Ingest(Added("ann", at: _clock.GetUtcNow()));
        (await Count("SELECT COUNT(*) FROM journey_instances")).Should().Be(2);
    }

    [Test]
    public async Task An_exit_event_from_before_the_entry_does_not_end_it()
    {
        await Ingest(Added("ann"));
        await Ingest(Segment.Order("ann", "late", 5m, Start.AddHours(-3)));
        (await Count("SELECT COUNT(*) FROM journey_instances WHERE status = 'active'")).Should().Be(1);
    }

    [Test]
    public async Task Events_older_than_a_day_do_not_start_journeys()
    {
        await Ingest(Added("ann", at: Start.AddDays(-2)));
        (await Count("SELECT COUNT(*) FROM journey_instances")).Should().Be(0);
    }

    [Test]
    public async Task A_missed_schedule_runs_once_after_downtime()
    {
        await Ingest(Segment.Identify("member", new { membership = "gold" }, Start));
        await _scheduler.TickAsync(CancellationToken.None);

        // Down from 15 June to 20 August: the 18 June, 18 July and 18 August runs were missed.
        _clock.SetUtcNow(new DateTimeOffset(2026, 8, 20, 12, 0, 0, TimeSpan.Zero));
        await _scheduler.TickAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _scheduler.TickAsync(CancellationToken.None);

        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var entries = (await connection.QueryAsync<string>("SELECT entry_key FROM journey_instances WHERE journey = 'member-day'")).ToList();
        entries.Should().Equal("schedule:2026-08-18T10:00:00Z");
        (await Count("SELECT COUNT(*) FROM outbox WHERE journey = 'member-day'")).Should().Be(1);
    }

    [Test]
    public async Task Variants_are_recorded_with_each_message_and_the_holdout_gets_none()
    {
        for (var i = 0; i < 100; i++) await Ingest(Segment.Track($"p{i}", "Signed Up"));

        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var rows = (await connection.QueryAsync<(string Variant, string Template, string Status)>("SELECT variant, template, status FROM outbox WHERE journey = 'promo'")).ToList();
        rows.Should().HaveCount(100);
        rows.Where(r => r.Variant == "holdout").Should().OnlyContain(r => r.Status == "holdout").And.HaveCountGreaterThan(5);
        rows.Where(r => r.Variant == "B").Should().OnlyContain(r => r.Template == "promo/b" && r.Status == "queued");
        rows.Where(r => r.Variant == "A").Should().OnlyContain(r => r.Template == "promo/a");
        (await _db.Storage.ClaimDueAsync(_clock.GetUtcNow(), 1000, TimeSpan.FromMinutes(5), CancellationToken.None))
            .Should().HaveCount(rows.Count(r => r.Variant != "holdout"), "holdout rows are never sent");
    }

    [Test]
    public async Task A_journey_that_is_no_longer_loaded_leaves_its_instances_waiting()
    {
        await Ingest(Added("ann"));
        _catalog.Replace([]);
        _clock.Advance(TimeSpan.FromHours(3));
        await _scheduler.TickAsync(CancellationToken.None);

        (await Count("SELECT COUNT(*) FROM journey_instances WHERE status = 'active'")).Should().Be(1);
        (await Count("SELECT COUNT(*) FROM outbox")).Should().Be(0);
    }
}
