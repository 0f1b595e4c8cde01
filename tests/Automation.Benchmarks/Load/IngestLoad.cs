using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace Automation.Benchmarks.Load;

/// <summary>
/// Ingestion through HTTP, end to end: starts the real server (the shipped journeys, tags and tiers loaded, the
/// scheduler and dispatcher running) on loopback and posts Segment messages to it from <c>--concurrency</c> clients
/// for <c>--seconds</c>, as single events (<c>--batch 1</c>, <c>/v1/track</c>) or batches (<c>/v1/batch</c>).
/// Prints events/s and request latency percentiles. <c>--mix shop</c> is a storefront's stream (views, carts, a few
/// orders, identifies); <c>--mix orders</c> is one third orders.
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- load --batch 100 --seconds 20</c>.
/// </summary>
public static class IngestLoad
{
    private const string ApiKey = "load-test-key-0123456789abcdef";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options(args);
        var provider = options.GetValueOrDefault("provider", "sqlite");
        var batch = int.Parse(options.GetValueOrDefault("batch", "100"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.GetValueOrDefault("concurrency", batch == 1 ? "16" : "4"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(options.GetValueOrDefault("seconds", "20"), CultureInfo.InvariantCulture);
        var warmup = double.Parse(options.GetValueOrDefault("warmup", "5"), CultureInfo.InvariantCulture);
        var mix = options.GetValueOrDefault("mix", "shop");
        var customers = int.Parse(options.GetValueOrDefault("customers", "20000"), CultureInfo.InvariantCulture);

        var root = Directory.CreateTempSubdirectory("automation-load-");
        var repository = RepositoryRoot();
        foreach (var folder in new[] { "rules", "templates" }) CopyFolder(Path.Combine(repository, folder), Path.Combine(root.FullName, folder));
        var port = FreePort();
        var serverArgs = new List<string>
        {
            "--contentRoot", root.FullName, "--Urls", $"http://127.0.0.1:{port}", "--Api:Keys:0", ApiKey,
            "--Logging:LogLevel:Default", "Warning", "--Storage:Provider", provider,
        };
        var postgres = provider == "postgres" ? BenchmarkStorage.PostgresConnectionString : null;
        if (postgres is not null) serverArgs.AddRange(["--Storage:ConnectionString", postgres]);

        await using var app = Automation.Server.AutomationServer.Build([.. serverArgs]);
        await app.StartAsync();
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);

            var warmedUp = await WarmUpAsync(client, batch, concurrency, warmup, mix, customers);
            if (postgres is not null) await AnalyzeAsync(postgres);
            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var database = postgres is null ? null : await PostgresServerCpu.StartAsync(postgres);
            var runtimeBefore = RuntimeWork.SoFar();
            var result = await Drive(client, batch, concurrency, TimeSpan.FromSeconds(seconds), mix, customers, seed: 2);
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var serverCpu = database is null ? (TimeSpan?)null : await database.ElapsedAsync();
            var runtime = RuntimeWork.SoFar() - runtimeBefore;
            var perEvent = (TimeSpan time) => time.TotalMilliseconds * 1000 / Math.Max(1, result.Events);
            var serverShare = serverCpu is { } server ? string.Create(CultureInfo.InvariantCulture, $", and {perEvent(server):N0} µs of the PostgreSQL server's") : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider}, {(batch == 1 ? "single events" : $"batches of {batch}")}, mix {mix}, {concurrency} clients, {seconds:0} s after {warmedUp.TotalSeconds:0} s of warm-up: " +
                $"{result.Events / result.Elapsed.TotalSeconds:N0} events/s; request latency p50 {result.Percentile(50):N1} ms, p95 {result.Percentile(95):N1} ms, " +
                $"p99 {result.Percentile(99):N1} ms; {perEvent(cpu):N0} µs of CPU an event, the clients' included{serverShare}; " +
                $"{result.Failures} failed requests; garbage collection paused the process {runtime.Paused.TotalMilliseconds / result.Elapsed.TotalMilliseconds:P0} of the run " +
                $"({runtime.Collections:N0} collections, {runtime.Allocated / Math.Max(1, result.Events) / 1024.0:N0} KB allocated an event); " +
                $"{runtime.Compiled:N0} methods compiled in {runtime.Compiling.TotalMilliseconds:N0} ms"));
            return result.Failures == 0 ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            root.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Drives the load for at least <paramref name="minimum"/> seconds, then on in slices until tiered compilation
    /// settles: until then the JIT takes a core's worth of a 2-core machine and the measured CPU an event doubles.
    /// </summary>
    private static async Task<TimeSpan> WarmUpAsync(HttpClient client, int batch, int concurrency, double minimum, string mix, int customers)
    {
        var watch = Stopwatch.StartNew();
        await Drive(client, batch, concurrency, TimeSpan.FromSeconds(minimum), mix, customers, seed: 1);
        for (var slice = 0; watch.Elapsed < MaxWarmUp; slice++)
        {
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            // Each slice its own message ids: a repeated one would take the duplicate's shortcut.
            await Drive(client, batch, concurrency, WarmUpSlice, mix, customers, seed: 100 + slice);
            if (System.Runtime.JitInfo.GetCompiledMethodCount() - compiled <= SettledMethods) break;
        }
        return watch.Elapsed;
    }

    /// <summary>
    /// Gathers the planner's statistics, as autovacuum has on a server that has run for minutes. A database created
    /// for the run has none until autovacuum's first pass (up to a minute in): till then a customer's rows in any
    /// table are estimated at 1/200 of it, customer-keyed reads are planned as scans of the whole table, and a run
    /// measured before that pass made a third fewer events a second (server CPU 460–550 µs an event against 300–370).
    /// </summary>
    private static async Task AnalyzeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>Methods a <see cref="WarmUpSlice"/> may still compile once the JIT has settled (a run's steady trickle is ~80 a slice).</summary>
    private const int SettledMethods = 200;

    private static readonly TimeSpan WarmUpSlice = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(120);

    /// <summary>What the runtime itself did so far: collections, their pauses, allocation, and JIT compilation.</summary>
    private sealed record RuntimeWork(TimeSpan Paused, int Collections, long Allocated, long Compiled, TimeSpan Compiling)
    {
        public static RuntimeWork SoFar() => new(GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.GetTotalAllocatedBytes(),
            System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());

        public static RuntimeWork operator -(RuntimeWork after, RuntimeWork before) => new(after.Paused - before.Paused, after.Collections - before.Collections,
            after.Allocated - before.Allocated, after.Compiled - before.Compiled, after.Compiling - before.Compiling);
    }

    private sealed record LoadResult(long Events, TimeSpan Elapsed, List<double> LatenciesMs, long Failures)
    {
        public double Percentile(int p)
        {
            if (LatenciesMs.Count == 0) return double.NaN;
            LatenciesMs.Sort();
            return LatenciesMs[Math.Min(LatenciesMs.Count - 1, (int)Math.Ceiling(p / 100.0 * LatenciesMs.Count) - 1)];
        }
    }

    private static async Task<LoadResult> Drive(HttpClient client, int batch, int concurrency, TimeSpan duration, string mix, int customers, int seed)
    {
        long events = 0, failures = 0;
        var latencies = new List<double>[concurrency];
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var random = new Random(seed * 1000 + worker);
            var mine = latencies[worker] = [];
            var sequence = 0L;
            while (watch.Elapsed < duration)
            {
                var messages = Enumerable.Range(0, batch).Select(_ => Message(random, mix, customers, $"{seed}-{worker}-{sequence++}")).ToList();
                var (path, body) = batch == 1
                    ? ($"/v1/{messages[0]["type"]}", messages[0].ToJsonString())
                    : ("/v1/batch", new JsonObject { ["batch"] = new JsonArray([.. messages]) }.ToJsonString());
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode == HttpStatusCode.OK) Interlocked.Add(ref events, batch);
                else if (Interlocked.Increment(ref failures) <= 3)
                    Console.Error.WriteLine($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return new LoadResult(events, watch.Elapsed, [.. latencies.SelectMany(l => l)], failures);
    }

    private static JsonObject Message(Random random, string mix, int customers, string messageId)
    {
        var userId = $"load-{random.Next(customers)}";
        var roll = random.Next(100);
        var kind = mix == "orders"
            ? roll switch { < 33 => "order", < 66 => "cart", _ => "identify" }
            : roll switch { < 55 => "view", < 75 => "cart", < 80 => "order", < 85 => "delivered", _ => "identify" };
        var message = kind switch
        {
            "identify" => new JsonObject { ["type"] = "identify", ["traits"] = new JsonObject { ["email"] = $"{userId}@example.com", ["timezone"] = "Europe/Berlin" } },
            "view" => Track("Product Viewed", new JsonObject { ["product_id"] = $"p{random.Next(200)}", ["price"] = 19.9 }),
            "cart" => Track("Product Added", new JsonObject { ["product_id"] = $"p{random.Next(200)}", ["price"] = 19.9, ["quantity"] = 1 }),
            "order" => Track("Order Completed", new JsonObject { ["order_id"] = $"o-{messageId}", ["total"] = 20 + random.Next(200), ["currency"] = "USD" }),
            _ => Track("Order Delivered", new JsonObject { ["order_id"] = $"o-{random.Next(100_000)}" }),
        };
        message["userId"] = userId;
        message["messageId"] = messageId;
        return message;
    }

    private static JsonObject Track(string name, JsonObject properties) => new() { ["type"] = "track", ["event"] = name, ["properties"] = properties };

    internal static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
        return options;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Automation.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run from inside the repository.");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
