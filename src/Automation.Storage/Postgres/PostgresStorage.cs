using System.Data.Common;
using Npgsql;

namespace Automation.Storage.Postgres;

/// <summary>PostgreSQL storage, for production and for several server nodes on one database.</summary>
public sealed class PostgresStorage(string connectionString) : AutomationStorage(new PostgresDialect()), IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
