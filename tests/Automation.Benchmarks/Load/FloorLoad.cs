using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Storage;
using Dapper;

namespace Automation.Benchmarks.Load;

/// <summary>
/// The ceiling under HTTP ingestion: storefront events stored in batches of <c>--batch</c>, one transaction each,
/// with no derivation at all — no customers resolved, no tags, carts or journeys. Three ways, <c>--seconds</c> each:
/// through the server's own statement (<see cref="IIngestTransaction.InsertEventsAsync"/>); through one prepared
/// single-row insert reused for every row; and the same into a copy of the table without its two secondary indexes
/// (the unique message id, and customer and time). Whatever ingestion does on top, it cannot store events faster
/// than the first; no statement shape stores them faster than the second.
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- floor --seconds 20</c>.
/// </summary>
public static class FloorLoad
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = IngestLoad.Options(args);
        var provider = options.GetValueOrDefault("provider", "sqlite");
        var seconds = double.Parse(options.GetValueOrDefault("seconds", "20"), CultureInfo.InvariantCulture);
        var batch = int.Parse(options.GetValueOrDefault("batch", "100"), CultureInfo.InvariantCulture);
        var customers = int.Parse(options.GetValueOrDefault("customers", "20000"), CultureInfo.InvariantCulture);
        var folder = Directory.CreateTempSubdirectory("automation-floor-");
        var storage = await BenchmarkStorage.CreateAsync(provider, folder);
        var postgres = provider == "postgres" ? BenchmarkStorage.PostgresConnectionString : null;
        // SQLite has one writer; PostgreSQL runs as many side by side as the server does.
        var writers = int.Parse(options.GetValueOrDefault("writers", storage.ConcurrentTransactions.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        try
        {
            await using (var connection = await storage.OpenConnectionAsync(CancellationToken.None))
            {
                var numbers = provider == "postgres"
                    ? "SELECT i FROM generate_series(1, @customers) AS n (i)"
                    : "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @customers) SELECT i FROM n";
                await connection.ExecuteAsync($"INSERT INTO customers (external_id, created_at, updated_at) SELECT 'u' || i, @Now, @Now FROM ({numbers}) AS numbers",
                    new { customers, Now });
                await connection.ExecuteAsync("CREATE TABLE events_floor AS SELECT * FROM events WHERE 1 = 0");
            }

            var report = (string way, Result r) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider}, {way}, batches of {batch}, {writers} writer(s), {seconds:0} s: {r.Events / r.Elapsed.TotalSeconds:N0} events/s, " +
                $"{r.Cpu.TotalMilliseconds * 1000 / Math.Max(1, r.Events):N0} µs of CPU an event (this process)" +
                $"{(r.ServerCpu is { } server ? $", {server.TotalMilliseconds * 1000 / Math.Max(1, r.Events):N0} µs (the PostgreSQL server)" : "")}, {r.Events:N0} stored"));
            report("the server's insert", await DriveAsync(writers, seconds, batch, customers, postgres, (events, ct) => ShippedAsync(storage, events, ct)));
            foreach (var (way, table) in new[] { ("one prepared insert reused", "events"), ("the same, table without secondary indexes", "events_floor") })
            {
                using var prepared = new PreparedInsert(storage, table);
                report(way, await DriveAsync(writers, seconds, batch, customers, postgres, prepared.StoreAsync));
            }
            return 0;
        }
        finally
        {
            if (provider == "postgres")
            {
                await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
                await connection.ExecuteAsync("DROP TABLE IF EXISTS events_floor");
            }
            (storage as IDisposable)?.Dispose();
            folder.Delete(recursive: true);
        }
    }

    private sealed record Result(long Events, TimeSpan Elapsed, TimeSpan Cpu, TimeSpan? ServerCpu);

    private static async Task ShippedAsync(AutomationStorage storage, IReadOnlyList<EventRecord> events, CancellationToken ct)
    {
        await using var tx = await storage.BeginAsync(ct);
        await tx.InsertEventsAsync(events, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>One open connection per writer and one prepared command on it, reused for every row.</summary>
    private sealed class PreparedInsert(AutomationStorage storage, string table) : IDisposable
    {
        private readonly ThreadLocal<DbCommand> _insert = new(() => Prepare(storage, table), trackAllValues: true);

        private static DbCommand Prepare(AutomationStorage storage, string table)
        {
            var json = storage.Dialect.Name == "postgres" ? (Func<string, string>)(p => $"CAST({p} AS jsonb)") : p => p;
            var connection = storage.OpenConnectionAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO {table} (message_id, customer_id, type, name, properties, context, occurred_at, received_at) " +
                                 $"VALUES (@m, @c, 'track', @n, {json("@p")}, {json("@x")}, @o, @r)";
            foreach (var (name, value) in new (string, object)[] { ("m", ""), ("c", 0L), ("n", ""), ("p", ""), ("x", ""), ("o", Now), ("r", Now) })
            {
                var parameter = insert.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                insert.Parameters.Add(parameter);
            }
            insert.Prepare();
            return insert;
        }

        // Synchronous on purpose: each writer's thread keeps its own connection and prepared statement.
        public Task StoreAsync(IReadOnlyList<EventRecord> events, CancellationToken ct)
        {
            var insert = _insert.Value!;
            using var transaction = insert.Connection!.BeginTransaction();
            insert.Transaction = transaction;
            foreach (var e in events)
            {
                insert.Parameters[0].Value = e.MessageId;
                insert.Parameters[1].Value = e.CustomerId;
                insert.Parameters[2].Value = e.Name;
                insert.Parameters[3].Value = e.Properties.ToJsonString();
                insert.Parameters[4].Value = e.Context!.ToJsonString();
                insert.Parameters[5].Value = e.OccurredAt;
                insert.Parameters[6].Value = e.ReceivedAt;
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            foreach (var insert in _insert.Values)
            {
                insert.Connection!.Dispose();
                insert.Dispose();
            }
            _insert.Dispose();
        }
    }

    private static async Task<Result> DriveAsync(int writers, double seconds, int batch, int customers, string? postgres,
        Func<IReadOnlyList<EventRecord>, CancellationToken, Task> store)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var server = postgres is null ? null : await PostgresServerCpu.StartAsync(postgres);
        var watch = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        long stored = 0;
        var threads = Enumerable.Range(0, writers).Select(w => Task.Factory.StartNew(() =>
        {
            var random = new Random(w);
            while (watch.Elapsed < until)
            {
                var events = Enumerable.Range(0, batch).Select(_ => Storefront(random, customers)).ToList();
                store(events, CancellationToken.None).GetAwaiter().GetResult();
                Interlocked.Add(ref stored, events.Count);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(threads);
        process.Refresh();
        return new Result(stored, watch.Elapsed, process.TotalProcessorTime - cpuBefore, server is null ? null : await server.ElapsedAsync());
    }

    // A product view as a storefront sends it: a random message id, like Segment's, and a customer of many.
    private static EventRecord Storefront(Random random, int customers) => new(
        Guid.NewGuid().ToString(), random.Next(1, customers + 1), MessageType.Track, "Product Viewed",
        new JsonObject { ["product_id"] = $"p{random.Next(500)}", ["sku"] = "SKU-1", ["name"] = "Blue mug", ["price"] = 12.5, ["category"] = "kitchen" },
        new JsonObject { ["ip"] = "10.0.0.1", ["userAgent"] = "Mozilla/5.0" }, Now, Now);
}
