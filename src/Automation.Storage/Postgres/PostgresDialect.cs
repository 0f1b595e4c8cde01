using System.Data.Common;
using Dapper;

namespace Automation.Storage.Postgres;

/// <summary>
/// PostgreSQL's SQL: writers run side by side, from several nodes, so rows are locked and migrations take an advisory
/// lock; times are <c>timestamptz</c>; lists are bound as arrays.
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    // Arbitrary but fixed: every node takes the same advisory lock while migrating.
    private const long MigrationLockKey = 0x4175746f6d61;

    public override string Name => "postgres";

    // One ingest lane per core. Each lane's group costs about the same number of statements whatever it holds, so
    // fewer, fuller groups cost less an event: with the derivation set-based, twice the cores measured ~2,100 events/s
    // against ~3,000 with as many as the cores, and one lane ~2,700 (docs/performance.md).
    internal override int ConcurrentTransactions => Environment.ProcessorCount;

    // NO KEY UPDATE, not UPDATE: inserting rows that reference the customer (events, orders) takes KEY SHARE on it,
    // which UPDATE would wait on — two ingests of one customer would each hold KEY SHARE and deadlock upgrading it.
    internal override string RowLockClause => "FOR NO KEY UPDATE";

    internal override string WithoutJit => "SET LOCAL jit = off;\n";

    internal override string IndexOrderFirst => "SET LOCAL enable_bitmapscan = off;\n";

    // SKIP LOCKED: another dispatcher claims the next rows instead of waiting for these.
    internal override string ClaimLockClause => "FOR UPDATE SKIP LOCKED";

    // Parameters are bound by position, so a statement takes many rows cheaply and each saves a round trip.
    internal override int RowsPerStatement => 25;

    // A column a parameter, whatever the number of rows.
    internal override string InsertRows<T>(IReadOnlyList<T> rows, Func<T, object?[]> cells, DynamicParameters parameters, params string[] types) =>
        SqlLists.Unnest(rows, cells, parameters, types);

    // Dapper passes a list to Npgsql as an array, which = ANY takes whole.
    internal override string InList<T>(string name, IEnumerable<T> values, DynamicParameters parameters)
    {
        parameters.Add(name, values.ToArray());
        return $"= ANY(@{name})";
    }

    internal override string InListByKey<T>(string name, IEnumerable<T> values, DynamicParameters parameters)
    {
        parameters.Add(name, values.ToArray());
        return $"IN (SELECT unnest(@{name}))";
    }

    // Each instance's steps read once, by its key. With a correlated EXISTS per step PostgreSQL may choose, for each
    // step named, a hashed sub-plan that reads every instance's rows of that step: a page of the scan's selection read
    // journey_steps whole four times (110 of its 114 ms at 100,000 customers, and growing with the table). array_agg
    // over no steps is null, and "not taken" would be null too: the empty array keeps it true.
    internal override string StepsTakenJoin =>
        "CROSS JOIN LATERAL (SELECT COALESCE(array_agg(s.step), '{}') AS taken FROM journey_steps s WHERE s.instance_id = i.id) t";

    internal override string StepTaken(string step) => $"{step} = ANY(t.taken)";

    // json_agg over no rows is null.
    internal override string JsonArrayAggSql(string column) => $"COALESCE(json_agg({column}), '[]')";

    internal override string DaysBetweenSql(string later, string earlier) =>
        $"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0 AS double precision)";

    internal override string MonthIndexSql(string time) =>
        $"(CAST(EXTRACT(YEAR FROM {time} AT TIME ZONE 'UTC') AS integer) * 12 + CAST(EXTRACT(MONTH FROM {time} AT TIME ZONE 'UTC') AS integer) - 1)";

    internal override string CreateSchemaVersionTableSql =>
        "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)";

    internal override Task LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@MigrationLockKey)", new { MigrationLockKey }, cancellationToken: cancellationToken));

    internal override Task UnlockAfterMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@MigrationLockKey)", new { MigrationLockKey }, cancellationToken: cancellationToken));
}
