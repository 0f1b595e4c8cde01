using System.Diagnostics.Metrics;
using Automation.Core.Telemetry;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Telemetry;

/// <summary>
/// Journey entries, steps and exits are counted once their transaction commits: a transaction that rolls back adds
/// nothing, and a message ingested again (a duplicate) adds nothing. On both databases and in memory.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
[NonParallelizable]
public sealed class JourneyMetricsTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 6, 15, 8, 0, 0, TimeSpan.Zero);

    // A name of its own: the meter is the process's, and other tests count their journeys too.
    private const string Probe = """
        {
          "WorkflowName": "metrics-probe",
          "Trigger": { "Event": "Signed Up" },
          "Exit": { "Events": ["Order Completed"] },
          "Rules": [
            { "RuleName": "hello", "Expression": "journey.HoursSinceEntry >= 0",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "welcome/hello" } } } },
            { "RuleName": "later", "Expression": "journey.DaysSinceEntry >= 3",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "welcome/later" } } } }
          ]
        }
        """;

    private EngineHarness _h = null!;
    private MeterListener _listener = null!;
    private readonly Dictionary<string, long> _counts = [];

    [SetUp]
    public async Task SetUp()
    {
        _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { Journeys = [("metrics-probe.json", Probe)] });
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AutomationMetrics.Name && instrument.Name.StartsWith("automation.journey.", StringComparison.Ordinal))
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "automation.journey", Value: "metrics-probe" })
                    lock (_counts) _counts[instrument.Name] = _counts.GetValueOrDefault(instrument.Name) + value;
        });
        _listener.Start();
    }

    [TearDown]
    public async Task TearDown()
    {
        _listener.Dispose();
        await _h.DisposeAsync();
    }

    private long Count(string instrument)
    {
        lock (_counts) return _counts.GetValueOrDefault(instrument);
    }

    [Test]
    public async Task Entries_steps_and_exits_are_counted_once_committed_and_duplicates_add_nothing()
    {
        await _h.Ingest(Segment.Track("kim", "Signed Up", messageId: "kim-signup"));
        Count("automation.journey.entries").Should().Be(1);
        Count("automation.journey.steps").Should().Be(1, "the first step fires at entry, the second waits three days");

        await _h.Ingest(Segment.Track("kim", "Signed Up", messageId: "kim-signup"));
        Count("automation.journey.entries").Should().Be(1, "a duplicate message derives nothing");

        await _h.Ingest(Segment.Track("kim", "Order Completed", new { order_id = "kim-1", total = 5 }));
        Count("automation.journey.exits").Should().Be(1);
        Count("automation.journey.steps").Should().Be(1);
    }

    [Test]
    public async Task A_transaction_that_rolls_back_runs_nothing_registered_for_its_commit_and_one_that_commits_runs_it_once()
    {
        var committed = 0;
        await using (var rolledBack = await _h.Storage.Ingestion.BeginAsync(CancellationToken.None))
            rolledBack.OnCommitted(() => committed++);
        committed.Should().Be(0);

        await using (var tx = await _h.Storage.Ingestion.BeginAsync(CancellationToken.None))
        {
            tx.OnCommitted(() => committed++);
            committed.Should().Be(0, "nothing runs before the commit");
            await tx.CommitAsync(CancellationToken.None);
        }
        committed.Should().Be(1);
    }
}
