using System.Diagnostics;
using Automation.Core.Telemetry;

namespace Automation.Core.Ingestion;

/// <summary>
/// Group commit for ingestion. Requests that arrive while the database is busy with a write wait, then go together
/// in the next transaction: a burst of small requests shares one commit and one run of each statement, instead of
/// queueing for the writer one at a time. Each request is still answered only after its messages are
/// committed, and its outcome is its own, as if it had been written alone.
/// </summary>
/// <param name="write">Writes one group in one transaction and returns each request's outcome, in order.</param>
/// <param name="concurrentGroups">Groups written at once: one where the database has a single writer.</param>
internal sealed class IngestGroups(Func<IReadOnlyList<IReadOnlyList<InboundMessage>>, Task<IReadOnlyList<IngestOutcome>>> write, int concurrentGroups)
{
    /// <summary>Most messages a group gathers from waiting requests: a full batch request goes alone.</summary>
    public const int MaxGroupMessages = 1_000;

    /// <param name="Caller">The span of the request (its ingest API call), which the group's span continues.</param>
    private sealed record Waiting(IReadOnlyList<InboundMessage> Messages, ActivityContext Caller)
    {
        public TaskCompletionSource<IngestOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Lock _gate = new();
    private readonly Queue<Waiting> _waiting = new();
    private int _writers;

    /// <summary>
    /// Queues the messages and waits until they are committed. Cancelling stops the wait, not the write: messages
    /// already queued may still be stored, which a retry with the same message ids then reports as duplicates.
    /// </summary>
    public Task<IngestOutcome> IngestAsync(IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken)
    {
        var request = new Waiting(messages, Activity.Current?.Context ?? default);
        bool startWriter;
        lock (_gate)
        {
            _waiting.Enqueue(request);
            startWriter = _writers < concurrentGroups;
            if (startWriter) _writers++;
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
                _writers--;
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
