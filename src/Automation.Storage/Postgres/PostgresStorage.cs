using System.Data.Common;
using Npgsql;

namespace Automation.Storage.Postgres;

/// <summary>PostgreSQL storage, for production and for several server nodes on one database.</summary>
public sealed class PostgresStorage(string connectionString) : AutomationStorage(new PostgresDialect()), IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(WithPreparedStatements(connectionString));

    /// <summary>
    /// Statements run again and again (an ingest runs the same two dozen per group) are prepared on each pooled
    /// connection after their second use, so PostgreSQL stops parsing and planning them each time. A connection
    /// string that sets <c>Max Auto Prepare</c> itself keeps its own choice (0 turns it off).
    /// </summary>
    internal static string WithPreparedStatements(string connectionString)
    {
        // Npgsql's own builder knows every key whether set or not: the plain one holds only those written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (written.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
            return connectionString;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.MaxAutoPrepare = 256;
        builder.AutoPrepareMinUsages = 2;
        return builder.ConnectionString;
    }

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
