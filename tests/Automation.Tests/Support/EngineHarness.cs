using Automation.Core.Coupons;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Jobs;
using Automation.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Support;

/// <summary>What an <see cref="EngineHarness"/> loads besides its storage; each part left out is what appsettings.json ships.</summary>
internal sealed record EngineSetup
{
    /// <summary>Journey files as (file name, JSON text); each must read without problems.</summary>
    public IReadOnlyList<(string File, string Json)> Journeys { get; init; } = [];

    /// <summary>A tag rules file such as rules/tags.json; none: no tag rules.</summary>
    public string? TagRulesFile { get; init; }

    /// <summary>A tiers file such as rules/tiers.json; none: no tiers.</summary>
    public string? TiersFile { get; init; }

    public PointsSettings? Points { get; init; }

    /// <summary>A folder of coupon campaign files such as rules/coupons; none: no campaigns.</summary>
    public string? CouponsFolder { get; init; }
}

/// <summary>The storage ports the engines and the tests' assertions go through, whichever store stands behind them.</summary>
internal sealed record EngineStorage(IIngestionStore Ingestion, IJourneyStore Journeys, IJourneyQueries Queries, ICustomerStore Customers, IRfmStore Rfm, IDrawQueries Draws,
    IProductQueries Products)
{
    public static EngineStorage Of<TStore>(TStore store) where TStore : IIngestionStore, IJourneyStore, IJourneyQueries, ICustomerStore, IRfmStore, IDrawQueries, IProductQueries =>
        new(store, store, store, store, store, store, store);
}

/// <summary>
/// Storage, catalogs and engines built as the server builds them, on a fake clock, for tests of journey, tag, tier
/// and points logic: on a fresh SQLite or PostgreSQL database (<see cref="StorageOptions"/>' provider names) or on
/// <see cref="InMemoryStorage"/> (<see cref="Memory"/>).
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    /// <summary>The fixture argument that runs a test on <see cref="InMemoryStorage"/>.</summary>
    public const string Memory = "memory";

    /// <summary>How the tests read journey files: the shipped channels and the server's cron parser.</summary>
    public static JourneyReadOptions ReadOptions { get; } = new(JourneyReadOptions.DefaultChannels, null, new QuartzCronSchedule().Problem);

    private EngineHarness(TestDatabase? database, EngineStorage storage, DateTimeOffset start, EngineSetup setup)
    {
        Database = database;
        Storage = storage;
        Clock = new FakeTimeProvider(start);
        if (setup.CouponsFolder is { } coupons) Coupons.ReloadFolder(coupons).Should().BeEmpty();
        var reader = new JourneyFileReader(ReadOptions with { CouponCampaignExists = name => Coupons.Find(name) is not null });
        Journeys.Replace([.. setup.Journeys.Select(f => Read(reader, f.File, f.Json))]);
        if (setup.TagRulesFile is { } tagRules) TagRules.ReloadFile(tagRules).Should().BeEmpty();
        if (setup.TiersFile is { } tiers) Tiers.ReloadFile(tiers).Should().BeEmpty();
        Engine = TestIngestion.Engine(Journeys, Coupons, Tiers);
        TagEngine = TestIngestion.Tags(TagRules, Tiers);
        TierEngine = new TierEngine(Tiers);
        var points = setup.Points ?? new PointsSettings();
        Ingestion = TestIngestion.Service(storage.Ingestion, Engine, Clock, TagEngine, TierEngine, points);
        Scheduler = new JourneyScheduler(Journeys, Engine, storage.Journeys, new QuartzCronSchedule(), Clock, NullLogger<JourneyScheduler>.Instance);
        TagRefresher = new TagRefresher(storage.Ingestion, storage.Journeys, storage.Rfm, TagEngine, Engine, Clock);
        TierReviewer = new TierReviewer(storage.Ingestion, storage.Journeys, TierEngine, Engine, new QuartzCronSchedule(), Clock);
        PointsExpirer = new PointsExpirer(storage.Ingestion, storage.Journeys, Clock);
    }

    /// <summary>Builds the harness on <paramref name="storage"/>: <see cref="Memory"/>, or a provider of <see cref="TestDatabase"/>.</summary>
    public static async Task<EngineHarness> CreateAsync(string storage, DateTimeOffset start, EngineSetup? setup = null)
    {
        if (storage == Memory) return new EngineHarness(null, EngineStorage.Of(new InMemoryStorage()), start, setup ?? new EngineSetup());
        var database = await TestDatabase.CreateAsync(storage);
        return new EngineHarness(database, EngineStorage.Of(database.Storage), start, setup ?? new EngineSetup());
    }

    /// <summary>The database behind <see cref="Storage"/>; null on the in-memory store.</summary>
    public TestDatabase? Database { get; }

    /// <summary>The database, for a test that reads or writes it beyond the ports; such a test runs on the databases only.</summary>
    public TestDatabase RequireDatabase() => Database ?? throw new InvalidOperationException("This test reads the database with SQL: run it on SQLite or PostgreSQL.");

    public EngineStorage Storage { get; }
    public FakeTimeProvider Clock { get; }
    public JourneyCatalog Journeys { get; } = new();
    public TagCatalog TagRules { get; } = new();
    public TierCatalog Tiers { get; } = new();
    public CouponCatalog Coupons { get; } = new();
    public JourneyEngine Engine { get; }
    public TagEngine TagEngine { get; }
    public TierEngine TierEngine { get; }
    public IngestionService Ingestion { get; }
    public JourneyScheduler Scheduler { get; }
    public TagRefresher TagRefresher { get; }
    public TierReviewer TierReviewer { get; }
    public PointsExpirer PointsExpirer { get; }

    /// <summary>Ingests Segment messages as the HTTP API reads them.</summary>
    public Task<IngestOutcome> Ingest(params JsonObject[] messages) => Ingestion.IngestAsync(Segment.Read(Clock, messages), CancellationToken.None);

    /// <summary>The customer with this external or anonymous id, which must exist.</summary>
    public async Task<CustomerSnapshot> Customer(string id) =>
        await Storage.Customers.FindAsync(id, CancellationToken.None) ?? throw new AssertionException($"No customer '{id}'.");

    /// <summary>A journey file read from text, which must have no problems.</summary>
    private static JourneyFileResult Read(JourneyFileReader reader, string file, string json)
    {
        var result = reader.Read(file, Encoding.UTF8.GetBytes(json));
        result.Problems.Should().BeEmpty();
        return new JourneyFileResult(file, result.Journey, result.Problems);
    }

    public async ValueTask DisposeAsync()
    {
        if (Database is not null) await Database.DisposeAsync();
    }
}
