using System.Diagnostics;
using Automation.Core.Telemetry;

namespace Automation.Core.Ingestion;

/// <summary>
/// Group commit for ingestion, in lanes. Each customer's messages go to one lane, chosen by a hash of the id that names
/// them, and each lane has one writer: requests that arrive while it is busy wait, then go together in its next
/// transaction, so a burst of small requests shares one commit and one run of each statement. Lanes are written side
/// by side and never hold the same customers, so concurrent transactions don't queue on each other's customer rows
/// (nor on the unique index while one of them creates a customer), and one customer's messages are derived in the
/// order they arrived. A request whose messages span lanes is answered once every part of it is committed, with its
/// own outcome, as if it had been written alone.
/// </summary>
/// <param name="write">Writes one group in one transaction and returns each request's outcome, in order.</param>
/// <param name="lanes">Groups written at once: one where the database has a single writer.</param>
internal sealed class IngestGroups(Func<IReadOnlyList<IReadOnlyList<InboundMessage>>, Task<IReadOnlyList<IngestOutcome>>> write, int lanes)
{
    /// <summary>Most messages a group gathers from waiting requests: a full batch request goes alone.</summary>
    public const int MaxGroupMessages = 1_000;

    private readonly Lane[] _lanes = [.. Enumerable.Range(0, lanes).Select(_ => new Lane(write))];

    /// <summary>
    /// Queues the messages and waits until they are committed. Cancelling stops the wait, not the write: messages
    /// already queued may still be stored, which a retry with the same message ids then reports as duplicates. So
    /// may the parts of a request in other lanes when one part fails.
    /// </summary>
    public Task<IngestOutcome> IngestAsync(IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken)
    {
        if (_lanes.Length == 1) return _lanes[0].IngestAsync(messages, cancellationToken);
        var parts = messages.GroupBy(LaneOf).ToList();
        return parts.Count == 1
            ? _lanes[parts[0].Key].IngestAsync(messages, cancellationToken)
            : IngestPartsAsync(messages, parts, cancellationToken);
    }

    /// <summary>
    /// The user id, else the anonymous id, picks the lane. A customer known by both can have messages in two lanes
    /// (an anonymous visit, then a signed-in one): the row locks keep that rare case correct, as they do across nodes.
    /// </summary>
    internal int LaneOf(InboundMessage message) =>
        (int)((uint)StringComparer.Ordinal.GetHashCode(message.UserId ?? message.AnonymousId ?? message.MessageId) % (uint)_lanes.Length);

    private async Task<IngestOutcome> IngestPartsAsync(IReadOnlyList<InboundMessage> messages, List<IGrouping<int, InboundMessage>> parts, CancellationToken cancellationToken)
    {
        var outcomes = await Task.WhenAll(parts.Select(p => _lanes[p.Key].IngestAsync([.. p], cancellationToken)));
        var duplicates = outcomes.SelectMany(o => o.DuplicateMessageIds).CountBy(id => id, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        var inOrder = new List<string>(duplicates.Count);
        foreach (var id in messages.Select(m => m.MessageId))
            if (duplicates.TryGetValue(id, out var left) && left > 0)
            {
                inOrder.Add(id);
                duplicates[id] = left - 1;
            }
        return new IngestOutcome(outcomes.Sum(o => o.Accepted), inOrder);
    }

    /// <summary>One writer and the requests (or parts of requests) waiting for it.</summary>
    private sealed class Lane(Func<IReadOnlyList<IReadOnlyList<InboundMessage>>, Task<IReadOnlyList<IngestOutcome>>> write)
    {
        /// <param name="Caller">The span of the request (its ingest API call), which the group's span continues.</param>
        private sealed record Waiting(IReadOnlyList<InboundMessage> Messages, ActivityContext Caller)
        {
            public TaskCompletionSource<IngestOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        private readonly Lock _gate = new();
        private readonly Queue<Waiting> _waiting = new();
        private bool _writing;

        /// <summary>Queues the messages and waits until they are committed.</summary>
        public Task<IngestOutcome> IngestAsync(IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken)
        {
            var request = new Waiting(messages, Activity.Current?.Context ?? default);
            bool startWriter;
            lock (_gate)
            {
                _waiting.Enqueue(request);
                startWriter = !_writing;
                _writing = true;
            }
            if (startWriter) _ = Task.Run(WriteWhileWaitingAsync, CancellationToken.None);
            return request.Outcome.Task.WaitAsync(cancellationToken);
        }

        private async Task WriteWhileWaitingAsync()
        {
            // The writer outlives the request that started it: each group's span continues its own first request instead.
            Activity.Current = null;
            while (TakeGroup() is { } group) await WriteAsync(group);
        }

        private List<Waiting>? TakeGroup()
        {
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return null;
                }
                var group = new List<Waiting> { _waiting.Dequeue() };
                var size = group[0].Messages.Count;
                while (_waiting.TryPeek(out var next) && size + next.Messages.Count <= MaxGroupMessages)
                {
                    group.Add(_waiting.Dequeue());
                    size += next.Messages.Count;
                }
                return group;
            }
        }

        private async Task WriteAsync(List<Waiting> group)
        {
            // The other requests' spans are linked; nothing is gathered when no one listens (no exporter configured).
            using var activity = AutomationActivities.Source.HasListeners()
                ? AutomationActivities.Source.StartActivity("ingest.group", ActivityKind.Internal, group[0].Caller,
                    links: [.. group.Skip(1).Where(r => r.Caller != default).Select(r => new ActivityLink(r.Caller))])
                : null;
            activity?.SetTag("automation.ingest.requests", group.Count);
            try
            {
                var outcomes = await write([.. group.Select(r => r.Messages)]);
                for (var i = 0; i < group.Count; i++) group[i].Outcome.TrySetResult(outcomes[i]);
            }
            catch when (group.Count > 1)
            {
                // Whatever failed the group (a request the database refuses, a deadlock, an outage), each request is
                // tried alone so that it fails only the requests it belongs to.
                foreach (var request in group) await WriteAsync([request]);
            }
            catch (Exception e)
            {
                group[0].Outcome.TrySetException(e);
            }
        }
    }
}
