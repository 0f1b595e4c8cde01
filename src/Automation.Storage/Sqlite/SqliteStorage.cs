using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Automation.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in WAL mode, read by many, written by one at a time.
/// SQLite cannot be shared by several server nodes; use PostgreSQL for that.
/// </summary>
public sealed class SqliteStorage : AutomationStorage, IDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string with an absolute or in-memory data source.</param>
    public SqliteStorage(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            Pooling = true,
        };
        _connectionString = builder.ToString();
        if (builder.DataSource is { Length: > 0 } path && builder.Mode != SqliteOpenMode.Memory && path != ":memory:")
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
        }
    }

    /// <summary>The data source of a connection string, made absolute against <paramref name="contentRoot"/>.</summary>
    public static string ResolveConnectionString(string? connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString ?? "Data Source=data/automation.db");
        if (builder.DataSource is { Length: > 0 } path && path != ":memory:" && builder.Mode != SqliteOpenMode.Memory && !Path.IsPathRooted(path))
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, path));
        return builder.ToString();
    }

    public override string Dialect => "sqlite";

    public override int ConcurrentTransactions => 1;

    protected internal override string CreateSchemaVersionTableSql => """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
        """;

    // Times are UTC text: julianday reads them, and the month is in the text itself.
    protected internal override string DaysBetweenSql(string later, string earlier) => $"(julianday({later}) - julianday({earlier}))";

    protected internal override string MonthIndexSql(string time) =>
        $"(CAST(substr({time}, 1, 4) AS INTEGER) * 12 + CAST(substr({time}, 6, 2) AS INTEGER) - 1)";

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected internal override async ValueTask<IDisposable?> EnterWriterAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        return new Releaser(_writer);
    }

    public void Dispose()
    {
        _writer.Dispose();
        // This database's pooled connections only: other storages in the process (a simulation's throwaway database
        // beside the server's) keep theirs.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }
}
