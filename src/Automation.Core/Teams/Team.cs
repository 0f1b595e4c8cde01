namespace Automation.Core.Teams;

/// <summary>Where a team stands.</summary>
public enum TeamStatus
{
    Open,
    Completed,
    Expired,
}

/// <summary>A team to open.</summary>
public sealed record NewTeam(string Campaign, long InitiatorId, int Size, decimal Pool, string Currency, TeamTerms Terms, DateTimeOffset OpenedAt, DateTimeOffset ExpiresAt);

/// <summary>The terms a team was opened under, kept with it until it settles whatever its campaign file says by then.</summary>
public sealed record TeamTerms(SplitKind Split, decimal Floor, string Coupon, string? ConsolationCoupon)
{
    public static TeamTerms Of(TeamCampaign campaign) =>
        new(campaign.Split, campaign.Floor, campaign.Coupon, campaign.IfUnfilled == UnfilledOutcome.Consolation ? campaign.ConsolationCoupon : null);
}

/// <summary>A team of a team-split campaign; <see cref="Members"/> counts the initiator.</summary>
public sealed record Team(long Id, string Campaign, long InitiatorId, int Size, int Members, decimal Pool, string Currency, TeamTerms Terms, TeamStatus Status,
    DateTimeOffset OpenedAt, DateTimeOffset ExpiresAt, DateTimeOffset? SettledAt)
{
    public int PlacesLeft => Math.Max(0, Size - Members);
}

/// <summary>A member of a team: position 0 is the initiator; the share is set when the team completes.</summary>
public sealed record TeamMember(long CustomerId, int Position, DateTimeOffset JoinedAt, decimal? Share);

/// <summary>A member as the API shows them.</summary>
public sealed record TeamMemberView(string? UserId, string? AnonymousId, string? Name, int Position, DateTimeOffset JoinedAt, decimal? Share);

/// <summary>A team with its members, as the API and the share page show it.</summary>
public sealed record TeamView(Team Team, IReadOnlyList<TeamMemberView> Members);

/// <summary>The words storage and the API use for a team's status.</summary>
public static class TeamStatuses
{
    public static string Text(TeamStatus status) => status switch
    {
        TeamStatus.Open => "open",
        TeamStatus.Completed => "completed",
        TeamStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Text(SplitKind split) => split == SplitKind.Equal ? "equal" : "random";

    public static SplitKind ParseSplit(string text) => text == "equal" ? SplitKind.Equal : SplitKind.Random;

    public static TeamStatus Parse(string text) => text switch
    {
        "open" => TeamStatus.Open,
        "completed" => TeamStatus.Completed,
        "expired" => TeamStatus.Expired,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, "not a team status"),
    };
}
