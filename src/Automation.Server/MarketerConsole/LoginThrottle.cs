using System.Collections.Concurrent;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailures"/> failed sign-ins within <see cref="Window"/> for one user
/// name or from one client address, further attempts for it are refused until the window has passed.
/// </summary>
internal sealed class LoginThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, (int Count, DateTimeOffset Since)> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When attempts for this name or address are allowed again; null when they are allowed now.</summary>
    public DateTimeOffset? BlockedUntil(string name, string address)
    {
        var now = clock.GetUtcNow();
        DateTimeOffset? until = null;
        foreach (var key in Keys(name, address))
        {
            if (_failures.TryGetValue(key, out var f) && f.Count >= MaxFailures && f.Since + Window > now && (until is null || f.Since + Window > until))
                until = f.Since + Window;
        }
        return until;
    }

    public void RecordFailure(string name, string address)
    {
        var now = clock.GetUtcNow();
        foreach (var key in Keys(name, address))
            _failures.AddOrUpdate(key, (1, now), (_, f) => f.Since + Window > now ? (f.Count + 1, f.Since) : (1, now));
        // Forget finished windows, so guessing with ever new names cannot grow the table for good.
        foreach (var (key, f) in _failures)
        {
            if (f.Since + Window <= now) _failures.TryRemove(key, out _);
        }
    }

    public void RecordSuccess(string name, string address)
    {
        foreach (var key in Keys(name, address)) _failures.TryRemove(key, out _);
    }

    private static string[] Keys(string name, string address) => [$"user:{name}", $"address:{address}"];
}
