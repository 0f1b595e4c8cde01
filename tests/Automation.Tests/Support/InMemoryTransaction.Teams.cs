using Automation.Core.Storage;
using Automation.Core.Teams;

namespace Automation.Tests.Support;

// Teams and referrals inside the transaction, with the unique keys and claims of WriteTransaction.Teams.cs and .Referrals.cs.
internal sealed partial class InMemoryTransaction
{
    public async Task<(Team Team, bool Opened)> OpenTeamAsync(NewTeam team, CancellationToken cancellationToken)
    {
        if (_tables.Teams.FirstOrDefault(t => t.Campaign == team.Campaign && t.InitiatorId == team.InitiatorId && t.Status == TeamStatus.Open) is { } open)
            return (open, false);
        var row = new Team(_tables.Teams.Count + 1, team.Campaign, team.InitiatorId, team.Size, 1, team.Pool, team.Currency, team.Terms, TeamStatus.Open,
            team.OpenedAt, team.ExpiresAt, null);
        _tables = _tables with { Teams = _tables.Teams.Add(row) };
        await AddMemberAsync(row.Id, team.InitiatorId, 0, team.OpenedAt, cancellationToken);
        return (row, true);
    }

    public Task<Team?> LoadTeamAsync(long teamId, CancellationToken cancellationToken) => Done(TeamRow(teamId));

    public Task<int?> ClaimPlaceAsync(long teamId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (TeamRow(teamId) is not { Status: TeamStatus.Open } team || team.Members >= team.Size || team.ExpiresAt <= now) return Done<int?>(null);
        SaveTeam(team with { Members = team.Members + 1 });
        return Done<int?>(team.Members + 1);
    }

    public Task<bool> AddMemberAsync(long teamId, long customerId, int position, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_tables.TeamMembers.ContainsKey((teamId, customerId))) return Done(false);
        _tables = _tables with { TeamMembers = _tables.TeamMembers.Add((teamId, customerId), new TeamMember(customerId, position, at, null)) };
        return Done(true);
    }

    public Task<IReadOnlyList<TeamMember>> LoadMembersAsync(long teamId, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<TeamMember>>([.. _tables.TeamMembers.Where(m => m.Key.TeamId == teamId).Select(m => m.Value).OrderBy(m => m.Position)]);

    public Task<bool> CloseTeamAsync(long teamId, TeamStatus status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (TeamRow(teamId) is not { Status: TeamStatus.Open } team || (status == TeamStatus.Expired && team.ExpiresAt > now)) return Done(false);
        SaveTeam(team with { Status = status, SettledAt = now });
        return Done(true);
    }

    public Task SaveSharesAsync(long teamId, IReadOnlyList<(long CustomerId, decimal Share)> shares, CancellationToken cancellationToken)
    {
        foreach (var (customerId, share) in shares)
        {
            if (_tables.TeamMembers.TryGetValue((teamId, customerId), out var member))
                _tables = _tables with { TeamMembers = _tables.TeamMembers.SetItem((teamId, customerId), member with { Share = share }) };
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<long>> ExpiredTeamsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<long>>([.. _tables.Teams.Where(t => t.Status == TeamStatus.Open && t.ExpiresAt <= now).OrderBy(t => t.ExpiresAt).ThenBy(t => t.Id).Take(limit).Select(t => t.Id)]);

    public Task<bool> AttributeAsync(long referredId, long referrerId, string source, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_tables.Referrals.ContainsKey(referredId)) return Done(false);
        _tables = _tables with { Referrals = _tables.Referrals.Add(referredId, new ReferralRow(referredId, referrerId, source, at)) };
        return Done(true);
    }

    public Task<IReadOnlyCollection<long>> RecordFirstOrdersAsync(IReadOnlyList<(long CustomerId, string OrderId, DateTimeOffset OrderedAt)> orders, CancellationToken cancellationToken)
    {
        var noted = new List<long>();
        foreach (var first in orders.GroupBy(o => o.CustomerId).Select(g => g.MinBy(o => o.OrderedAt)))
        {
            if (!_tables.Referrals.TryGetValue(first.CustomerId, out var row) || row.FirstOrderId is not null) continue;
            _tables = _tables with { Referrals = _tables.Referrals.SetItem(first.CustomerId, row with { FirstOrderId = first.OrderId, FirstOrderAt = first.OrderedAt }) };
            noted.Add(first.CustomerId);
        }
        return Done<IReadOnlyCollection<long>>(noted);
    }

    public Task<IReadOnlyList<DueReferral>> DueReferralsAsync(DateTimeOffset orderedBy, int limit, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<DueReferral>>([.. _tables.Referrals.Values
            .Where(r => r.RewardedAt is null && r.FirstOrderAt <= orderedBy)
            .OrderBy(r => r.FirstOrderAt).ThenBy(r => r.ReferredId).Take(limit)
            .Select(r => new DueReferral(r.ReferredId, r.ReferrerId, r.FirstOrderId!, r.FirstOrderAt!.Value,
                _tables.Orders.GetValueOrDefault(r.FirstOrderId!) is not { } o || o.FullyRefunded || (o.RefundedAmount > 0 && o.RefundedAmount >= o.Total)))]);

    public Task<IReadOnlyCollection<long>> ReferrersOfAsync(IReadOnlyCollection<long> referredIds, CancellationToken cancellationToken) =>
        Done<IReadOnlyCollection<long>>([.. referredIds.Where(_tables.Referrals.ContainsKey).Select(id => _tables.Referrals[id].ReferrerId).Distinct()]);

    public Task<bool> SettleReferralAsync(long referredId, string outcome, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!_tables.Referrals.TryGetValue(referredId, out var row) || row.RewardedAt is not null) return Done(false);
        _tables = _tables with { Referrals = _tables.Referrals.SetItem(referredId, row with { RewardedAt = at, Outcome = outcome }) };
        return Done(true);
    }

    private Team? TeamRow(long teamId) => teamId >= 1 && teamId <= _tables.Teams.Count ? _tables.Teams[(int)teamId - 1] : null;

    private void SaveTeam(Team team) => _tables = _tables with { Teams = _tables.Teams.SetItem((int)team.Id - 1, team) };
}
