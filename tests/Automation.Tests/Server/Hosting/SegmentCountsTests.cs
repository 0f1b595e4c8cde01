using System.Reflection;
using Automation.Core;
using Automation.Core.Segments;
using Automation.Core.Storage;
using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Options;

namespace Automation.Tests.Server.Hosting;

/// <summary>
/// Segment counts on a SQLite database: reused within the cache time, and counted once however many requests ask
/// while a count runs (the list page just after the cache expired), one caller giving up not cancelling the others.
/// </summary>
public sealed class SegmentCountsTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Requests_arriving_while_a_segment_is_counted_share_that_count()
    {
        await using var h = await EngineHarness.CreateAsync(StorageOptions.Sqlite, Start);
        await h.Ingest([.. Enumerable.Range(0, 5).Select(i => Automation.Tests.Support.Segment.Identify($"c{i}", new { email = $"c{i}@example.com" }, Start))]);
        var store = GatedJourneyStore.Wrap(h.Storage.Journeys);
        var counts = new SegmentCounts(new SegmentMembers(store.Store, h.Tiers, h.Clock), h.Clock, Options.Create(new SegmentOptions { CountCacheSeconds = 30 }));
        var everyone = Everyone();

        (await counts.CountAsync(everyone, CancellationToken.None)).Count.Should().Be(5);
        var readsPerCount = store.Reads;
        h.Clock.Advance(TimeSpan.FromSeconds(31));

        var gate = store.Close();
        using var givingUp = new CancellationTokenSource();
        var impatient = counts.CountAsync(everyone, givingUp.Token);
        var waiting = Enumerable.Range(0, 8).Select(_ => counts.CountAsync(everyone, CancellationToken.None)).ToList();
        await givingUp.CancelAsync();
        gate.SetResult();

        await impatient.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        (await Task.WhenAll(waiting)).Select(c => c.Count).Should().AllBeEquivalentTo(5L);
        store.Reads.Should().Be(2 * readsPerCount, "the nine requests after the cache expired were answered by one count");

        await counts.CountAsync(everyone, CancellationToken.None);
        store.Reads.Should().Be(2 * readsPerCount, "within the cache time the count is reused");
    }

    private static Automation.Core.Segments.Segment Everyone()
    {
        var catalog = new SegmentCatalog();
        catalog.Reload(new ContentFolder(new InMemoryFiles().Write("segments/everyone.json", """{ "Expression": "stats.OrderCount >= 0" }"""), "rules"),
            SegmentCatalog.FolderName).Should().BeEmpty();
        return catalog.Find("everyone")!;
    }

    /// <summary>A journey store that counts the pages of customers read, and holds them while its gate is closed.</summary>
    public class GatedJourneyStore : DispatchProxy
    {
        private IJourneyStore _inner = null!;
        private Task _gate = Task.CompletedTask;
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public static GatedJourneyStore Wrap(IJourneyStore inner)
        {
            var proxy = Create<IJourneyStore, GatedJourneyStore>();
            var gated = (GatedJourneyStore)(object)proxy;
            gated._inner = inner;
            return gated;
        }

        /// <summary>This proxy as the store it stands in for.</summary>
        public IJourneyStore Store => (IJourneyStore)(object)this;

        /// <summary>Holds page reads until the returned source is set.</summary>
        public TaskCompletionSource Close()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _gate = gate.Task;
            return gate;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name != nameof(IJourneyStore.CustomersInTimezoneAsync)) return targetMethod.Invoke(_inner, args);
            Interlocked.Increment(ref _reads);
            return ReadAsync(args!);
        }

        private async Task<IReadOnlyList<long>> ReadAsync(object?[] args)
        {
            await _gate;
            return await _inner.CustomersInTimezoneAsync((string)args[0]!, (long)args[1]!, (int)args[2]!, (CancellationToken)args[3]!);
        }
    }
}
