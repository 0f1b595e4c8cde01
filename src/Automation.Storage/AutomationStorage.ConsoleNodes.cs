using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// What lets the marketer console run on several nodes: the Data Protection key ring and the sign-in attempts, both in
// the database rather than in each node's memory or disk.
public abstract partial class AutomationStorage : IKeyRingStore, ILoginAttemptStore
{
    public async Task<IReadOnlyList<string>> KeyRingElementsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT xml FROM data_protection_keys ORDER BY id", cancellationToken: cancellationToken))];
    }

    public async Task StoreKeyRingElementAsync(string friendlyName, string xml, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@friendlyName, @xml, @now)",
            new { friendlyName, xml, now = now.ToUniversalTime() }, cancellationToken: cancellationToken));
    }

    public async Task<T> WithStartupLockAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        // The lock migrations take: held on a connection of its own while the work uses others.
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await Dialect.LockForMigrationAsync(connection, cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            await Dialect.UnlockAfterMigrationAsync(connection, CancellationToken.None);
        }
    }

    public async Task<IReadOnlyList<LoginAttempts>> CountLoginAttemptAsync(IReadOnlyList<string> keys, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        var windowStart = (now - window).ToUniversalTime();
        var parameters = new DynamicParameters(new { now = now.ToUniversalTime(), windowStart });
        // Keys in one order everywhere, so two statements counting the same keys lock their rows in the same order.
        var values = SqlLists.Values([.. keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], k => [k, 1, now.ToUniversalTime()], parameters);
        await using var writer = await OpenWriterAsync(cancellationToken);
        // SET reads the row as it was: a window still open counts on from its start, a finished one starts again now.
        var counted = await writer.Connection.QueryAsync<(string Key, long Attempts, DateTimeOffset Since)>(new CommandDefinition($"""
            INSERT INTO login_attempts (key, attempts, since) VALUES {values}
            ON CONFLICT (key) DO UPDATE SET
                attempts = CASE WHEN login_attempts.since > @windowStart THEN login_attempts.attempts + 1 ELSE 1 END,
                since = CASE WHEN login_attempts.since > @windowStart THEN login_attempts.since ELSE @now END
            RETURNING key, attempts, since
            """, parameters, cancellationToken: cancellationToken));
        // Other keys' finished windows, in a statement of its own: nothing waits on it, and it takes the rows' locks
        // apart from the count's.
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM login_attempts WHERE since <= @windowStart", new { windowStart }, cancellationToken: cancellationToken));
        return [.. counted.Select(c => new LoginAttempts(c.Key, (int)c.Attempts, c.Since))];
    }

    public async Task ClearLoginAttemptsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        await using var writer = await OpenWriterAsync(cancellationToken);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM login_attempts WHERE key {Dialect.InList("keys", keys, parameters)}", parameters, cancellationToken: cancellationToken));
    }
}
