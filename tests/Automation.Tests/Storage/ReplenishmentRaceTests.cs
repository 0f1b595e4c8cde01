using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Products;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Storage;

/// <summary>Sixteen replenishment jobs at once on two nodes of one PostgreSQL database record one event per customer.</summary>
[Category("Cluster")]
public sealed class ReplenishmentRaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 2, 1, 8, 0, 0, TimeSpan.Zero);
    private const int Customers = 30;

    private TestDatabase _db = null!;

    [SetUp]
    public async Task SetUp() => _db = await TestDatabase.CreateAsync(StorageOptions.Postgres);

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private static (IngestionService Ingestion, ReplenishmentReminders Reminders) Node(AutomationStorage storage, FakeTimeProvider clock)
    {
        var engine = TestIngestion.Engine(new JourneyCatalog());
        return (TestIngestion.Service(storage, engine, clock), new ReplenishmentReminders(storage, engine, new ReplenishmentSettings(), clock));
    }

    [Test]
    public async Task Each_customer_gets_one_event_listing_both_products_when_sixteen_jobs_run_on_two_nodes_at_once()
    {
        var clock = new FakeTimeProvider(Start);
        await using var second = new PostgresStorage(_db.ConnectionString);
        var first = Node(_db.Storage, clock);
        var nodes = new[] { first.Reminders, Node(second, clock).Reminders };
        var orders = Enumerable.Range(0, Customers).Select(i => Segment.Track($"c{i}", "Order Completed", new
        {
            order_id = $"o{i}", total = 20,
            products = new object[] { new { product_id = "detergent", usage_days = 30 }, new { product_id = "softener", usage_days = 31 } },
        }, Start)).ToArray();
        await first.Ingestion.IngestAsync(Segment.Read(clock, orders), CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(27));

        using var gate = new ManualResetEventSlim();
        var runs = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            return await nodes[i % 2].RemindDueAsync(CancellationToken.None);
        })).ToArray();
        gate.Set();
        (await Task.WhenAll(runs)).Sum().Should().Be(Customers);

        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var events = (await connection.QueryAsync<(long CustomerId, string Properties)>(
            "SELECT customer_id, properties::text FROM events WHERE name = 'Replenishment Due'")).ToList();
        events.Select(e => e.CustomerId).Should().OnlyHaveUniqueItems().And.HaveCount(Customers);
        events.Should().OnlyContain(e => e.Properties.Contains("\"product_count\": 2", StringComparison.Ordinal) || e.Properties.Contains("\"product_count\":2", StringComparison.Ordinal));
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM replenishment_due WHERE claimed_at IS NULL")).Should().Be(0);
    }
}
