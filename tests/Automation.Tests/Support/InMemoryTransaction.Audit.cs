using Automation.Core.Audit;

namespace Automation.Tests.Support;

// Audit entries, kept with the transaction's other writes: a dropped transaction drops its entries too.
internal sealed partial class InMemoryTransaction
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        _tables = _tables with { Audit = _tables.Audit.Add(entry) };
        return Task.CompletedTask;
    }
}
