using Automation.Core.Tiers;
using Dapper;

namespace Automation.Storage;

// Membership tiers inside the ingest or review transaction.
internal sealed partial class WriteTransaction
{
    public Task<IReadOnlyDictionary<long, OrderTotals>> OrderTotalsAsync(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until, CancellationToken ct) =>
        TierQueries.OrderTotalsAsync(dialect, connection, transaction, customerIds, from, until, ct);

    public Task<decimal?> OrderTotalAsync(string orderId, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<decimal?>(Command("SELECT total FROM orders WHERE order_id = @orderId AND completed_at IS NOT NULL", new { orderId }, ct));

    public Task<IReadOnlyDictionary<long, TierStanding>> LoadTiersAsync(IReadOnlyCollection<long> customerIds, CancellationToken ct) =>
        TierQueries.LoadAsync(dialect, connection, transaction, customerIds, ct);

    public Task SaveTierAsync(long customerId, TierStanding standing, CancellationToken ct) =>
        TierQueries.SaveAsync(connection, transaction, customerId, standing, ct);

    public Task RecordTierChangeAsync(long customerId, TierChange change, CancellationToken ct) =>
        TierQueries.RecordChangeAsync(connection, transaction, customerId, change, ct);
}
