using Automation.Core.Teams;
using Dapper;

namespace Automation.Storage;

// Teams of team-split campaigns inside the caller's transaction.
internal sealed partial class WriteTransaction
{
    public async Task<(Team Team, bool Opened)> OpenTeamAsync(NewTeam team, CancellationToken cancellationToken)
    {
        // The partial unique index on open teams (campaign, initiator) turns a second open into nothing.
        var id = await connection.QuerySingleOrDefaultAsync<long?>(Command("""
            INSERT INTO teams (campaign, initiator_id, size, members, pool, currency, split, floor, coupon, consolation_coupon, status, opened_at, expires_at)
            VALUES (@Campaign, @InitiatorId, @Size, 1, @Pool, @Currency, @split, @Floor, @Coupon, @ConsolationCoupon, 'open', @OpenedAt, @ExpiresAt)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            new
            {
                team.Campaign, team.InitiatorId, team.Size, team.Pool, team.Currency, split = TeamStatuses.Text(team.Terms.Split), team.Terms.Floor,
                team.Terms.Coupon, team.Terms.ConsolationCoupon, team.OpenedAt, team.ExpiresAt,
            }, cancellationToken));
        if (id is { } opened)
        {
            await AddMemberAsync(opened, team.InitiatorId, 0, team.OpenedAt, cancellationToken);
            return ((await LoadTeamAsync(opened, cancellationToken))!, true);
        }
        var open = await connection.QuerySingleAsync<TeamRow>(Command(
            $"SELECT {TeamRow.Columns} FROM teams WHERE campaign = @Campaign AND initiator_id = @InitiatorId AND status = 'open'", team, cancellationToken));
        return (open.ToTeam(), false);
    }

    public async Task<Team?> LoadTeamAsync(long teamId, CancellationToken cancellationToken) =>
        (await connection.QuerySingleOrDefaultAsync<TeamRow>(Command($"SELECT {TeamRow.Columns} FROM teams WHERE id = @teamId", new { teamId }, cancellationToken)))?.ToTeam();

    public Task<int?> ClaimPlaceAsync(long teamId, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<int?>(Command("""
            UPDATE teams SET members = members + 1
            WHERE id = @teamId AND status = 'open' AND members < size AND expires_at > @now
            RETURNING members
            """, new { teamId, now }, cancellationToken));

    public async Task<bool> AddMemberAsync(long teamId, long customerId, int position, DateTimeOffset at, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(Command("""
            INSERT INTO team_members (team_id, customer_id, position, joined_at) VALUES (@teamId, @customerId, @position, @at)
            ON CONFLICT (team_id, customer_id) DO NOTHING
            """, new { teamId, customerId, position, at }, cancellationToken)) == 1;

    public async Task<IReadOnlyList<TeamMember>> LoadMembersAsync(long teamId, CancellationToken cancellationToken) =>
        [.. (await connection.QueryAsync<TeamMemberRow>(Command(
            "SELECT customer_id, position, joined_at, share FROM team_members WHERE team_id = @teamId ORDER BY position",
            new { teamId }, cancellationToken))).Select(r => new TeamMember(r.CustomerId, r.Position, r.JoinedAt, r.Share))];

    public async Task<bool> CloseTeamAsync(long teamId, TeamStatus status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expiredOnly = status == TeamStatus.Expired ? "AND expires_at <= @now" : "";
        return await connection.ExecuteAsync(Command(
            $"UPDATE teams SET status = @status, settled_at = @now WHERE id = @teamId AND status = 'open' {expiredOnly}",
            new { teamId, status = TeamStatuses.Text(status), now }, cancellationToken)) == 1;
    }

    public Task SaveSharesAsync(long teamId, IReadOnlyList<(long CustomerId, decimal Share)> shares, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command("UPDATE team_members SET share = @Share WHERE team_id = @teamId AND customer_id = @CustomerId",
            shares.Select(s => new { teamId, s.CustomerId, s.Share }), cancellationToken));

    public async Task<IReadOnlyList<long>> ExpiredTeamsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<long>(Command(
            "SELECT id FROM teams WHERE status = 'open' AND expires_at <= @now ORDER BY expires_at, id LIMIT @limit", new { now, limit }, cancellationToken))];
}

/// <summary>A row of <c>teams</c>.</summary>
internal sealed class TeamRow
{
    public const string Columns = "id, campaign, initiator_id, size, members, pool, currency, split, floor, coupon, consolation_coupon, status, opened_at, expires_at, settled_at";

    public long Id { get; set; }
    public string Campaign { get; set; } = "";
    public long InitiatorId { get; set; }
    public int Size { get; set; }
    public int Members { get; set; }
    public decimal Pool { get; set; }
    public string Currency { get; set; } = "";
    public string Split { get; set; } = "";
    public decimal Floor { get; set; }
    public string Coupon { get; set; } = "";
    public string? ConsolationCoupon { get; set; }
    public string Status { get; set; } = "";
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? SettledAt { get; set; }

    public Team ToTeam() => new(Id, Campaign, InitiatorId, Size, Members, Pool, Currency,
        new TeamTerms(TeamStatuses.ParseSplit(Split), Floor, Coupon, ConsolationCoupon), TeamStatuses.Parse(Status), OpenedAt, ExpiresAt, SettledAt);
}

/// <summary>A row of <c>team_members</c>.</summary>
internal sealed class TeamMemberRow
{
    public long CustomerId { get; set; }
    public int Position { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
    public decimal? Share { get; set; }
}
