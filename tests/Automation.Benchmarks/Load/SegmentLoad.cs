using System.Diagnostics;
using Dapper;
using System.Globalization;
using Automation.Core.Segments;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Benchmarks.Load;

/// <summary>
/// Segment counts at scale: <c>--customers</c> customers generated as <see cref="ScanLoad"/> makes them, with a
/// purchase history for those who ordered (<see cref="GeneratePurchasesAsync"/>), then every shipped segment of
/// rules/segments/ counted once. Prints each count's wall time and the process's peak working set.
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- segments --customers 1000000</c>.
/// </summary>
public static class SegmentLoad
{
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = IngestLoad.Options(args);
        var customers = int.Parse(options.GetValueOrDefault("customers", "100000"), CultureInfo.InvariantCulture);
        var provider = options.GetValueOrDefault("provider", "sqlite");
        var folder = Directory.CreateTempSubdirectory("automation-segments-");
        var storage = await BenchmarkStorage.CreateAsync(provider, folder);
        try
        {
            var loading = Stopwatch.StartNew();
            await ScanLoad.GenerateAsync(storage, customers);
            await GeneratePurchasesAsync(storage, customers);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{provider}: {customers:N0} customers generated in {loading.Elapsed.TotalSeconds:N1} s"));
            var rules = DiskFolderProvider.Open(Path.Combine(IngestLoad.RepositoryRoot(), "rules"));
            var segments = new SegmentCatalog();
            segments.Reload(rules, SegmentCatalog.FolderName);
            var tiers = new TierCatalog();
            tiers.Reload(rules, JourneyFiles.TiersName);
            var members = new SegmentMembers(storage, tiers, new FakeTimeProvider(Now));
            foreach (var segment in segments.Segments)
            {
                var watch = Stopwatch.StartNew();
                var count = await members.CountAsync(segment, CancellationToken.None);
                var process = Process.GetCurrentProcess();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{segment.Name} ({segment.Rule.Reads}): {count:N0} of {customers:N0} in {watch.Elapsed.TotalSeconds:N1} s; peak working set so far {process.PeakWorkingSet64 / 1048576.0:N0} MB"));
            }
            return 0;
        }
        finally
        {
            (storage as IDisposable)?.Dispose();
            folder.Delete(recursive: true);
        }
    }

    // Fifty products in five categories (coffee among them); each customer with n orders (id % 6) bought n of them, the
    // last time 0–364 days ago: about 2.5 purchase rows a customer, what purchase-history segments read.
    private static async Task GeneratePurchasesAsync(Automation.Storage.AutomationStorage storage, int customers)
    {
        await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
        var sqlite = storage.Dialect.Name == "sqlite";
        var productSeries = sqlite ? "WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < 49) SELECT j FROM n" : "SELECT j FROM generate_series(0, 49) AS j";
        var lineSeries = sqlite ? "WITH RECURSIVE m(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM m WHERE k < 5) SELECT k FROM m" : "SELECT k FROM generate_series(1, 5) AS k";
        string[] commands =
        [
            $"""
            INSERT INTO products (product_id, name, category, price, updated_at)
            SELECT 'p' || j, 'Product ' || j, CASE j % 5 WHEN 0 THEN 'coffee' WHEN 1 THEN 'tea' WHEN 2 THEN 'snacks' WHEN 3 THEN 'detergent' ELSE 'milk-powder' END, 10 + j,
                   {ScanLoad.DaysAgo(sqlite, "0")}
            FROM ({productSeries}) p
            """,
            $"""
            INSERT INTO customer_products (customer_id, product_id, first_bought_at, last_bought_at, bought_count, bought_quantity)
            SELECT i, 'p' || ((i * 7 + k * 11) % 50), {ScanLoad.DaysAgo(sqlite, "365")}, {ScanLoad.DaysAgo(sqlite, "(i * 13 + k * 17) % 365")}, 1, 1 + k % 2
            FROM ({ScanLoad.Series(sqlite)}) s, ({lineSeries}) l
            WHERE k <= i % 6
            """,
        ];
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var sql in commands)
            await connection.ExecuteAsync(new CommandDefinition(sql, new { customers }, transaction, commandTimeout: 600));
        await transaction.CommitAsync();
        if (!sqlite) await connection.ExecuteAsync("ANALYZE products, customer_products");
    }
}
