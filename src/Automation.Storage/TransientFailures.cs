using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Automation.Storage;

/// <summary>Tells failures worth retrying (database down, busy, unwritable, a lost race) from bugs.</summary>
public static class TransientFailures
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    // The file cannot be written for now: read-only (a remount, permissions), an I/O error, a full disk, a file that
    // cannot be opened. An operator's fix, not a bug: clients are told to come back, as while PostgreSQL is down.
    private static readonly int[] SqliteUnwritable = [8, 10, 13, 14];

    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        NpgsqlException => true, // no server answer at all: connection refused, reset or timed out
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked || SqliteUnwritable.Contains(sqlite.SqliteErrorCode),
        DbException db => db.IsTransient,
        TimeoutException => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
