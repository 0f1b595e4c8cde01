using Automation.Core.Customers;

namespace Automation.Core.Storage;

/// <summary>Reads customers.</summary>
public interface ICustomerStore
{
    /// <summary>The customer with this external id, else with this anonymous id; null when neither exists.</summary>
    Task<CustomerSnapshot?> FindAsync(string id, CancellationToken cancellationToken);
}
