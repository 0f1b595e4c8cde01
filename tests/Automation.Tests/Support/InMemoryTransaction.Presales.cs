using Automation.Core.Storage;

namespace Automation.Tests.Support;

// Pre-sale announcements inside the transaction, with the unique keys of WriteTransaction.Presales.cs.
internal sealed partial class InMemoryTransaction
{
    public Task<long?> PresalePageEndAsync(string? tier, long afterCustomerId, int limit, CancellationToken cancellationToken) =>
        Done(Audience(tier, afterCustomerId, long.MaxValue).Take(limit).Select(c => (long?)c.CustomerId).LastOrDefault());

    public Task<IReadOnlyList<PresaleAnnouncement>> ClaimPresaleAnnouncementsAsync(PresaleClaim claim, CancellationToken cancellationToken)
    {
        var claimed = Audience(claim.Tier, claim.AfterCustomerId, claim.ThroughCustomerId)
            .Where(c => !_tables.PresaleAnnouncements.ContainsKey((claim.Sale, c.CustomerId))).ToList();
        _tables = _tables with { PresaleAnnouncements = _tables.PresaleAnnouncements.AddRange(claimed.Select(c => KeyValuePair.Create((claim.Sale, c.CustomerId), claim.Wave))) };
        return Done<IReadOnlyList<PresaleAnnouncement>>(claimed);
    }

    public Task<bool> PresaleWaveDoneAsync(string sale, string wave, DateTimeOffset opensAt, CancellationToken cancellationToken) =>
        Done(_tables.PresaleWaves.Contains((sale, wave, opensAt.ToUniversalTime())));

    public Task CompletePresaleWaveAsync(string sale, string wave, DateTimeOffset opensAt, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _tables = _tables with { PresaleWaves = _tables.PresaleWaves.Add((sale, wave, opensAt.ToUniversalTime())) };
        return Task.CompletedTask;
    }

    /// <summary>Customers in (after, through] in id order holding the tier, or every customer when none is given.</summary>
    private IEnumerable<PresaleAnnouncement> Audience(string? tier, long after, long through) =>
        tier is null
            ? _tables.Customers.Where(c => c.Id > after && c.Id <= through).Select(c => new PresaleAnnouncement(c.Id, _tables.Tiers.GetValueOrDefault(c.Id)?.Tier))
            : _tables.Tiers.Where(t => t.Value.Tier == tier && t.Key > after && t.Key <= through).OrderBy(t => t.Key).Select(t => new PresaleAnnouncement(t.Key, tier));
}
