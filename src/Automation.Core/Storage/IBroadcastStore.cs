using Automation.Core.Broadcasts;

namespace Automation.Core.Storage;

/// <summary>
/// Broadcasts and their progress. Each state change is claimed by the statement that makes it (a start or a cancel
/// only from <see cref="BroadcastStatus.Scheduled"/>), so nodes racing for one broadcast agree on who won.
/// </summary>
public interface IBroadcastStore
{
    /// <summary>
    /// Stores a scheduled broadcast; returns its id, and false for <c>Created</c> when one with the same idempotency key
    /// exists already (its id then), claimed by the key's unique index in the insert. A broadcast created writes its
    /// <see cref="Audit.AuditActions.BroadcastCreate"/> entry by <paramref name="actor"/> in the same transaction.
    /// </summary>
    Task<(long Id, bool Created)> CreateBroadcastAsync(NewBroadcast broadcast, Audit.AuditActor actor, CancellationToken cancellationToken);

    /// <summary>One broadcast, or null.</summary>
    Task<Broadcast?> BroadcastAsync(long id, CancellationToken cancellationToken);

    /// <summary>Every broadcast, newest first.</summary>
    Task<IReadOnlyList<Broadcast>> BroadcastsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a broadcast that has not started; false when it is not <see cref="BroadcastStatus.Scheduled"/> (or does
    /// not exist). A cancel writes its <see cref="Audit.AuditActions.BroadcastCancel"/> entry in the same transaction.
    /// </summary>
    Task<bool> CancelBroadcastAsync(long id, DateTimeOffset now, Audit.AuditActor actor, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a scheduled broadcast now, before its time; false when it is not <see cref="BroadcastStatus.Scheduled"/>
    /// (or does not exist). A start writes its <see cref="Audit.AuditActions.BroadcastStart"/> entry in the same transaction.
    /// </summary>
    Task<bool> StartBroadcastAsync(long id, DateTimeOffset now, Audit.AuditActor actor, CancellationToken cancellationToken);

    /// <summary>
    /// Moves every scheduled broadcast due at <paramref name="now"/> to sending in one statement; returns the ids this
    /// call started, each with its <see cref="Audit.AuditActions.BroadcastStart"/> entry by the scheduler in the same transaction.
    /// </summary>
    Task<IReadOnlyList<long>> StartDueBroadcastsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The broadcasts being sent (started here or by another node, perhaps one that stopped mid-way).</summary>
    Task<IReadOnlyList<Broadcast>> SendingBroadcastsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records a walked page: <paramref name="enqueued"/> is always added (each was claimed once by its unique key);
    /// the position moves to <paramref name="throughCustomerId"/> and <paramref name="walked"/> is added only when no
    /// other walker moved it past <paramref name="afterCustomerId"/> first.
    /// </summary>
    Task SaveBroadcastProgressAsync(long id, long afterCustomerId, long throughCustomerId, int walked, int enqueued, CancellationToken cancellationToken);

    /// <summary>Marks a sending broadcast done.</summary>
    Task FinishBroadcastAsync(long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The broadcast's outbox rows counted by status word (sent, skipped, suppressed, failed, holdout…).</summary>
    Task<IReadOnlyDictionary<string, long>> BroadcastMessageCountsAsync(long id, CancellationToken cancellationToken);
}
