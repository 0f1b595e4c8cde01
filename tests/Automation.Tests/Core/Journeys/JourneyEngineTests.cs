using Automation.Core.Ingestion;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Core.Journeys;

/// <summary>At-most-once, exit, re-entry and catch-up, on both databases and in memory.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class JourneyEngineTests(string storage)
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

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup
    {
        Journeys = [("cart-recovery.json", CartRecovery), ("member-day.json", MemberDay), ("promo.json", Promo)],
    });

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private Task Tick() => _h.Scheduler.TickAsync(CancellationToken.None);

    /// <summary>Instances of all journeys in this status, or in any.</summary>
    private async Task<int> Instances(Func<JourneyCounts, int>? status = null) =>
        (await _h.Storage.Queries.CountsAsync(CancellationToken.None)).Values.Sum(status ?? (c => c.Active + c.Completed + c.Exited));

    /// <summary>Outbox messages of a journey, or of one of its steps.</summary>
    private async Task<long> Messages(string journey, string? step = null) =>
        (await _h.Storage.Queries.FunnelAsync(journey, CancellationToken.None)).Messages.Where(m => step is null || m.Step == step).Sum(m => m.Count);

    private async Task<long> StepsFired(string journey) => (await _h.Storage.Queries.FunnelAsync(journey, CancellationToken.None)).InstancesPerStep.Values.Sum();

    private static System.Text.Json.Nodes.JsonObject Added(string user, string? messageId = null, DateTimeOffset? at = null) =>
        Segment.Track(user, CommerceEvents.ProductAdded, new { product_id = "tea", price = 5 }, at ?? Start, messageId);

    [Test]
    public async Task The_same_event_twice_enters_once_and_sends_once()
    {
        await _h.Ingest(Added("ann", "m-1"));
        await _h.Ingest(Added("ann", "m-1"));
        await _h.Ingest(Added("ann", "m-2"));

        _h.Clock.Advance(TimeSpan.FromHours(2));
        await Tick();
        await Tick();

        (await Instances()).Should().Be(1);
        (await Messages("cart-recovery", "reminder")).Should().Be(1);
    }

    [Test]
    public async Task Two_evaluator_runs_at_once_fire_each_step_once()
    {
        for (var i = 0; i < 20; i++) await _h.Ingest(Added($"c{i}"));
        _h.Clock.Advance(TimeSpan.FromHours(25));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Tick)));

        (await Messages("cart-recovery")).Should().Be(40);
        (await StepsFired("cart-recovery")).Should().Be(40);
        (await Instances(c => c.Completed)).Should().Be(20);
    }

    [Test]
    public async Task An_exit_event_ends_the_instance_and_re_entry_waits_its_period()
    {
        await _h.Ingest(Added("ann"));
        await _h.Ingest(Segment.Order("ann", "o1", 5m, Start.AddMinutes(30)));
        (await _h.Storage.Queries.InstancesOfAsync((await _h.Customer("ann")).Profile.Id, CancellationToken.None))
            .Should().ContainSingle(i => i.Status == "exited" && i.EndReason == "event: Order Completed");

        _h.Clock.Advance(TimeSpan.FromDays(2));
        await _h.Ingest(Added("ann", at: _h.Clock.GetUtcNow()));
        (await Instances()).Should().Be(1, "re-entry waits 7 days");

        _h.Clock.Advance(TimeSpan.FromDays(6));
        await _h.Ingest(Added("ann", at: _h.Clock.GetUtcNow()));
        (await Instances()).Should().Be(2);
    }

    [Test]
    public async Task An_exit_event_from_before_the_entry_does_not_end_it()
    {
        await _h.Ingest(Added("ann"));
        await _h.Ingest(Segment.Order("ann", "late", 5m, Start.AddHours(-3)));
        (await Instances(c => c.Active)).Should().Be(1);
    }

    [Test]
    public async Task Events_older_than_a_day_do_not_start_journeys()
    {
        await _h.Ingest(Added("ann", at: Start.AddDays(-2)));
        (await Instances()).Should().Be(0);
    }

    [Test]
    public async Task A_missed_schedule_runs_once_after_downtime()
    {
        await _h.Ingest(Segment.Identify("member", new { membership = "gold" }, Start));
        await Tick();

        // Down from 15 June to 20 August: the 18 June, 18 July and 18 August runs were missed.
        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 8, 20, 12, 0, 0, TimeSpan.Zero));
        await Tick();
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        await Tick();

        (await Instances()).Should().Be(1);
        (await Messages("member-day")).Should().Be(1);
        // No port shows entry keys: which occurrence ran is read where SQL can read it.
        if (_h.Database is { } db)
        {
            await using var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None);
            (await connection.QueryAsync<string>("SELECT entry_key FROM journey_instances WHERE journey = 'member-day'")).Should().Equal("schedule:2026-08-18T10:00:00Z");
        }
    }

    [Test]
    public async Task Variants_are_recorded_with_each_message_and_the_holdout_gets_none()
    {
        for (var i = 0; i < 100; i++) await _h.Ingest(Segment.Track($"p{i}", "Signed Up"));

        var rows = new List<OutboxView>();
        for (var i = 0; i < 100; i++) rows.AddRange(await _h.Storage.Queries.MessagesOfAsync((await _h.Customer($"p{i}")).Profile.Id, CancellationToken.None));
        rows.Should().HaveCount(100).And.OnlyContain(r => r.Journey == "promo");
        rows.Where(r => r.Variant == "holdout").Should().OnlyContain(r => r.Status == MessageStatus.Holdout).And.HaveCountGreaterThan(5);
        rows.Where(r => r.Variant == "B").Should().OnlyContain(r => r.Template == "promo/b" && r.Status == MessageStatus.Queued);
        rows.Where(r => r.Variant == "A").Should().OnlyContain(r => r.Template == "promo/a");
        // Claiming belongs to the dispatcher's outbox store, which only the databases implement.
        if (_h.Database is { } db)
            (await db.Storage.ClaimDueAsync(_h.Clock.GetUtcNow(), 1000, TimeSpan.FromMinutes(5), CancellationToken.None))
                .Should().HaveCount(rows.Count(r => r.Variant != "holdout"), "holdout rows are never sent");
    }

    [Test]
    public async Task A_journey_that_is_no_longer_loaded_leaves_its_instances_waiting()
    {
        await _h.Ingest(Added("ann"));
        _h.Journeys.Replace([]);
        _h.Clock.Advance(TimeSpan.FromHours(3));
        await Tick();

        (await Instances(c => c.Active)).Should().Be(1);
        (await Messages("cart-recovery")).Should().Be(0);
    }
}
