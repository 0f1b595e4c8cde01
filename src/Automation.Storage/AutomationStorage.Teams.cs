using Automation.Core.Teams;
using Dapper;

namespace Automation.Storage;

// Teams as the API and the share page show them.
public abstract partial class AutomationStorage
{
    public async Task<TeamView?> FindTeamAsync(long teamId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var team = await connection.QuerySingleOrDefaultAsync<TeamRow>(new CommandDefinition(
            $"SELECT {TeamRow.Columns} FROM teams WHERE id = @teamId", new { teamId }, cancellationToken: cancellationToken));
        if (team is null) return null;
        var members = await connection.QueryAsync<MemberViewRow>(new CommandDefinition("""
            SELECT c.external_id, c.anonymous_id, c.name, m.position, m.joined_at, m.share
            FROM team_members m JOIN customers c ON c.id = m.customer_id
            WHERE m.team_id = @teamId ORDER BY m.position
            """, new { teamId }, cancellationToken: cancellationToken));
        return new TeamView(team.ToTeam(), [.. members.Select(m => new TeamMemberView(m.ExternalId, m.AnonymousId, m.Name, m.Position, m.JoinedAt, m.Share))]);
    }

    private sealed class MemberViewRow
    {
        public string? ExternalId { get; set; }
        public string? AnonymousId { get; set; }
        public string? Name { get; set; }
        public int Position { get; set; }
        public DateTimeOffset JoinedAt { get; set; }
        public decimal? Share { get; set; }
    }
}
