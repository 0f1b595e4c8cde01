using System.Text;
using Automation.Core;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Server.Jobs;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Tests.Core.Journeys;

/// <summary>
/// A journey instance runs the version of its journey it entered with, on both databases and in memory: a delay changed
/// after a customer entered does not re-time them, while a customer entering afterwards gets the new one.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class JourneyVersionTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);

    internal static string Nudge(int hours) => $$"""
        { "WorkflowName": "nudge", "Trigger": { "Event": "Signed Up" },
          "Rules": [ { "RuleName": "nudge", "Expression": "journey.HoursSinceEntry >= {{hours}}", "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "nudged" } } } } ] }
        """;

    private static readonly string TwoDays = Nudge(48);
    private static readonly string FiveDays = Nudge(120);

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { Journeys = [("nudge.json", TwoDays)] });

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private static JourneyFileResult Read(string json)
    {
        var read = new JourneyFileReader(EngineHarness.ReadOptions).Read("nudge.json", Encoding.UTF8.GetBytes(json));
        read.Problems.Should().BeEmpty();
        return new JourneyFileResult("nudge.json", read.Journey, []);
    }

    private async Task<bool> Nudged(string customer) => (await _h.Customer(customer)).Tags.Contains("nudged");

    private async Task At(TimeSpan sinceStart)
    {
        _h.Clock.SetUtcNow(Start + sinceStart);
        await _h.Scheduler.TickAsync(CancellationToken.None);
    }

    [Test]
    public async Task A_changed_delay_does_not_re_time_a_customer_in_flight_but_times_one_entering_after()
    {
        await _h.Ingest(Segment.Track("ann", "Signed Up", new { }, Start));
        _h.Journeys.Replace([Read(FiveDays)]);
        await _h.Ingest(Segment.Track("bob", "Signed Up", new { }, Start));

        await At(TimeSpan.FromHours(49));
        (await Nudged("ann")).Should().BeTrue("ann entered when the wait was two days");
        (await Nudged("bob")).Should().BeFalse("bob entered after the wait became five days");
        await At(TimeSpan.FromHours(121));
        (await Nudged("bob")).Should().BeTrue();
    }
}

/// <summary>A new process's catalog reading back, by hash, the version an instance entered with (databases only: the bytes are published content).</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class JourneyVersionRestartTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly string TwoDays = JourneyVersionTests.Nudge(48);
    private static readonly string FiveDays = JourneyVersionTests.Nudge(120);

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { Journeys = [("nudge.json", TwoDays)] });

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private async Task<bool> Nudged(string customer) => (await _h.Customer(customer)).Tags.Contains("nudged");

    private async Task At(TimeSpan sinceStart, JourneyScheduler scheduler)
    {
        _h.Clock.SetUtcNow(Start + sinceStart);
        await scheduler.TickAsync(CancellationToken.None);
    }

    [Test]
    public async Task After_a_restart_the_version_an_instance_entered_with_is_read_back_from_the_published_bytes()
    {
        var store = _h.RequireDatabase().Storage;
        await _h.Ingest(Segment.Track("ann", "Signed Up", new { }, Start));
        await store.PublishAsync([new ContentFile("rules/nudge.json", Encoding.UTF8.GetBytes(TwoDays))], new ContentPublication(0, "files", "imported", Start), null, default);

        // A new process: its catalog has run only the five-day version.
        var catalog = new JourneyCatalog(store, NullLogger<JourneyCatalog>.Instance);
        catalog.Reload(new ContentFolder(new InMemoryFiles().Write("nudge.json", FiveDays), "rules"), EngineHarness.ReadOptions);
        var scheduler = new JourneyScheduler(catalog, TestIngestion.Engine(catalog), store, new QuartzCronSchedule(), _h.Clock, NullLogger<JourneyScheduler>.Instance);

        await At(TimeSpan.FromHours(49), scheduler);
        (await Nudged("ann")).Should().BeTrue("the two-day version was read back by its hash");
    }

    [Test]
    public async Task A_version_whose_bytes_are_gone_runs_as_the_current_one()
    {
        var store = _h.RequireDatabase().Storage;
        await _h.Ingest(Segment.Track("ann", "Signed Up", new { }, Start));

        var catalog = new JourneyCatalog(store, NullLogger<JourneyCatalog>.Instance);
        catalog.Reload(new ContentFolder(new InMemoryFiles().Write("nudge.json", FiveDays), "rules"), EngineHarness.ReadOptions);
        var scheduler = new JourneyScheduler(catalog, TestIngestion.Engine(catalog), store, new QuartzCronSchedule(), _h.Clock, NullLogger<JourneyScheduler>.Instance);

        await At(TimeSpan.FromHours(49), scheduler);
        (await Nudged("ann")).Should().BeFalse("no bytes of the two-day version: the current five-day one runs");
        await At(TimeSpan.FromHours(121), scheduler);
        (await Nudged("ann")).Should().BeTrue();
    }

}
