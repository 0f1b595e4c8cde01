using Automation.Core.Ingestion;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Core;

/// <summary>
/// Group commit's bookkeeping, with a write that the test holds and releases; that the database writes a group as
/// it would write the requests one by one is <see cref="Storage.IngestionContractTests"/>' part.
/// </summary>
public sealed class IngestGroupsTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    private static IReadOnlyList<InboundMessage> Request(string id) => Segment.Read(Clock, Segment.Track("u1", "Viewed", messageId: id));

    /// <summary>Records each group written; the first write waits for <see cref="ReleaseFirst"/>.</summary>
    private sealed class HeldWrites
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<string[]> Groups { get; } = [];
        public Func<IReadOnlyList<InboundMessage>, bool> Fails { get; init; } = _ => false;

        public void ReleaseFirst() => _release.SetResult();

        public async Task<IReadOnlyList<IngestOutcome>> WriteAsync(IReadOnlyList<IReadOnlyList<InboundMessage>> requests)
        {
            bool first;
            lock (Groups)
            {
                first = Groups.Count == 0;
                Groups.Add([.. requests.SelectMany(r => r).Select(m => m.MessageId)]);
            }
            if (first) await _release.Task;
            if (requests.Any(Fails)) throw new InvalidOperationException("refused");
            return [.. requests.Select(r => new IngestOutcome(r.Count, []))];
        }
    }

    [Test]
    public async Task Requests_that_arrive_during_a_write_are_written_together_next_and_each_is_answered()
    {
        var writes = new HeldWrites();
        var groups = new IngestGroups(writes.WriteAsync, concurrentGroups: 1);

        var first = groups.IngestAsync(Request("a"), CancellationToken.None);
        await WaitUntil(() => writes.Groups.Count == 1);
        string[] later = ["b", "c", "d"];
        var waiting = later.Select(id => groups.IngestAsync(Request(id), CancellationToken.None)).ToArray();
        first.IsCompleted.Should().BeFalse();
        writes.ReleaseFirst();

        (await first).Accepted.Should().Be(1);
        (await Task.WhenAll(waiting)).Should().AllSatisfy(o => o.Accepted.Should().Be(1));
        string[][] expected = [["a"], ["b", "c", "d"]];
        writes.Groups.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Test]
    public async Task A_group_stops_gathering_at_the_message_limit()
    {
        var writes = new HeldWrites();
        var groups = new IngestGroups(writes.WriteAsync, concurrentGroups: 1);
        var large = Segment.Read(Clock, [.. Enumerable.Range(0, 600).Select(i => Segment.Track("u1", "Viewed", messageId: $"large-{i}"))]);

        var first = groups.IngestAsync(Request("a"), CancellationToken.None);
        await WaitUntil(() => writes.Groups.Count == 1);
        var rest = new[] { groups.IngestAsync(large, CancellationToken.None), groups.IngestAsync(large, CancellationToken.None) };
        writes.ReleaseFirst();
        await Task.WhenAll([first, .. rest]);

        writes.Groups.Select(g => g.Length).Should().Equal(1, 600, 600);
    }

    [Test]
    public async Task A_request_that_fails_its_group_fails_alone()
    {
        var writes = new HeldWrites { Fails = r => r.Any(m => m.MessageId == "bad") };
        var groups = new IngestGroups(writes.WriteAsync, concurrentGroups: 1);

        var first = groups.IngestAsync(Request("a"), CancellationToken.None);
        await WaitUntil(() => writes.Groups.Count == 1);
        var good = groups.IngestAsync(Request("b"), CancellationToken.None);
        var bad = groups.IngestAsync(Request("bad"), CancellationToken.None);
        var alsoGood = groups.IngestAsync(Request("c"), CancellationToken.None);
        writes.ReleaseFirst();

        (await good).Accepted.Should().Be(1);
        (await alsoGood).Accepted.Should().Be(1);
        await FluentActions.Awaiting(() => bad).Should().ThrowAsync<InvalidOperationException>().WithMessage("refused");
        await first;
        string[][] expected = [["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]];
        writes.Groups.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Test]
    public async Task Cancelling_a_request_stops_its_wait_not_the_write()
    {
        var writes = new HeldWrites();
        var groups = new IngestGroups(writes.WriteAsync, concurrentGroups: 1);
        using var cancel = new CancellationTokenSource();

        var first = groups.IngestAsync(Request("a"), cancel.Token);
        await WaitUntil(() => writes.Groups.Count == 1);
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => first).Should().ThrowAsync<OperationCanceledException>();
        writes.ReleaseFirst();

        (await groups.IngestAsync(Request("b"), CancellationToken.None)).Accepted.Should().Be(1);
        string[][] expected = [["a"], ["b"]];
        writes.Groups.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Test]
    public async Task Up_to_the_concurrency_given_groups_are_written_side_by_side()
    {
        var writes = new HeldWrites();
        var groups = new IngestGroups(writes.WriteAsync, concurrentGroups: 2);

        var first = groups.IngestAsync(Request("a"), CancellationToken.None);
        await WaitUntil(() => writes.Groups.Count == 1);
        // The second writer takes this one while the first is held.
        (await groups.IngestAsync(Request("b"), CancellationToken.None)).Accepted.Should().Be(1);
        first.IsCompleted.Should().BeFalse();
        writes.ReleaseFirst();
        (await first).Accepted.Should().Be(1);
    }

    private static Task WaitUntil(Func<bool> condition) =>
        Eventually.Until(() => Task.FromResult(condition()), every: TimeSpan.FromMilliseconds(5));
}
