using System.Data.Common;

namespace Automation.Storage;

/// <summary>
/// A connection a writer holds for one unit of work, and the turn that goes with it where the database has a single
/// writer. Disposing it gives the turn back and closes or returns the connection, as its storage decides.
/// </summary>
public sealed class WriterConnection : IAsyncDisposable
{
    private readonly Func<ValueTask> _release;
    private int _released;

    internal WriterConnection(DbConnection connection, Func<ValueTask> release)
    {
        Connection = connection;
        _release = release;
    }

    /// <summary>The open connection to write through.</summary>
    public DbConnection Connection { get; }

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? _release() : ValueTask.CompletedTask;
}
