using Automation.Core.Storage;
using Automation.Core.Teams;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// Team-split coupons for the shop: <c>POST /v1/teams/{campaign}</c> opens a team for the initiator,
/// <c>POST /v1/teams/{teamId}/members</c> joins a friend, <c>GET /v1/teams/{teamId}</c> shows a team.
/// </summary>
internal static class TeamsApi
{
    /// <summary>Who: <c>userId</c>, <c>anonymousId</c> or both, as in Segment messages.</summary>
    public sealed record CustomerRequest(string? UserId, string? AnonymousId);

    public const int MaxIdLength = 200;

    public static ApiRoutes MapTeamsApi(this ApiRoutes v1)
    {
        v1.Admin.MapPost("/teams/{campaign}", async (string campaign, CustomerRequest? body, TeamService teams, TeamLinks links, CancellationToken ct) =>
        {
            if (Check(body) is { } invalid) return invalid;
            var result = await teams.OpenAsync(campaign, new CustomerIds(body!.UserId, body.AnonymousId), ct);
            if (result.Team is not { } team) return Problem(result);
            var opened = result.Events.Any(e => e.Message.EventName == TeamEngine.TeamOpened);
            return opened ? Results.Created($"/v1/teams/{team.Id}", Shown(team, links)) : Results.Ok(Shown(team, links));
        });

        v1.Admin.MapPost("/teams/{teamId}/members", async (long teamId, CustomerRequest? body, TeamService teams, TeamLinks links, CancellationToken ct) =>
        {
            if (Check(body) is { } invalid) return invalid;
            var result = await teams.JoinAsync(teamId, new CustomerIds(body!.UserId, body.AnonymousId), createUnknown: true, ct);
            return result.Team is { } team ? Results.Ok(Shown(team, links)) : Problem(result);
        });

        v1.Read.MapGet("/teams/{teamId}", async (long teamId, ITeamQueries queries, TeamLinks links, CancellationToken ct) =>
            await queries.FindTeamAsync(teamId, ct) is { } view
                ? Results.Ok(new
                {
                    team = Shown(view.Team, links),
                    members = view.Members.Select(m => new { userId = m.UserId, anonymousId = m.AnonymousId, m.Position, m.JoinedAt, m.Share }),
                })
                : Problem(TeamResult.Refused(TeamRefusal.TeamNotFound, $"There is no team {teamId}.")));
        return v1;
    }

    /// <summary>A 400 naming the field, or null when the body names a customer.</summary>
    public static IResult? Check(CustomerRequest? body)
    {
        if (string.IsNullOrWhiteSpace(body?.UserId) && string.IsNullOrWhiteSpace(body?.AnonymousId))
            return ValidationProblem.For("userId", "userId or anonymousId is required");
        if (body.UserId?.Length > MaxIdLength) return ValidationProblem.For("userId", $"must be at most {MaxIdLength} characters");
        if (body.AnonymousId?.Length > MaxIdLength) return ValidationProblem.For("anonymousId", $"must be at most {MaxIdLength} characters");
        return null;
    }

    /// <summary>The team as the API answers it.</summary>
    public static object Shown(Team team, TeamLinks links) => new
    {
        id = team.Id,
        campaign = team.Campaign,
        status = TeamStatuses.Text(team.Status),
        size = team.Size,
        members = team.Members,
        placesLeft = team.PlacesLeft,
        pool = team.Pool,
        currency = team.Currency,
        openedAt = team.OpenedAt,
        expiresAt = team.ExpiresAt,
        link = links.UrlFor(team.Id),
        token = links.Token(team.Id),
    };

    /// <summary>The problem details of a refusal: 404 for what does not exist, 410 for an expired team, 409 otherwise.</summary>
    public static IResult Problem(TeamResult result)
    {
        var (status, title, code) = result.Refusal switch
        {
            TeamRefusal.UnknownCampaign => (StatusCodes.Status404NotFound, "Unknown team campaign", "unknown_campaign"),
            TeamRefusal.CustomerNotFound => (StatusCodes.Status404NotFound, "Customer not found", "customer_not_found"),
            TeamRefusal.TeamNotFound => (StatusCodes.Status404NotFound, "Team not found", "team_not_found"),
            TeamRefusal.CampaignDisabled => (StatusCodes.Status409Conflict, "Team campaign disabled", "campaign_disabled"),
            TeamRefusal.OwnTeam => (StatusCodes.Status409Conflict, "Own team", "own_team"),
            TeamRefusal.AlreadyMember => (StatusCodes.Status409Conflict, "Already a member", "already_member"),
            TeamRefusal.Full => (StatusCodes.Status409Conflict, "Team full", "team_full"),
            TeamRefusal.Expired => (StatusCodes.Status410Gone, "Team expired", "team_expired"),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Refusal, "not a refusal"),
        };
        return Results.Problem(statusCode: status, title: title, detail: result.Reason, extensions: new Dictionary<string, object?> { ["refusal"] = code });
    }
}
