namespace Automation.Core.Messaging;

/// <summary>
/// Calls the database once for whichever concurrent senders are waiting: the first to arrive makes the call for
/// everyone queued meanwhile, and again while more keep coming, and each gets its own item's result back. Used for
/// delivery results: each sender waits until its result is committed before it takes its next message, so a crash
/// repeats at most one message per sender, and senders that finish together share a commit, which keeps SQLite's single
/// writer, and PostgreSQL's commits, from becoming the queue.
/// </summary>
/// <param name="call">Handles a group in one transaction; returns one result per item, in the items' order.</param>
internal sealed class GroupedCalls<TItem, TResult>(Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> call)
{
    private readonly Lock _gate = new();
    private List<(TItem Item, TaskCompletionSource<TResult> Done)> _pending = [];
    private bool _calling;

    /// <summary>Returns once the group holding <paramref name="item"/> has been handled, with the item's result.</summary>
    public Task<TResult> CallAsync(TItem item, CancellationToken ct)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool first;
        lock (_gate)
        {
            _pending.Add((item, done));
            first = !_calling;
            _calling = true;
        }
        if (first) _ = CallGroupsAsync(ct);
        return done.Task;
    }

    private async Task CallGroupsAsync(CancellationToken ct)
    {
        while (true)
        {
            List<(TItem Item, TaskCompletionSource<TResult> Done)> group;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _calling = false;
                    return;
                }
                group = _pending;
                _pending = [];
            }
            try
            {
                var results = await call([.. group.Select(g => g.Item)], ct);
                if (results.Count != group.Count) throw new InvalidOperationException($"{results.Count} results for a group of {group.Count}.");
                for (var i = 0; i < group.Count; i++) group[i].Done.SetResult(results[i]);
            }
            catch (Exception e)
            {
                foreach (var (_, done) in group) done.TrySetException(e);
            }
        }
    }
}
