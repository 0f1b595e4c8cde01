using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Teams;

/// <summary>
/// Opening and joining teams for the API and the share page: each in one transaction with the events it records
/// and the journeys they start, committed only when the team was opened or joined — a refusal leaves nothing behind.
/// </summary>
public sealed class TeamService(IIngestionStore store, TeamEngine teams, JourneyEngine journeys, TimeProvider clock)
{
    /// <summary>Opens a team of the campaign for the customer (created when unknown), or returns the one they have open.</summary>
    public async Task<TeamResult> OpenAsync(string campaignName, CustomerIds initiator, CancellationToken ct)
    {
        if (teams.Campaign(campaignName) is not { } campaign)
            return TeamResult.Refused(TeamRefusal.UnknownCampaign, $"There is no team campaign '{campaignName}' in rules/teams/.");
        return await InTransactionAsync(initiator, create: true, (tx, customerId, now) => teams.OpenAsync(tx, campaign, customerId, now, ct), ct);
    }

    /// <summary>Joins the customer to the team; an unknown customer is created when <paramref name="createUnknown"/>, else refused.</summary>
    public Task<TeamResult> JoinAsync(long teamId, CustomerIds friend, bool createUnknown, CancellationToken ct) =>
        InTransactionAsync(friend, createUnknown, (tx, customerId, now) => teams.JoinAsync(tx, teamId, customerId, now, ct), ct);

    private async Task<TeamResult> InTransactionAsync(CustomerIds ids, bool create, Func<IIngestTransaction, long, DateTimeOffset, Task<TeamResult>> work, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await store.BeginAsync(ct);
        if (await ResolveAsync(tx, ids, create, now, ct) is not { } customerId)
            return TeamResult.Refused(TeamRefusal.CustomerNotFound, $"No customer has the user id or anonymous id '{ids.UserId ?? ids.AnonymousId}'.");
        var result = await work(tx, customerId, now);
        if (result.Refusal is not null) return result;
        await journeys.OnEventsAsync(tx, result.Events, now, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>The customer with the user id (else the anonymous id); created when asked and unknown.</summary>
    private static async Task<long?> ResolveAsync(IIngestTransaction tx, CustomerIds ids, bool create, DateTimeOffset now, CancellationToken ct)
    {
        async Task<long?> FindAsync()
        {
            var found = await tx.FindCustomersAsync(ids.UserId is null ? [] : [ids.UserId], ids.AnonymousId is null ? [] : [ids.AnonymousId], ct);
            return (found.FirstOrDefault(k => ids.UserId is not null && k.ExternalId == ids.UserId) ?? (found.Count > 0 ? found[0] : null))?.Id;
        }

        var known = await FindAsync();
        if (known is not null || !create) return known;
        var created = await tx.CreateCustomersAsync([new NewCustomer(ids.UserId, ids.AnonymousId)], now, ct);
        // Created meanwhile by another transaction: it is there now.
        return created.Count > 0 ? created[0].Id : await FindAsync();
    }
}

/// <summary>Who a customer is to the API: a user id, an anonymous id, or both (the user id wins).</summary>
public sealed record CustomerIds(string? UserId, string? AnonymousId);

/// <summary>Settles teams that expired unfilled, page by page, each in a transaction with the journeys its events start.</summary>
public sealed class TeamExpirer(IIngestionStore store, TeamEngine teams, JourneyEngine journeys, TimeProvider clock)
{
    public const int PageSize = 100;

    /// <summary>Settles every team expired by now; returns how many this call settled (another node may settle some).</summary>
    public async Task<int> SettleExpiredAsync(CancellationToken ct)
    {
        var settled = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            await using var tx = await store.BeginAsync(ct);
            var expired = await tx.ExpiredTeamsAsync(now, PageSize, ct);
            if (expired.Count == 0) return settled;
            var events = new List<(Ingestion.InboundMessage Message, long CustomerId)>();
            foreach (var teamId in expired)
            {
                var settledNow = await teams.SettleExpiredAsync(tx, teamId, now, ct);
                if (settledNow.Count > 0) settled++;
                events.AddRange(settledNow);
            }
            await journeys.OnEventsAsync(tx, events, now, ct);
            await tx.CommitAsync(ct);
        }
    }
}
