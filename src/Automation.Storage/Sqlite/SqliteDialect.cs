using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Automation.Storage.Sqlite;

/// <summary>
/// SQLite's SQL: one writer at a time (<see cref="SqliteStorage"/> makes writers take turns), so no row locks; times
/// stored as UTC text; lists and inserted rows bound as JSON arrays.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    public override string Name => "sqlite";

    // More would only queue at SqliteStorage's writer gate.
    internal override int ConcurrentTransactions => 1;

    internal override string RowLockClause => "";

    internal override string ClaimLockClause => "";

    // Binding costs grow with the square of a statement's parameters: Microsoft.Data.Sqlite looks each parameter up by
    // name, under up to four prefixes, and SQLite searches a statement's names one by one. A few rows a statement keep
    // that small while still saving most of the statements.
    internal override int RowsPerStatement => 4;

    // One JSON parameter, whatever the number of rows.
    internal override string InsertRows<T>(IReadOnlyList<T> rows, Func<T, object?[]> cells, DynamicParameters parameters, params string[] types) =>
        SqlLists.JsonRows(rows, cells, parameters, types.Length);

    // SQLite's documented way to disqualify a term from driving an index: a unary plus.
    internal override string Unindexed(string column) => "+" + column;

    internal override string InList<T>(string name, IEnumerable<T> values, DynamicParameters parameters)
    {
        parameters.Add(name, JsonSerializer.Serialize(values.ToArray()));
        return $"IN (SELECT value FROM json_each(@{name}))";
    }

    // SQLite runs a correlated EXISTS once a row, by the steps' primary key.
    internal override string StepsTakenJoin => "";

    internal override string StepTaken(string step) => $"EXISTS (SELECT 1 FROM journey_steps s WHERE s.instance_id = i.id AND s.step = {step})";

    internal override string JsonArrayAggSql(string column) => $"json_group_array({column})";

    // Times are UTC text: julianday reads them, and the month is in the text itself.
    internal override string DaysBetweenSql(string later, string earlier) => $"(julianday({later}) - julianday({earlier}))";

    internal override string MonthIndexSql(string time) =>
        $"(CAST(substr({time}, 1, 4) AS INTEGER) * 12 + CAST(substr({time}, 6, 2) AS INTEGER) - 1)";

    // WAL, so readers never wait for the writer, is a setting the file keeps: made once, with the schema.
    internal override string CreateSchemaVersionTableSql => """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
        """;

    // One node per file, and each migration's transaction holds the file's write lock.
    internal override Task LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    internal override Task UnlockAfterMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;
}
