using System.Text;
using Automation.Core.Audit;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The audit log's own writes and its reads; the changes it records write their entries in their own transactions.
public abstract partial class AutomationStorage : IAuditLog
{
    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await AuditRows.InsertAsync(writer.Connection, null, entry, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> RecordRoleChangesAsync(IReadOnlyDictionary<string, string> roles, AuditActor actor, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WithStartupLockAsync(async () =>
        {
            await using var writer = await OpenWriterAsync(cancellationToken);
            await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
            var stored = (await writer.Connection.QueryAsync<(string Name, string Role)>(new CommandDefinition(
                "SELECT name, role FROM console_roles", transaction: transaction, cancellationToken: cancellationToken))).ToDictionary(r => r.Name, r => r.Role, StringComparer.Ordinal);
            var changes = new List<AuditEntry>();
            foreach (var name in stored.Keys.Union(roles.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var before = stored.GetValueOrDefault(name);
                var after = roles.GetValueOrDefault(name);
                if (before == after) continue;
                changes.Add(new AuditEntry(now, actor, AuditActions.UserRoleChanged, AuditActions.UserTarget(name),
                    AuditEntry.Json(before is null ? null : new { role = before }), AuditEntry.Json(after is null ? null : new { role = after })));
                await writer.Connection.ExecuteAsync(new CommandDefinition(after is null
                    ? "DELETE FROM console_roles WHERE name = @name"
                    : "INSERT INTO console_roles (name, role) VALUES (@name, @after) ON CONFLICT (name) DO UPDATE SET role = excluded.role",
                    new { name, after }, transaction, cancellationToken: cancellationToken));
            }
            foreach (var change in changes) await AuditRows.InsertAsync(writer.Connection, transaction, change, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (IReadOnlyList<AuditEntry>)changes;
        }, cancellationToken);

    public async Task<AuditPage> ReadAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var where = new StringBuilder("1 = 1");
        if (query.Actor is not null) where.Append(" AND actor = @Actor");
        if (query.Action is not null) where.Append(" AND action = @Action");
        if (query.Target is not null) where.Append(" AND target = @Target");
        if (query.Since is not null) where.Append(" AND at >= @since");
        if (query.Until is not null) where.Append(" AND at < @until");
        if (query.BeforeId is not null) where.Append(" AND id < @BeforeId");
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // One row past the page tells whether there is a next one.
        var rows = (await connection.QueryAsync<AuditRows.Row>(new CommandDefinition(
            $"SELECT {AuditRows.Columns} FROM audit_log WHERE {where} ORDER BY id DESC LIMIT @limit",
            new { query.Actor, query.Action, query.Target, since = query.Since?.ToUniversalTime(), until = query.Until?.ToUniversalTime(), query.BeforeId, limit = query.Limit + 1 },
            cancellationToken: cancellationToken))).ToList();
        var page = rows.Take(query.Limit).Select(r => r.ToRecord()).ToList();
        return new AuditPage(page, rows.Count > query.Limit ? page[^1].Id : null);
    }
}
