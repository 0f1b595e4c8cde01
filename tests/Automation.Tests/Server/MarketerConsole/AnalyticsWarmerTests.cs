using Automation.Core.Points;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>The analytics page's default reports are computed when the server starts, before anyone opens the page.</summary>
public sealed class AnalyticsWarmerTests
{
    private static readonly DateTimeOffset Start = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

    [TestCase(true, TestName = "With console users the default reports are computed at start")]
    [TestCase(false, TestName = "Without console users nothing is computed")]
    public async Task Default_reports_are_computed_at_start(bool users)
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var clock = new FakeTimeProvider(Start);
        var options = Options.Create(new ConsoleOptions
        {
            ReportCacheMinutes = 5,
            Users = users ? [new ConsoleUser { Name = "mara", PasswordHash = "unused here" }] : [],
        });
        var reports = new AnalyticsReportSet(db.Storage, new ReportCache(clock, options, NullLogger<ReportCache>.Instance), new TierCatalog(), new PointsSettings(),
            Options.Create(new AnalyticsSettings { ReturningShareTarget = 0.5 }), clock);
        using var warmer = new AnalyticsWarmer(reports, options, clock, NullLogger<AnalyticsWarmer>.Instance);

        await warmer.StartAsync(CancellationToken.None);
        // The warmer runs on its own thread: wait for its first pass, or for it to decide there is nothing to do.
        for (var waited = 0; warmer.Passes == 0 && !warmer.ExecuteTask!.IsCompleted && waited < 200; waited++) await Task.Delay(50);
        (warmer.Passes > 0).Should().Be(users);
        clock.Advance(TimeSpan.FromMinutes(1));
        var opened = await reports.GetDefaultAsync();
        await warmer.StopAsync(CancellationToken.None);

        // A report keeps the time its computation started: the warmer's start, or the page's own visit a minute later.
        var expected = users ? Start : Start.AddMinutes(1);
        opened.Repurchase.AsOf.Should().Be(expected);
        opened.Attribution.AsOf.Should().Be(expected);
        opened.Loyalty.AsOf.Should().Be(expected);
        opened.ByTier.AsOf.Should().Be(expected);
        opened.ByMembership.AsOf.Should().Be(expected);
    }
}
