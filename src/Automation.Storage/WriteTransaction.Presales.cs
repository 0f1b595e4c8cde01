using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Pre-sale announcements inside the caller's transaction: a page of a wave's audience is claimed by one INSERT … SELECT.
internal sealed partial class WriteTransaction
{
    public Task<long?> PresalePageEndAsync(string? tier, long afterCustomerId, int limit, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<long?>(Command(tier is null
            ? "SELECT MAX(id) FROM (SELECT id FROM customers WHERE id > @afterCustomerId ORDER BY id LIMIT @limit) page"
            : "SELECT MAX(customer_id) FROM (SELECT customer_id FROM customer_tiers WHERE tier = @tier AND customer_id > @afterCustomerId ORDER BY customer_id LIMIT @limit) page",
            new { tier, afterCustomerId, limit }, cancellationToken));

    public async Task<IReadOnlyList<PresaleAnnouncement>> ClaimPresaleAnnouncementsAsync(PresaleClaim claim, CancellationToken cancellationToken)
    {
        // The key (sale, customer_id) turns a customer another node told, or this one before, into nothing.
        var audience = claim.Tier is null
            ? """
              SELECT @Sale, c.id, @Wave, t.tier, @At FROM customers c LEFT JOIN customer_tiers t ON t.customer_id = c.id
              WHERE c.id > @AfterCustomerId AND c.id <= @ThroughCustomerId ORDER BY c.id
              """
            : """
              SELECT @Sale, t.customer_id, @Wave, t.tier, @At FROM customer_tiers t
              WHERE t.tier = @Tier AND t.customer_id > @AfterCustomerId AND t.customer_id <= @ThroughCustomerId ORDER BY t.customer_id
              """;
        var rows = await connection.QueryAsync<PresaleAnnouncementRow>(Command($"""
            INSERT INTO presale_announcements (sale, customer_id, wave, tier, announced_at)
            {audience}
            ON CONFLICT (sale, customer_id) DO NOTHING
            RETURNING customer_id, tier
            """, claim, cancellationToken));
        return [.. rows.Select(r => new PresaleAnnouncement(r.CustomerId, r.Tier)).OrderBy(a => a.CustomerId)];
    }

    // Openings come from the file with its offset; PostgreSQL stores UTC only, and SQLite compares the text.
    public async Task<bool> PresaleWaveDoneAsync(string sale, string wave, DateTimeOffset opensAt, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<int?>(Command(
            "SELECT 1 FROM presale_waves WHERE sale = @sale AND wave = @wave AND opens_at = @opensAt", new { sale, wave, opensAt = opensAt.ToUniversalTime() }, cancellationToken)) is not null;

    public Task CompletePresaleWaveAsync(string sale, string wave, DateTimeOffset opensAt, DateTimeOffset at, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command("""
            INSERT INTO presale_waves (sale, wave, opens_at, completed_at) VALUES (@sale, @wave, @opensAt, @at)
            ON CONFLICT (sale, wave, opens_at) DO NOTHING
            """, new { sale, wave, opensAt = opensAt.ToUniversalTime(), at }, cancellationToken));
}

/// <summary>A customer an INSERT into <c>presale_announcements</c> recorded.</summary>
internal sealed class PresaleAnnouncementRow
{
    public long CustomerId { get; set; }
    public string? Tier { get; set; }
}
