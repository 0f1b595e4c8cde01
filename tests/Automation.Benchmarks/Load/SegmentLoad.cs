using System.Diagnostics;
using System.Globalization;
using Automation.Core.Segments;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Benchmarks.Load;

/// <summary>
/// Segment counts at scale: <c>--customers</c> customers generated as <see cref="ScanLoad"/> makes them, then every
/// shipped segment of rules/segments/ counted once. Prints each count's wall time and the process's peak working set.
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
}
