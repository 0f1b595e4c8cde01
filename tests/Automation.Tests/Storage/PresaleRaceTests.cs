using System.Diagnostics;
using System.Text.Json.Nodes;
using Automation.Core.Coupons;
using Automation.Core.Journeys;
using Automation.Core.Presales;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Storage;

/// <summary>
/// Pre-sale announcements under concurrency on PostgreSQL, with two nodes (two storages, each with its own pool and
/// engines) on one database: a wave's customers are claimed in the INSERT that records them, so racing runs tell each
/// customer once, and the journey fires once per customer.
/// </summary>
public sealed class PresaleRaceTests
{
    private const int Racers = 16;

    // Enough for each wave to span pages of PresaleAnnouncer.PageSize.
    private const int Customers = 2_600;
    private static readonly DateTimeOffset Opens = new(2026, 9, 1, 2, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private PostgresStorage _secondNode = null!;
    private FakeTimeProvider _clock = null!;
    private PresaleAnnouncer[] _nodes = null!;
    private DirectoryInfo _folder = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        _secondNode = new PostgresStorage(_db.ConnectionString);
        _clock = new FakeTimeProvider(Opens.AddHours(-24));
        _folder = Directory.CreateTempSubdirectory("automation-presale-race-");
        var rules = Path.Combine(ServerProcess.RepositoryRoot(), "rules");
        var tiers = new TierCatalog();
        tiers.ReloadFile(Path.Combine(rules, "tiers.json")).Should().BeEmpty();
        var sales = new PresaleCatalog();
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, "presales.json"), new JsonObject
        {
            ["Sales"] = new JsonArray(new JsonObject
            {
                ["Name"] = "new-collection", ["Title"] = "New collection", ["Products"] = "all", ["OpensAt"] = "2026-09-01T10:00:00+08:00",
                ["EarlyAccess"] = new JsonObject { ["MaxHours"] = 24 }, ["AnnounceToEveryone"] = true,
            }),
        }.ToJsonString());
        sales.Reload(DiskFiles.Folder(_folder.FullName), "presales.json", [.. tiers.Program!.Tiers.Select(t => t.Name)]).Should().BeEmpty();
        var journeyFile = Path.Combine(rules, "presale-announcement.json");
        var journey = new JourneyFileReader(EngineHarness.ReadOptions).Read(journeyFile, await File.ReadAllBytesAsync(journeyFile));
        journey.Problems.Should().BeEmpty();
        _nodes = [.. new IIngestionStore[] { _db.Storage, _secondNode }.Select(store =>
        {
            var catalog = new JourneyCatalog();
            if (Environment.GetEnvironmentVariable("PRESALE_NO_JOURNEY") is null) catalog.Replace([new JourneyFileResult(journeyFile, journey.Journey, [])]);
            return new PresaleAnnouncer(store, sales, tiers, TestIngestion.Engine(catalog, new CouponCatalog(), tiers), _clock);
        })];
    }

    [TearDown]
    public async Task TearDown()
    {
        await _secondNode.DisposeAsync();
        await _db.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    /// <summary>Customers 1..<paramref name="count"/>; every third Gold, every seventh Diamond, the rest Member or without a tier.</summary>
    private async Task SeedAsync(int count)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        await connection.ExecuteAsync("""
            INSERT INTO customers (external_id, email, created_at, updated_at)
            SELECT 'c-' || n, 'c-' || n || '@example.com', @at, @at FROM generate_series(1, @count) n;
            INSERT INTO customer_tiers (customer_id, tier, since)
            SELECT id, CASE WHEN id % 7 = 0 THEN 'Diamond' WHEN id % 3 = 0 THEN 'Gold' ELSE 'Member' END, @at FROM customers WHERE id % 5 <> 0;
            """, new { count, at = Opens.AddDays(-30) }, commandTimeout: 600);
    }

    private async Task<long> Count(string sql)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return await connection.QuerySingleAsync<long>(sql, commandTimeout: 600);
    }

    private static async Task<int[]> RaceAsync(PresaleAnnouncer[] nodes)
    {
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            return await nodes[i % nodes.Length].AnnounceDueAsync(CancellationToken.None);
        })).ToArray();
        gate.Set();
        return await Task.WhenAll(tasks);
    }

    [Test]
    public async Task Sixteen_runs_on_two_nodes_opening_the_same_windows_tell_each_customer_once()
    {
        await SeedAsync(Customers);
        var early = await Count("SELECT COUNT(*) FROM customer_tiers WHERE tier IN ('Gold', 'Diamond')");
        early.Should().BeGreaterThan(PresaleAnnouncer.PageSize);

        (await RaceAsync(_nodes)).Sum().Should().Be((int)early, "Gold and Diamond open 24 hours early, over several pages");
        (await Count("SELECT COUNT(*) FROM events WHERE name = 'Presale Opened'")).Should().Be(early);
        (await Count("SELECT COUNT(DISTINCT customer_id) FROM events WHERE name = 'Presale Opened'")).Should().Be(early);
        (await Count("SELECT COUNT(*) FROM journey_instances WHERE journey = 'presale-announcement'")).Should().Be(early);
        (await Count("SELECT COUNT(*) FROM outbox WHERE journey = 'presale-announcement'")).Should().Be(early);

        _clock.SetUtcNow(Opens);
        (await RaceAsync(_nodes)).Sum().Should().Be(Customers - (int)early, "everyone else, once");
        (await Count("SELECT COUNT(*) FROM events WHERE name = 'Presale Opened'")).Should().Be(Customers);
        (await Count("SELECT COUNT(DISTINCT customer_id) FROM events WHERE name = 'Presale Opened'")).Should().Be(Customers);
        (await Count("SELECT COUNT(*) FROM outbox WHERE journey = 'presale-announcement'")).Should().Be(Customers);
        (await RaceAsync(_nodes)).Sum().Should().Be(0);
    }

    /// <summary>
    /// The cost at scale; run by hand: <c>--filter Name~A_million</c>. <c>PRESALE_CUSTOMERS</c> sets how many (a million by
    /// default); <c>PRESALE_NO_JOURNEY=1</c> leaves the journey out, to time the claims and events alone.
    /// </summary>
    [Test]
    [Explicit("a measurement, not a check to run with the suite")]
    public async Task A_million_customers_are_told_by_set_based_pages()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("PRESALE_CUSTOMERS"), out var n) ? n : 1_000_000;
        await SeedAsync(count);
        _clock.SetUtcNow(Opens);
        var watch = Stopwatch.StartNew();
        var told = await _nodes[0].AnnounceDueAsync(CancellationToken.None);
        watch.Stop();
        told.Should().Be(count);
        await TestContext.Out.WriteLineAsync($"{count:N0} customers told in {watch.Elapsed.TotalSeconds:N1} s ({count / watch.Elapsed.TotalSeconds:N0} a second)");
    }
}
