using System.Data.Common;
using Automation.Core.Customers;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

/// <summary>
/// Storage on a relational database through Dapper. The SQL is shared; each provider supplies connections and its
/// way of serialising writers, and its <see cref="SqlDialect"/> the few pieces of SQL that must differ.
/// </summary>
public abstract partial class AutomationStorage : IIngestionStore, ICustomerStore, IJourneyStore, IJourneyQueries, ITeamQueries
{
    protected AutomationStorage(SqlDialect dialect)
    {
        DapperSetup.EnsureRegistered();
        Dialect = dialect;
    }

    /// <summary>The database's SQL where it differs from the others.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>Opens a connection ready for use.</summary>
    public abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A connection to write through, once this process may write. PostgreSQL lets writers run side by side, each on
    /// a connection of its own; SQLite has a single writer per file, so waiting here is cheaper than retrying on a
    /// busy database.
    /// </summary>
    protected internal virtual async ValueTask<WriterConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken);
        return new WriterConnection(connection, connection.DisposeAsync);
    }

    public int ConcurrentTransactions => Dialect.ConcurrentTransactions;

    public async Task<IIngestTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        var writer = await OpenWriterAsync(cancellationToken);
        try
        {
            var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
            return new WriteTransaction(writer, transaction, Dialect);
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    public async Task<CustomerSnapshot?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await CustomerQueries.FindAsync(Dialect, connection, id, cancellationToken);
    }

    public async Task<IReadOnlyList<Core.Tiers.TierChange>> TierHistoryAsync(long customerId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await TierQueries.HistoryAsync(connection, customerId, cancellationToken);
    }

    public async Task<Core.Tiers.OrderTotals> OrderTotalsAsync(long customerId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return (await TierQueries.OrderTotalsAsync(Dialect, connection, null, [customerId], from, until, cancellationToken)).GetValueOrDefault(customerId);
    }

    public async Task<IJourneyTransaction> BeginJourneyWorkAsync(CancellationToken cancellationToken) => await BeginAsync(cancellationToken);

    /// <summary>
    /// Null when the database takes a write now; otherwise why not. The probe commits one row through the same writer
    /// connection ingestion uses, so it fails as ingestion would: a read-only, immutable or deleted file, a full disk.
    /// </summary>
    public async Task<string?> WriteProblemAsync(CancellationToken cancellationToken)
    {
        if (StorageProblem() is { } problem) return problem;
        try
        {
            await using var writer = await OpenWriterAsync(cancellationToken);
            await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
            await writer.Connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO write_probe (id, probes) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET probes = write_probe.probes + 1",
                transaction: transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (DbException e)
        {
            return $"The database does not take writes: {e.Message}";
        }
    }

    /// <summary>A problem with the database's storage seen without writing, such as its file gone; null when none.</summary>
    protected internal virtual string? StorageProblem() => null;

    /// <summary>True when the database answers a trivial query.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }
}
