using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Storage;
using Automation.Storage.Migrations;
using Automation.Storage.Postgres;
using Automation.Storage.Sqlite;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Benchmarks;

/// <summary>
/// Ingestion below HTTP: reading and storing one batch of 100 Segment messages (orders, cart events, identifies).
/// PostgreSQL runs when <c>AUTOMATION_BENCH_POSTGRES</c> holds a connection string to an empty database.
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- --filter *Ingest*</c>.
/// </summary>
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private const int BatchSize = 100;

    private AutomationStorage _storage = null!;
    private IngestionService _ingestion = null!;
    private SegmentMessageReader _reader = null!;
    private string? _folder;
    private int _round;

    [Params("sqlite", "postgres")]
    public string Provider { get; set; } = "sqlite";

    [GlobalSetup]
    public void Setup()
    {
        if (Provider == StorageOptions.Postgres)
        {
            var connectionString = Environment.GetEnvironmentVariable("AUTOMATION_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("Set AUTOMATION_BENCH_POSTGRES to benchmark PostgreSQL.");
            _storage = new PostgresStorage(connectionString);
        }
        else
        {
            _folder = Directory.CreateTempSubdirectory("automation-bench-").FullName;
            _storage = new SqliteStorage($"Data Source={Path.Combine(_folder, "bench.db")}");
        }
        new SchemaMigrator(_storage, TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        var points = new PointsSettings();
        _ingestion = new IngestionService(_storage, new JourneyEngine(new JourneyCatalog(), new Automation.Core.Coupons.CouponCatalog(), NullLogger<JourneyEngine>.Instance, points),
            new TagEngine(new TagCatalog(), NullLogger<TagEngine>.Instance), TimeProvider.System, new TierEngine(new TierCatalog()), points);
        _reader = new SegmentMessageReader(TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        (_storage as IDisposable)?.Dispose();
        if (_folder is not null) Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public async Task<int> IngestBatchOf100()
    {
        var round = Interlocked.Increment(ref _round);
        var batch = new JsonArray();
        for (var i = 0; i < BatchSize; i++)
        {
            var userId = $"bench-{(round * 37 + i) % 5_000}";
            batch.Add((i % 3) switch
            {
                0 => new JsonObject
                {
                    ["type"] = "track", ["userId"] = userId, ["event"] = "Order Completed",
                    ["properties"] = new JsonObject { ["order_id"] = $"{Provider}-{round}-{i}", ["total"] = 25.5, ["currency"] = "USD" },
                },
                1 => new JsonObject
                {
                    ["type"] = "track", ["userId"] = userId, ["event"] = "Product Added",
                    ["properties"] = new JsonObject { ["product_id"] = $"p{i % 20}", ["price"] = 9.9, ["quantity"] = 1 },
                },
                _ => new JsonObject { ["type"] = "identify", ["userId"] = userId, ["traits"] = new JsonObject { ["email"] = $"{userId}@example.com" } },
            });
        }
        var result = _reader.ReadBatch(Encoding.UTF8.GetBytes(new JsonObject { ["batch"] = batch }.ToJsonString()));
        return (await _ingestion.IngestAsync(result.Messages, CancellationToken.None)).Accepted;
    }
}
