using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Automation.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in WAL mode, read by many, written by one at a time.
/// SQLite cannot be shared by several server nodes; use PostgreSQL for that.
/// </summary>
public sealed class SqliteStorage : AutomationStorage, IDisposable
{
    private readonly string _connectionString;
    private readonly string _writerConnectionString;
    private readonly string? _file;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private SqliteConnection? _writerConnection;
    private int _disposed;

    // The writer's page cache: it holds the indexes' hot pages between transactions. 64 MiB measured slower than 16
    // (the cache's own bookkeeping grew), and SQLite's default of 2 MiB slower too: docs/performance.md.
    private const int WriterCacheKibibytes = 16 * 1024;

    /// <summary>
    /// Pages the write-ahead log may hold before the writer copies them into the database file (SQLite's default is
    /// 1,000). The copy and its fsync run inside the commit that crosses the mark, holding the one writer; ingestion
    /// dirties about 150 pages a group, so the default checkpointed every few groups and copied the same hot pages
    /// (the events' last leaf, index pages) again each time. Ten times as many pages (a WAL of about 40 MiB, reused
    /// once written) measured 1.13× the events/s: docs/performance.md.
    /// </summary>
    internal const int WriterCheckpointPages = 10_000;

    /// <summary>Room a write of a full ingest group needs: a group of 1,000 messages dirties a few MiB of pages.</summary>
    public const long MinimumFreeBytes = 16 << 20;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string with an absolute or in-memory data source.</param>
    public SqliteStorage(string connectionString) : base(new SqliteDialect())
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            Pooling = true,
        };
        _connectionString = builder.ToString();
        // Kept open for the life of the storage, so never pooled: closing it must close it, rolling back what it holds.
        _writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        if (builder.DataSource is { Length: > 0 } path && builder.Mode != SqliteOpenMode.Memory && path != ":memory:")
        {
            _file = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(_file);
            if (directory is not null) Directory.CreateDirectory(directory);
            if (builder.Mode != SqliteOpenMode.ReadOnly) CreatePrivately(_file);
        }
    }

    /// <summary>
    /// Creates a new database file readable by the server's user alone; SQLite gives its -wal and -shm files the
    /// database file's permissions, so customers' data is never world-readable. An existing file keeps its own.
    /// </summary>
    private static void CreatePrivately(string file)
    {
        if (OperatingSystem.IsWindows() || File.Exists(file)) return;
        try
        {
            using var created = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException)
        {
            // Another process created it first: it is SQLite's to open as it is.
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

    // A file deleted or replaced under the server still takes writes through the descriptor SQLite holds, and they
    // are lost at the next start: that is a database not ready either.
    /// <summary>
    /// The database file gone from its path, or a disk with less than <see cref="MinimumFreeBytes"/> left: an ingest
    /// group then fails halfway through growing the WAL, while a probe's small write still fits in WAL pages already there.
    /// </summary>
    protected internal override string? StorageProblem()
    {
        if (_file is null) return null;
        if (!File.Exists(_file)) return $"The database file {_file} is gone.";
        var free = new DriveInfo(Path.GetDirectoryName(_file)!).AvailableFreeSpace;
        return free < MinimumFreeBytes ? $"The disk holding {_file} has {free:N0} bytes free; writes need at least {MinimumFreeBytes:N0}." : null;
    }

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Every write goes through one connection, kept open. A connection's page cache is dropped when another
    /// connection writes; with all writes on this one, the pages the last transactions touched are still in memory
    /// for the next, instead of read again from the file.
    /// </summary>
    protected internal override async ValueTask<WriterConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            if (_writerConnection is not { State: ConnectionState.Open })
            {
                if (_writerConnection is not null) await _writerConnection.DisposeAsync();
                _writerConnection = null;
                var connection = new SqliteConnection(_writerConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using (var pragma = connection.CreateCommand())
                {
                    pragma.CommandText = $"PRAGMA cache_size = -{WriterCacheKibibytes}; PRAGMA wal_autocheckpoint = {WriterCheckpointPages}";
                    await pragma.ExecuteNonQueryAsync(cancellationToken);
                }
                _writerConnection = connection;
            }
            return new WriterConnection(_writerConnection, ReleaseWriter);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    private async ValueTask ReleaseWriter()
    {
        try
        {
            // A transaction left open (its rollback failed) would refuse every later writer: start afresh instead;
            // closing the connection rolls the transaction back.
            if (_writerConnection is { State: ConnectionState.Open } connection && raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                _writerConnection = null;
                await connection.DisposeAsync();
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        // A write still running at shutdown finishes first, rather than have its connection closed under it.
        _writer.Wait(TimeSpan.FromSeconds(30));
        _writerConnection?.Dispose();
        _writerConnection = null;
        // This database's pooled connections only: other storages in the process (a simulation's throwaway database
        // beside the server's) keep theirs.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

}
