using System.Data.Common;
using Automation.Core.Audit;
using Dapper;

namespace Automation.Storage;

/// <summary>The SQL of <c>audit_log</c>: writing an entry on a caller's transaction, and reading entries back.</summary>
internal static class AuditRows
{
    public const string Columns = "id, at, actor, actor_kind, action, target, before, after";

    /// <summary>Writes <paramref name="entry"/> on <paramref name="transaction"/>, so it commits or rolls back with the change it records.</summary>
    public static Task InsertAsync(DbConnection connection, DbTransaction? transaction, AuditEntry entry, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_log (at, actor, actor_kind, action, target, before, after)
            VALUES (@at, @actor, @kind, @Action, @Target, @Before, @After)
            """, new
        {
            at = entry.At.ToUniversalTime(), actor = entry.Actor.Name, kind = KindText(entry.Actor.Kind), entry.Action, entry.Target, entry.Before, entry.After,
        }, transaction, cancellationToken: cancellationToken));

    public static string KindText(AuditActorKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>A row of <c>audit_log</c>.</summary>
    internal sealed class Row
    {
        public long Id { get; set; }
        public DateTimeOffset At { get; set; }
        public string Actor { get; set; } = "";
        public string ActorKind { get; set; } = "";
        public string Action { get; set; } = "";
        public string Target { get; set; } = "";
        public string? Before { get; set; }
        public string? After { get; set; }

        public AuditRecord ToRecord() => new(Id, new AuditEntry(At, new AuditActor(Actor, Enum.Parse<AuditActorKind>(ActorKind, ignoreCase: true)),
            Action, Target, Before, After));
    }
}
