using Automation.Core.Tiers;
using Dapper;

namespace Automation.Storage;

// Membership tiers inside the ingest or review transaction.
internal sealed partial class WriteTransaction
{
    public Task<IReadOnlyDictionary<long, OrderTotals>> OrderTotalsAsync(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        TierQueries.OrderTotalsAsync(dialect, connection, transaction, customerIds, from, until, cancellationToken);

    public Task<decimal?> OrderTotalAsync(string orderId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<decimal?>(Command("SELECT total FROM orders WHERE order_id = @orderId AND completed_at IS NOT NULL", new { orderId }, cancellationToken));

    public Task<IReadOnlyDictionary<long, TierStanding>> LoadTiersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        TierQueries.LoadAsync(dialect, connection, transaction, customerIds, cancellationToken);

    public Task SaveTierAsync(long customerId, TierStanding standing, CancellationToken cancellationToken) =>
        TierQueries.SaveAsync(connection, transaction, customerId, standing, cancellationToken);

    public Task RecordTierChangeAsync(long customerId, TierChange change, CancellationToken cancellationToken) =>
        TierQueries.RecordChangeAsync(connection, transaction, customerId, change, cancellationToken);
}
