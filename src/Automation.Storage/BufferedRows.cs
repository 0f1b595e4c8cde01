using System.Data.Common;
using Dapper;

namespace Automation.Storage;

/// <summary>
/// Rows read with each row whole in memory before it is mapped. Dapper's own readers ask for
/// <see cref="System.Data.CommandBehavior.SequentialAccess"/> and then read columns with the synchronous getters; under
/// it Npgsql reads a row that runs past what has arrived inside the getter, blocking a thread on the socket (a quarter
/// of a PostgreSQL scan's CPU went to those waits and their wake-ups). Without it, <c>ReadAsync</c> buffers the row,
/// so the mapping never waits. Used where many rows are read: customer snapshots, the outbox's claims.
/// Disposing it disposes the command too, which Dapper's reader does only when disposed synchronously
/// (DapperLib/Dapper#2185): an undisposed <c>SqliteCommand</c> keeps its prepared statements until the finalizer
/// thread frees them, each under the connection's lock, racing the writer for it.
/// </summary>
internal sealed class BufferedRows(DbDataReader reader) : IAsyncDisposable
{
    private bool _started;

    public static async Task<BufferedRows> ExecuteAsync(DbConnection connection, CommandDefinition command) =>
        new(await connection.ExecuteReaderAsync(command));

    /// <summary>The rows of a command of one result.</summary>
    public static async Task<List<T>> QueryAsync<T>(DbConnection connection, CommandDefinition command)
    {
        await using var results = await ExecuteAsync(connection, command);
        return await results.ReadAsync<T>(command.CancellationToken);
    }

    /// <summary>The next result's rows, mapped as Dapper maps them (columns by name, tuples by position, type handlers).</summary>
    public async Task<List<T>> ReadAsync<T>(CancellationToken cancellationToken)
    {
        if (_started && !await reader.NextResultAsync(cancellationToken))
            throw new InvalidOperationException("The command returned fewer results than were read.");
        _started = true;
        var parse = reader.GetRowParser<T>();
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken)) rows.Add(parse(reader));
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        var command = (reader as IWrappedDataReader)?.Command;
        await reader.DisposeAsync();
        command?.Dispose();
    }
}
