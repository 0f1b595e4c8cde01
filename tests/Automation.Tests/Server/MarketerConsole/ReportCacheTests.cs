using Automation.Server.MarketerConsole;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>The console's report cache: one computation per report, served stale while a fresh one is computed.</summary>
public sealed class ReportCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_report_is_computed_once_then_refreshed_in_the_background_once_it_is_old()
    {
        var clock = new FakeTimeProvider(Now);
        var cache = new ReportCache(clock, Options.Create(new ConsoleOptions { ReportCacheMinutes = 5 }), NullLogger<ReportCache>.Instance);
        var computed = 0;
        Task<int> Compute(CancellationToken ct) => Task.FromResult(Interlocked.Increment(ref computed));

        (await cache.GetAsync("r", Compute)).Should().Be(new CachedReport<int>(1, Now, (await cache.GetAsync("r", Compute)).Took));
        computed.Should().Be(1);

        clock.Advance(TimeSpan.FromMinutes(6));
        var stale = await cache.GetAsync("r", Compute);
        stale.Report.Should().Be(1, "the old report is served while the new one is computed");
        var fresh = await cache.GetAsync("r", Compute);
        fresh.Report.Should().Be(2);
        fresh.AsOf.Should().Be(Now.AddMinutes(6));
    }

    [Test]
    public async Task A_failed_computation_is_not_kept_and_zero_minutes_computes_every_time()
    {
        var clock = new FakeTimeProvider(Now);
        var cache = new ReportCache(clock, Options.Create(new ConsoleOptions { ReportCacheMinutes = 5 }), NullLogger<ReportCache>.Instance);
        var failing = () => cache.GetAsync<int>("r", _ => throw new InvalidOperationException("database down"));
        await failing.Should().ThrowAsync<InvalidOperationException>();
        (await cache.GetAsync("r", _ => Task.FromResult(7))).Report.Should().Be(7);

        var uncached = new ReportCache(clock, Options.Create(new ConsoleOptions { ReportCacheMinutes = 0 }), NullLogger<ReportCache>.Instance);
        var computed = 0;
        await uncached.GetAsync("r", _ => Task.FromResult(++computed));
        (await uncached.GetAsync("r", _ => Task.FromResult(++computed))).Report.Should().Be(2);
    }
}
