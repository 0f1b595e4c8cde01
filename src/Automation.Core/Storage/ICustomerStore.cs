using Automation.Core.Customers;

namespace Automation.Core.Storage;

/// <summary>Reads customers.</summary>
public interface ICustomerStore
{
    /// <summary>The customer with this external id, else with this anonymous id; null when neither exists.</summary>
    Task<CustomerSnapshot?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>The customer's changes of tier, oldest first.</summary>
    Task<IReadOnlyList<Tiers.TierChange>> TierHistoryAsync(long customerId, CancellationToken cancellationToken);

    /// <summary>Net spend and order count of the customer's orders completed in [<paramref name="from"/>, <paramref name="until"/>].</summary>
    Task<Tiers.OrderTotals> OrderTotalsAsync(long customerId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);
}
