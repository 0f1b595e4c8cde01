namespace Automation.Core.Storage;

/// <summary>A key's sign-in attempts within the current window, and when that window began.</summary>
public sealed record LoginAttempts(string Key, int Attempts, DateTimeOffset Since);

/// <summary>
/// Sign-in attempts per key (a user name, a client address) counted in the database, so attempts spread over several
/// nodes add up. Counting and reading the count is one statement: racing attempts each see a count of their own.
/// </summary>
public interface ILoginAttemptStore
{
    /// <summary>
    /// Counts one attempt for each of <paramref name="keys"/>: a key whose window (begun more than
    /// <paramref name="window"/> before <paramref name="now"/>) has passed starts again at one from now. Also deletes
    /// every finished window, so guessing with ever new names cannot grow the table for good. Returns each key's count.
    /// </summary>
    Task<IReadOnlyList<LoginAttempts>> CountLoginAttemptAsync(IReadOnlyList<string> keys, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Forgets the attempts of <paramref name="keys"/> (after a sign-in).</summary>
    Task ClearLoginAttemptsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);
}
