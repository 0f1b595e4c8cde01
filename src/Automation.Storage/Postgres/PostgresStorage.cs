using System.Data.Common;
using Npgsql;

namespace Automation.Storage.Postgres;

/// <summary>PostgreSQL storage, for production and for several server nodes on one database.</summary>
public sealed class PostgresStorage(string connectionString) : AutomationStorage(new PostgresDialect()), IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(WithStatementPreparation(connectionString));

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>Statements a connection keeps prepared unless the connection string says otherwise (<c>Max Auto Prepare</c>).</summary>
    private const int PreparedStatements = 100;

    /// <summary>
    /// The connection string with Npgsql's automatic preparation on, unless it sets <c>Max Auto Prepare</c> itself
    /// (<c>0</c> turns it off, as a pooler that cannot keep prepared statements needs). An ingest group runs some sixty
    /// statements of a few dozen texts, and parsing and planning each anew was over a quarter of the server's CPU:
    /// prepared after their second use, they took 1.17× the events a second at three quarters of the server's CPU an
    /// event.
    /// </summary>
    private static string WithStatementPreparation(string connectionString)
    {
        // Npgsql's builder says it "contains" every keyword it knows; the string as written says what was set.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (written.Contains(nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare))) return connectionString;
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = PreparedStatements };
        if (!written.Contains(nameof(NpgsqlConnectionStringBuilder.AutoPrepareMinUsages))) builder.AutoPrepareMinUsages = 2;
        return builder.ConnectionString;
    }
}
