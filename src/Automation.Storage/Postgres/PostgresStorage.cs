using System.Data.Common;
using Dapper;
using Npgsql;

namespace Automation.Storage.Postgres;

/// <summary>PostgreSQL storage, for production and for several server nodes on one database.</summary>
public sealed class PostgresStorage(string connectionString) : AutomationStorage, IAsyncDisposable
{
    // Arbitrary but fixed: every node takes the same advisory lock while migrating.
    private const long MigrationLockKey = 0x4175746f6d61;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Dialect => "postgres";

    protected internal override string CreateSchemaVersionTableSql =>
        "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)";

    protected internal override string ClaimLockClause => "FOR UPDATE SKIP LOCKED";

    // NO KEY UPDATE, not UPDATE: inserting rows that reference the customer (events, orders) takes KEY SHARE on it,
    // which UPDATE would wait on — two ingests of one customer would each hold KEY SHARE and deadlock upgrading it.
    protected internal override string RowLockClause => "FOR NO KEY UPDATE";

    protected internal override string DaysBetweenSql(string later, string earlier) =>
        $"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0 AS double precision)";

    protected internal override string MonthIndexSql(string time) =>
        $"(CAST(EXTRACT(YEAR FROM {time} AT TIME ZONE 'UTC') AS integer) * 12 + CAST(EXTRACT(MONTH FROM {time} AT TIME ZONE 'UTC') AS integer) - 1)";

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected internal override Task LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@MigrationLockKey)", new { MigrationLockKey }, cancellationToken: cancellationToken));

    protected internal override Task UnlockAfterMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@MigrationLockKey)", new { MigrationLockKey }, cancellationToken: cancellationToken));

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
