using System.Diagnostics;
using System.Globalization;
using Automation.Core.Audit;
using Automation.Core.Broadcasts;
using Automation.Core.Presales;
using Automation.Core.Segments;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Benchmarks.Load;

/// <summary>
/// A broadcast to a whole audience: <c>--customers</c> customers generated as <see cref="ScanLoad"/> makes them, one
/// broadcast (10 % holdout, two variants) to a segment of everyone, walked by the sender the job runs: each page's
/// members evaluated, entered and enqueued in one transaction. Prints the walk's time and rate; sending the queued
/// messages is the channel's dispatch rate (<see cref="DispatchLoad"/>).
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- broadcast --customers 100000 [--provider postgres]</c>.
/// </summary>
public static class BroadcastLoad
{
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = IngestLoad.Options(args);
        var customers = int.Parse(options.GetValueOrDefault("customers", "100000"), CultureInfo.InvariantCulture);
        var provider = options.GetValueOrDefault("provider", "sqlite");
        var folder = Directory.CreateTempSubdirectory("automation-broadcast-");
        var storage = await BenchmarkStorage.CreateAsync(provider, folder);
        try
        {
            await ScanLoad.GenerateAsync(storage, customers);
            var rules = Directory.CreateDirectory(Path.Combine(folder.FullName, "rules", SegmentCatalog.FolderName)).Parent!.FullName;
            await File.WriteAllTextAsync(Path.Combine(rules, SegmentCatalog.FolderName, "everyone.json"), """{ "Expression": "stats.OrderCount >= 0" }""");
            var segments = new SegmentCatalog();
            segments.Reload(DiskFolderProvider.Open(rules), SegmentCatalog.FolderName);
            var tiers = new TierCatalog();
            tiers.Reload(DiskFolderProvider.Open(Path.Combine(IngestLoad.RepositoryRoot(), "rules")), JourneyFiles.TiersName);
            var clock = new FakeTimeProvider(Now);
            var sender = new BroadcastSender(storage, storage, segments, new SegmentMembers(storage, tiers, clock), new PresaleCatalog(), tiers, clock);
            var (id, _) = await storage.CreateBroadcastAsync(new NewBroadcast(null, "bench", "everyone", "email", "bench/message", Now, null, null, 10,
                [new BroadcastVariant("A", "bench/message", 1), new BroadcastVariant("B", "bench/message-b", 1)], customers, Now), AuditActor.Cli("bench"), CancellationToken.None);

            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var enqueued = await sender.SendDueAsync(CancellationToken.None);
            var elapsed = watch.Elapsed;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
            var rows = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE journey = @journey", new { journey = Broadcast.JourneyOf(id) });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider}: broadcast to {customers:N0} customers walked in {elapsed.TotalSeconds:N1} s ({cpu.TotalSeconds:N1} s of CPU): {enqueued:N0} members enqueued " +
                $"({rows:N0} outbox rows, holdout included), {enqueued / elapsed.TotalSeconds:N0} members/s; peak working set {process.PeakWorkingSet64 / 1048576.0:N0} MB"));
            return rows == customers ? 0 : 1;
        }
        finally
        {
            (storage as IDisposable)?.Dispose();
            folder.Delete(recursive: true);
        }
    }
}
