using Automation.Core.Audit;

namespace Automation.Core.Storage;

/// <summary>
/// Records an audit entry inside a write transaction, so the entry commits or rolls back with the change it records.
/// The stores' own changes (suppressions, broadcasts) write theirs in their statements' transaction; a feature with a
/// transaction of its own (a publish, a rollback) records through this port of that transaction.
/// </summary>
public interface IAuditWrites
{
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);
}

/// <summary>The audit log: entries that go with no other change of their own, the console users' roles, and reading.</summary>
public interface IAuditLog
{
    /// <summary>
    /// Records an entry that is itself the whole change (a sign-in, a refused sign-in). An entry that goes with a change
    /// is written through <see cref="IAuditWrites"/> in that change's transaction instead.
    /// </summary>
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Compares the console users' roles now (<paramref name="roles"/>: name → role) with those stored when a node
    /// last started, records a <see cref="AuditActions.UserRoleChanged"/> entry for each user added, removed or given
    /// another role, and stores the new roles, in one transaction under the start-up lock: nodes starting together
    /// with the same configuration record each change once. Returns the entries recorded.
    /// </summary>
    Task<IReadOnlyList<AuditEntry>> RecordRoleChangesAsync(IReadOnlyDictionary<string, string> roles, AuditActor actor, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>Entries matching <paramref name="query"/>, newest first, one page at a time.</summary>
    Task<AuditPage> ReadAsync(AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// Which entries to read: each filter that is set must match exactly (<see cref="Since"/> inclusive,
/// <see cref="Until"/> exclusive); <see cref="BeforeId"/> continues from a page's <see cref="AuditPage.Next"/>.
/// </summary>
public sealed record AuditQuery(string? Actor, string? Action, string? Target, DateTimeOffset? Since, DateTimeOffset? Until, long? BeforeId, int Limit);

/// <summary>A page of entries, newest first; <see cref="Next"/> is the cursor of the next page, null on the last.</summary>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Entries, long? Next);
