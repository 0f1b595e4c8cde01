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
        var groups = new IngestGroups(writes.WriteAsync, lanes: 1);

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
        var groups = new IngestGroups(writes.WriteAsync, lanes: 1);
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
        var groups = new IngestGroups(writes.WriteAsync, lanes: 1);

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
        var groups = new IngestGroups(writes.WriteAsync, lanes: 1);
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
    public async Task Customers_in_other_lanes_are_written_side_by_side_and_one_customers_requests_in_order()
    {
        var writes = new HeldWrites();
        var groups = new IngestGroups(writes.WriteAsync, lanes: 2);
        var (held, other) = TwoLanes(groups);

        var first = groups.IngestAsync(Read(held, "a"), CancellationToken.None);
        await WaitUntil(() => writes.Groups.Count == 1);
        // The other lane's writer takes this one while the first lane is held; the held customer's next request waits.
        (await groups.IngestAsync(Read(other, "b"), CancellationToken.None)).Accepted.Should().Be(1);
        var sameCustomer = groups.IngestAsync(Read(held, "c"), CancellationToken.None);
        first.IsCompleted.Should().BeFalse();
        sameCustomer.IsCompleted.Should().BeFalse();
        writes.ReleaseFirst();
        (await first).Accepted.Should().Be(1);
        (await sameCustomer).Accepted.Should().Be(1);
        string[][] expected = [["a"], ["b"], ["c"]];
        writes.Groups.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Test]
    public async Task A_request_across_lanes_is_answered_once_every_part_is_written_with_its_duplicates_in_order()
    {
        var writes = new DuplicateWrites(["d2", "d1"]);
        var groups = new IngestGroups(writes.WriteAsync, lanes: 2);
        var (one, other) = TwoLanes(groups);

        var outcome = await groups.IngestAsync([.. Read(one, "d1"), .. Read(other, "x"), .. Read(one, "y"), .. Read(other, "d2")], CancellationToken.None);
        outcome.Accepted.Should().Be(2);
        outcome.DuplicateMessageIds.Should().Equal("d1", "d2");
        writes.Groups.Should().HaveCount(2);
    }

    /// <summary>Accepts every message but those named, which it reports as duplicates.</summary>
    private sealed class DuplicateWrites(string[] duplicates)
    {
        public List<string[]> Groups { get; } = [];

        public Task<IReadOnlyList<IngestOutcome>> WriteAsync(IReadOnlyList<IReadOnlyList<InboundMessage>> requests)
        {
            lock (Groups) Groups.Add([.. requests.SelectMany(r => r).Select(m => m.MessageId)]);
            return Task.FromResult<IReadOnlyList<IngestOutcome>>([.. requests.Select(r => new IngestOutcome(
                r.Count(m => !duplicates.Contains(m.MessageId)), [.. r.Select(m => m.MessageId).Where(duplicates.Contains)]))]);
        }
    }

    /// <summary>Two user ids that the lanes' hash puts in different lanes of <paramref name="groups"/>.</summary>
    private static (string, string) TwoLanes(IngestGroups groups)
    {
        var users = Enumerable.Range(0, 64).Select(i => $"u{i}").ToList();
        var lane = users.ToDictionary(u => u, u => groups.LaneOf(Read(u, "probe")[0]));
        return (users[0], users.First(u => lane[u] != lane[users[0]]));
    }

    private static IReadOnlyList<InboundMessage> Read(string user, string id) => Segment.Read(Clock, Segment.Track(user, "Viewed", messageId: id));

    private static Task WaitUntil(Func<bool> condition) =>
        Eventually.Until(() => Task.FromResult(condition()), every: TimeSpan.FromMilliseconds(5));
}
