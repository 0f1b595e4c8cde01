using Automation.Core.Storage;

namespace Automation.Core.Messaging;

/// <summary>
/// Records delivery results for concurrent senders, several per commit. Each sender waits until its own result is
/// committed before it takes its next message, so a crash can repeat at most one message per sender (the one sent but
/// not yet recorded); meanwhile the senders that finish together share one commit, which is what keeps SQLite's single
/// writer from becoming the queue.
/// </summary>
internal sealed class GroupCommit(IOutboxStore store)
{
    private readonly Lock _gate = new();
    private List<((ClaimedMessage Message, DeliveryResult Result) Item, TaskCompletionSource Done)> _pending = [];
    private bool _flushing;

    /// <summary>Returns once the result is committed, with the results of whoever else was waiting.</summary>
    public Task RecordAsync(ClaimedMessage message, DeliveryResult result, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool flush;
        lock (_gate)
        {
            _pending.Add(((message, result), done));
            flush = !_flushing;
            _flushing = true;
        }
        // The first to arrive commits for everyone queued meanwhile, and again while more keep coming.
        if (flush) _ = FlushAsync(ct);
        return done.Task;
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        while (true)
        {
            List<((ClaimedMessage Message, DeliveryResult Result) Item, TaskCompletionSource Done)> group;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                group = _pending;
                _pending = [];
            }
            try
            {
                await store.CompleteAsync([.. group.Select(g => g.Item)], ct);
                foreach (var (_, done) in group) done.SetResult();
            }
            catch (Exception e)
            {
                foreach (var (_, done) in group) done.SetException(e);
            }
        }
    }
}
