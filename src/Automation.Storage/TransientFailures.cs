using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Automation.Storage;

/// <summary>Tells failures worth retrying (database down, busy, its file unusable, a lost race) from bugs.</summary>
public static class TransientFailures
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    // The file cannot be written or read as a database until an operator acts: read-only or immutable, an I/O error,
    // damaged, a full disk, not openable, not a database. Nothing was stored, so the client keeps the data and retries.
    private static readonly HashSet<int> SqliteFileUnusable = [8, 10, 11, 13, 14, 26];

    public static bool IsTransient(Exception exception) => exception switch
    {
        // Read-only: a standby after a failover, or a primary put in read-only mode; writes come back with the primary.
        PostgresException pg => pg.IsTransient || pg.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure
            or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.ReadOnlySqlTransaction,
        NpgsqlException => true, // no server answer at all: connection refused, reset or timed out
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked || SqliteFileUnusable.Contains(sqlite.SqliteErrorCode),
        DbException db => db.IsTransient,
        TimeoutException => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
