using Automation.Core.Storage;

namespace Automation.Core.Customers;

/// <summary>
/// The customers' snapshots read within one transaction, each with the parts asked of it so far, shared by the engines
/// that run in it: an ingest group's tag rules and journeys read a customer once, in one round trip for the group's
/// first reads, however many of them look at it. Each customer is read with its own parts (see
/// <see cref="ICustomerSnapshots.LoadSnapshotsAsync(IReadOnlyDictionary{long, SnapshotParts}, CancellationToken)"/>).
/// A writer that changes what a snapshot holds either says how (<see cref="Update"/>) or marks it
/// <see cref="Changed"/>, to be read again before it is next used.
/// </summary>
public sealed class SnapshotCache
{
    private readonly Dictionary<long, CustomerSnapshot> _snapshots = [];
    private readonly Dictionary<long, SnapshotParts> _parts = [];
    private readonly Dictionary<long, SnapshotParts> _wanted = [];
    private readonly HashSet<long> _changed = [];

    /// <summary>The snapshots read so far, by customer id.</summary>
    public IReadOnlyDictionary<long, CustomerSnapshot> Snapshots => _snapshots;

    /// <summary>
    /// Asks for these parts of the customer with the next read, whoever makes it: a read known to come is sent with
    /// one that comes first instead of in a round trip of its own.
    /// </summary>
    public void Want(long customerId, SnapshotParts parts)
    {
        if (!Holds(customerId, parts)) _wanted[customerId] = _wanted.GetValueOrDefault(customerId) | parts;
    }

    /// <summary>
    /// Reads each customer with at least the parts asked for them, unless read so already, together with whatever was
    /// <see cref="Want">wanted</see> ahead; a snapshot read with fewer parts is read again with the parts added.
    /// </summary>
    public Task LoadAsync(ICustomerSnapshots tx, IEnumerable<(long CustomerId, SnapshotParts Parts)> reads, CancellationToken ct)
    {
        foreach (var (id, parts) in reads) Want(id, parts);
        return ReadWantedAsync(tx, ct);
    }

    /// <summary><see cref="LoadAsync(ICustomerSnapshots, IEnumerable{ValueTuple{long, SnapshotParts}}, CancellationToken)"/>, the same parts for each.</summary>
    public Task LoadAsync(ICustomerSnapshots tx, IEnumerable<long> customerIds, SnapshotParts parts, CancellationToken ct) =>
        LoadAsync(tx, customerIds.Select(id => (id, parts)), ct);

    /// <summary>Says that the customer's snapshot no longer holds what storage does: it is read again, with the same parts, before its next use.</summary>
    public void Changed(long customerId)
    {
        if (_parts.TryGetValue(customerId, out var parts))
        {
            _changed.Add(customerId);
            _wanted[customerId] = _wanted.GetValueOrDefault(customerId) | parts;
        }
    }

    /// <summary>Reads again the snapshots marked <see cref="Changed"/> (and anything wanted ahead).</summary>
    public Task RereadChangedAsync(ICustomerSnapshots tx, CancellationToken ct) => _changed.Count == 0 ? Task.CompletedTask : ReadWantedAsync(tx, ct);

    /// <summary>Applies a change the caller made in storage to the customer's snapshot, if it is read, instead of reading it again.</summary>
    public void Update(long customerId, Func<CustomerSnapshot, CustomerSnapshot> change)
    {
        if (_snapshots.TryGetValue(customerId, out var snapshot) && !_changed.Contains(customerId)) _snapshots[customerId] = change(snapshot);
    }

    private bool Holds(long customerId, SnapshotParts parts) =>
        !_changed.Contains(customerId) && _parts.TryGetValue(customerId, out var read) && (read & parts) == parts;

    private async Task ReadWantedAsync(ICustomerSnapshots tx, CancellationToken ct)
    {
        if (_wanted.Count == 0) return;
        var reads = _wanted.ToDictionary(w => w.Key, w => w.Value | _parts.GetValueOrDefault(w.Key));
        _wanted.Clear();
        foreach (var snapshot in await tx.LoadSnapshotsAsync(reads, ct)) _snapshots[snapshot.Profile.Id] = snapshot;
        foreach (var (id, parts) in reads)
        {
            _parts[id] = parts;
            _changed.Remove(id);
        }
    }
}
