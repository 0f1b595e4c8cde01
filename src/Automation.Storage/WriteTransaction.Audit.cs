using Automation.Core.Audit;

namespace Automation.Storage;

// An audit entry written by whatever the transaction changes, committed or rolled back with it.
internal sealed partial class WriteTransaction
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken) => AuditRows.InsertAsync(connection, transaction, entry, cancellationToken);
}
