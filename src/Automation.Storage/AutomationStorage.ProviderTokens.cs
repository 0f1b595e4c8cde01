using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Provider tokens: the refresh is claimed in one upsert whose WHERE holds the whole condition, so of racing nodes
// exactly one sees a row come back and fetches; the others read the token it saves.
public abstract partial class AutomationStorage : IProviderTokenStore
{
    public async Task<ProviderToken?> ProviderTokenAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string? Token, DateTimeOffset? ExpiresAt)>(new CommandDefinition(
            "SELECT token, expires_at FROM provider_tokens WHERE name = @name", new { name }, cancellationToken: cancellationToken));
        return row is { Token: { } token, ExpiresAt: { } expiresAt } ? new ProviderToken(token, expiresAt) : null;
    }

    public async Task<bool> ClaimTokenRefreshAsync(string name, string? rejected, DateTimeOffset now, DateTimeOffset soon, DateTimeOffset claimUntil, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        var claimed = await writer.Connection.QueryAsync<string>(new CommandDefinition("""
            INSERT INTO provider_tokens (name, token, expires_at, refresh_claimed_until) VALUES (@name, NULL, NULL, @claimUntil)
            ON CONFLICT (name) DO UPDATE SET refresh_claimed_until = @claimUntil
            WHERE (provider_tokens.refresh_claimed_until IS NULL OR provider_tokens.refresh_claimed_until < @now)
              AND (provider_tokens.token IS NULL OR provider_tokens.expires_at <= @soon OR provider_tokens.token = @rejected)
            RETURNING name
            """, new { name, rejected, now = now.ToUniversalTime(), soon = soon.ToUniversalTime(), claimUntil = claimUntil.ToUniversalTime() },
            cancellationToken: cancellationToken));
        return claimed.Any();
    }

    public async Task SaveProviderTokenAsync(string name, ProviderToken token, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE provider_tokens SET token = @Value, expires_at = @expiresAt, refresh_claimed_until = NULL WHERE name = @name",
            new { name, token.Value, expiresAt = token.ExpiresAt.ToUniversalTime() }, cancellationToken: cancellationToken));
    }

    public async Task ReleaseTokenRefreshAsync(string name, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE provider_tokens SET refresh_claimed_until = NULL WHERE name = @name", new { name }, cancellationToken: cancellationToken));
    }
}
