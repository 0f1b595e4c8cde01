using Automation.Core.Storage;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailures"/> failed sign-ins within <see cref="Window"/> for one user
/// name or from one client address, further attempts for it are refused until the window has passed. Counted in the
/// database, so attempts spread over several nodes add up.
/// </summary>
internal sealed class LoginThrottle(ILoginAttemptStore store, TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Counts an attempt before its password is checked; null when it may go on, else when attempts for this name or
    /// address are allowed again. The count and its answer are one statement: of racing attempts, only the first
    /// <see cref="MaxFailures"/> (less those already failed) are checked, wherever they arrive. Reading the count first
    /// would let every attempt that read it before the others recorded theirs through.
    /// </summary>
    public async Task<DateTimeOffset?> AttemptAsync(string name, string address, CancellationToken cancellationToken)
    {
        var counts = await store.CountLoginAttemptAsync(Keys(name, address), clock.GetUtcNow(), Window, cancellationToken);
        var blocked = counts.Where(c => c.Attempts > MaxFailures).ToList();
        return blocked.Count == 0 ? null : blocked.Max(c => c.Since + Window);
    }

    /// <summary>A sign-in clears the name's and the address's attempts. A failed attempt stays counted.</summary>
    public Task SucceededAsync(string name, string address, CancellationToken cancellationToken) =>
        store.ClearLoginAttemptsAsync(Keys(name, address), cancellationToken);

    private static string[] Keys(string name, string address) => [$"user:{name.ToLowerInvariant()}", $"address:{address}"];
}
