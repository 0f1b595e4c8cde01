using System.Diagnostics;
using System.Globalization;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Storage;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Benchmarks.Load;

/// <summary>
/// The scheduled scan at scale: <c>--customers</c> generated customers (made inside the database by one
/// INSERT … SELECT per table, so a million take seconds), the shipped journeys loaded, and one scheduler tick at a
/// moment when the scans (win-back, expiring-points) and the member-day schedule are due: every customer is paged
/// through, its facts loaded and each due journey's audience evaluated, entries written. Prints wall time, customers
/// per second and the process's peak working set.
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- scan --customers 1000000</c>.
/// </summary>
public static class ScanLoad
{
    // The 18th at 10:05 UTC: member-day's 10:00 has just passed for customers in UTC.
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    private static readonly string[] Ticks = ["first tick (every audience entered)", "next day (steady state)"];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = IngestLoad.Options(args);
        var customers = int.Parse(options.GetValueOrDefault("customers", "100000"), CultureInfo.InvariantCulture);
        var provider = options.GetValueOrDefault("provider", "sqlite");
        var folder = Directory.CreateTempSubdirectory("automation-scan-");
        var storage = await BenchmarkStorage.CreateAsync(provider, folder);
        try
        {
            var loading = Stopwatch.StartNew();
            await GenerateAsync(storage, customers);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{provider}: {customers:N0} customers generated in {loading.Elapsed.TotalSeconds:N1} s"));

            var catalog = new JourneyCatalog();
            var set = catalog.Reload(DiskFolderProvider.Open(Path.Combine(IngestLoad.RepositoryRoot(), "rules")), new JourneyReadOptions(JourneyReadOptions.DefaultChannels, null, new QuartzCronSchedule().Problem));
            var clock = new FakeTimeProvider(Now);
            var coupons = new Automation.Core.Coupons.CouponCatalog();
            coupons.Reload(Automation.Server.Hosting.DiskFolderProvider.Open(Path.Combine(IngestLoad.RepositoryRoot(), "rules")), "coupons");
            var engine = new JourneyEngine(catalog, coupons, NullLogger<JourneyEngine>.Instance, new PointsSettings(), new Automation.Core.Tiers.TierCatalog());
            // The scheduler logs where a tick's time goes: active instances, then each pass over customers.
            using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            var scheduler = new JourneyScheduler(catalog, engine, storage, new QuartzCronSchedule(), clock, logging.CreateLogger<JourneyScheduler>());

            var journeys = $"{set.Running.Count()} journeys ({set.Running.Count(j => j.Trigger is ScanTrigger or ScheduleTrigger)} scanned or scheduled)";
            // The first tick enters everyone the audiences select; a day later the scans run again over everyone, but
            // most customers are already in (re-entry waits) or still out: the steady state of a daily scan.
            foreach (var (index, tick) in Ticks.Index())
            {
                if (index > 0) await DayPassesAsync(storage);
                var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var report = await scheduler.TickAsync(CancellationToken.None);
                var elapsed = watch.Elapsed;
                process.Refresh();
                var cpu = process.TotalProcessorTime - cpuBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{provider}, {tick}: {customers:N0} customers, {journeys}: {elapsed.TotalSeconds:N1} s ({cpu.TotalSeconds:N1} s of CPU), {customers / elapsed.TotalSeconds:N0} customers/s; " +
                    $"{report.CustomersEvaluated:N0} active instances evaluated, {report.ScheduledEntries:N0} scheduled and {report.ScanEntries:N0} scan entries; " +
                    $"peak working set so far {process.PeakWorkingSet64 / 1048576.0:N0} MB"));
                clock.Advance(TimeSpan.FromDays(1));
            }
            return 0;
        }
        finally
        {
            (storage as IDisposable)?.Dispose();
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// What a day does to the database between two ticks: on PostgreSQL autovacuum has vacuumed and analysed the rows
    /// the first tick wrote (it wakes every minute and inserts set it off), so the next tick neither shares the cores
    /// with it nor reads pages whose rows no vacuum has marked visible yet. SQLite has no such worker.
    /// </summary>
    private static async Task DayPassesAsync(AutomationStorage storage)
    {
        if (storage.Dialect.Name == "sqlite") return;
        var watch = Stopwatch.StartNew();
        await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
        await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE", commandTimeout: 3600));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"a day passes: VACUUM ANALYZE in {watch.Elapsed.TotalSeconds:N1} s"));
    }

    /// <summary>A query of the numbers 1 to <c>@customers</c>, as column <c>i</c>.</summary>
    internal static string Series(bool sqlite) => sqlite
        ? "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @customers) SELECT i FROM n"
        : "SELECT i FROM generate_series(1, @customers) AS i";

    /// <summary>The benchmark's now less <paramref name="days"/> (an SQL expression), as each database stores a time.</summary>
    internal static string DaysAgo(bool sqlite, string days) => sqlite
        ? $"strftime('%Y-%m-%d %H:%M:%S', '{Now.UtcDateTime:yyyy-MM-dd HH:mm:ss}', '-' || ({days}) || ' days') || '.0000000+00:00'"
        : $"(TIMESTAMPTZ '{Now.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00' - ({days}) * INTERVAL '1 day')";

    // Deterministic spreads from the id: a fifth never ordered, orders 1–5, last order 0–199 days ago, carts, tiers.
    internal static async Task GenerateAsync(AutomationStorage storage, int customers)
    {
        await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
        var sqlite = storage.Dialect.Name == "sqlite";
        var series = Series(sqlite);
        string DaysAgo(string days) => ScanLoad.DaysAgo(sqlite, days);
        var now = DaysAgo("0");
        const string emptyTraits = "'{}'";
        var commands = new[]
        {
            $"""
            INSERT INTO customers (id, external_id, email, name, birthday, traits, created_at, updated_at) {(sqlite ? "" : "OVERRIDING SYSTEM VALUE")}
            SELECT i, 'scan-' || i, 'scan-' || i || '@example.com', 'Shopper ' || i,
                   CASE WHEN i % 3 = 0 THEN {(sqlite ? "printf('%04d-%02d-%02d', 1960 + i % 40, 1 + i % 12, 1 + i % 28)" : "make_date(1960 + i % 40, 1 + i % 12, 1 + i % 28)::text")} END,
                   {emptyTraits}, {now}, {now}
            FROM ({series}) s
            """,
            $"""
            INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, mean_order_interval_days, coupon_order_count)
            SELECT i, i % 6, (i % 6) * 42.5, {DaysAgo("200 + i % 160")}, {DaysAgo("(i * 37) % 200")}, CASE WHEN i % 6 >= 2 THEN 30 END, i % 2
            FROM ({series}) s WHERE i % 6 > 0
            """,
            $"""
            INSERT INTO customer_tiers (customer_id, tier, since)
            SELECT i, CASE WHEN i % 6 >= 4 THEN 'Silver' ELSE 'Member' END, {DaysAgo("30")}
            FROM ({series}) s WHERE i % 6 > 0
            """,
            $"""
            INSERT INTO carts (customer_id, items, item_count, value, currency, updated_at)
            SELECT i, '[]', 1, 20, 'USD', {DaysAgo("1")}
            FROM ({series}) s WHERE i % 10 = 0
            """,
        };
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var sql in commands)
            await connection.ExecuteAsync(new CommandDefinition(sql, new { customers }, transaction, commandTimeout: 600));
        await transaction.CommitAsync();
        if (sqlite) return;
        // Ids were given, so the identity must be moved past them for customers ingested later.
        await connection.ExecuteAsync("SELECT setval(pg_get_serial_sequence('customers', 'id'), @customers)", new { customers });
        await connection.ExecuteAsync("ANALYZE customers, customer_stats, customer_tiers, carts");
    }
}
