namespace Automation.Core.Storage;

/// <summary>A provider's access token as every node shares it, and until when the provider honours it.</summary>
public sealed record ProviderToken(string Value, DateTimeOffset ExpiresAt);

/// <summary>
/// Access tokens of providers that allow only one at a time (WeChat: fetching a new token retires the old one), shared
/// by every node through the database. A node refreshes only after claiming the refresh in the database, so two nodes
/// never both fetch and invalidate each other's token.
/// </summary>
public interface IProviderTokenStore
{
    /// <summary>The stored token under <paramref name="name"/>, or null when none was fetched yet.</summary>
    Task<ProviderToken?> ProviderTokenAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the refresh of <paramref name="name"/> until <paramref name="claimUntil"/>, in one statement: granted only
    /// when no other claim is live at <paramref name="now"/> and the stored token is missing, expires by
    /// <paramref name="soon"/>, or is <paramref name="rejected"/> (the provider refused it). True: this caller fetches.
    /// </summary>
    Task<bool> ClaimTokenRefreshAsync(string name, string? rejected, DateTimeOffset now, DateTimeOffset soon, DateTimeOffset claimUntil, CancellationToken cancellationToken);

    /// <summary>Stores a freshly fetched token and ends the claim.</summary>
    Task SaveProviderTokenAsync(string name, ProviderToken token, CancellationToken cancellationToken);

    /// <summary>Ends a claim whose fetch failed, so the next caller may try at once.</summary>
    Task ReleaseTokenRefreshAsync(string name, CancellationToken cancellationToken);
}
