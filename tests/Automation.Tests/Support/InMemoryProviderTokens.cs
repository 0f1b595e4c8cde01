using Automation.Core.Storage;

namespace Automation.Tests.Support;

/// <summary>The in-memory <see cref="IProviderTokenStore"/>: one lock stands for the database's one-statement claim.</summary>
internal sealed class InMemoryProviderTokens : IProviderTokenStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (ProviderToken? Token, DateTimeOffset? ClaimedUntil)> _rows = new(StringComparer.Ordinal);

    public Task<ProviderToken?> ProviderTokenAsync(string name, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(_rows.GetValueOrDefault(name).Token);
    }

    public Task<bool> ClaimTokenRefreshAsync(string name, string? rejected, DateTimeOffset now, DateTimeOffset soon, DateTimeOffset claimUntil, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var (token, claimedUntil) = _rows.GetValueOrDefault(name);
            var claimFree = claimedUntil is null || claimedUntil < now;
            var needed = token is null || token.ExpiresAt <= soon || token.Value == rejected;
            if (!claimFree || !needed) return Task.FromResult(false);
            _rows[name] = (token, claimUntil);
            return Task.FromResult(true);
        }
    }

    public Task SaveProviderTokenAsync(string name, ProviderToken token, CancellationToken cancellationToken)
    {
        lock (_lock) _rows[name] = (token, null);
        return Task.CompletedTask;
    }

    public Task ReleaseTokenRefreshAsync(string name, CancellationToken cancellationToken)
    {
        lock (_lock) _rows[name] = (_rows.GetValueOrDefault(name).Token, null);
        return Task.CompletedTask;
    }
}
