namespace Automation.Core.Storage;

/// <summary>
/// The marketer console's Data Protection key ring, shared by every node through the database: the XML elements Data
/// Protection writes (keys and revocations), kept as written. Elements are only ever added, so two nodes storing keys
/// at once both keep theirs, and a key that protected a cookie is never lost.
/// </summary>
public interface IKeyRingStore
{
    /// <summary>Every stored element's XML, oldest first.</summary>
    Task<IReadOnlyList<string>> KeyRingElementsAsync(CancellationToken cancellationToken);

    /// <summary>Adds one element under the name Data Protection gave it (such as <c>key-{id}</c>).</summary>
    Task StoreKeyRingElementAsync(string friendlyName, string xml, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> while holding the database's start-up lock, so nodes starting together take turns
    /// (on SQLite, one node per database, it just runs).
    /// </summary>
    Task<T> WithStartupLockAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken);
}
