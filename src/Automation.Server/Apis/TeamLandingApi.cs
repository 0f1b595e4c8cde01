using System.Globalization;
using System.Net;
using Automation.Core.Storage;
using Automation.Core.Teams;

namespace Automation.Server.Apis;

/// <summary>
/// The share link of a team: <c>GET /t/{token}</c> is a small page the shop embeds (the team, who joined, the time
/// left, a button to join) and <c>POST /t/{token}/join</c> joins the customer named in the body. The signed token is
/// the only credential, as the link is meant to be passed around; so this route joins customers the shop already
/// identified and creates none — the shop's own server calls <c>POST /v1/teams/{teamId}/members</c> for anyone else.
/// </summary>
internal static class TeamLandingApi
{
    public static IEndpointRouteBuilder MapTeamLandingApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/t/{token}", async (string token, string? userId, TeamLinks links, ITeamQueries queries, TeamCatalog campaigns, TimeProvider clock, CancellationToken ct) =>
        {
            if (links.Read(token) is not { } teamId || await queries.FindTeamAsync(teamId, ct) is not { } view)
                return Page("Link not valid", "<p>This team link is not valid. Ask your friend for a new one.</p>", StatusCodes.Status404NotFound);
            var team = view.Team;
            var left = team.ExpiresAt - clock.GetUtcNow();
            var about = campaigns.Find(team.Campaign)?.Description ?? "";
            var who = string.Join("", view.Members.Select(m => $"<li>{Encode(FirstName(m))}</li>"));
            var state = team.Status switch
            {
                TeamStatus.Completed => "<p><strong>This team is complete.</strong></p>",
                TeamStatus.Expired => "<p><strong>This team ran out of time.</strong></p>",
                _ when left <= TimeSpan.Zero => "<p><strong>This team ran out of time.</strong></p>",
                _ => $"<p>{team.PlacesLeft} place(s) left · {(int)left.TotalHours} h {left.Minutes} min to go</p>" +
                     $"<form id=\"join\"><input type=\"hidden\" name=\"userId\" value=\"{Encode(userId ?? "")}\"><button type=\"submit\">Join the team</button></form><p id=\"result\"></p>" +
                     JoinScript(token),
            };
            var body = $"<p>{Encode(about)}</p><p>{team.Members} of {team.Size} joined to split {Encode(team.Pool.ToString("0.##", CultureInfo.InvariantCulture))} {Encode(team.Currency)}:</p><ul>{who}</ul>{state}";
            return Page("Join the team", body);
        });

        app.MapPost("/t/{token}/join", async (string token, TeamsApi.CustomerRequest? body, TeamLinks links, TeamService teams, CancellationToken ct) =>
        {
            if (links.Read(token) is not { } teamId) return TeamsApi.Problem(TeamResult.Refused(TeamRefusal.TeamNotFound, "This team link is not valid."));
            if (TeamsApi.Check(body) is { } invalid) return invalid;
            var result = await teams.JoinAsync(teamId, new CustomerIds(body!.UserId, body.AnonymousId), createUnknown: false, ct);
            return result.Team is { } team ? Results.Ok(TeamsApi.Shown(team, links)) : TeamsApi.Problem(result);
        });
        return app;
    }

    // Friends see each other's first names only.
    private static string FirstName(TeamMemberView member) =>
        member.Name?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? (member.Position == 0 ? "Your friend" : "A friend");

    private static string JoinScript(string token) => $$"""
        <script>
        document.getElementById('join').addEventListener('submit', async e => {
          e.preventDefault();
          const userId = new FormData(e.target).get('userId');
          const r = await fetch('{{WebUtility.UrlEncode(token)}}/join', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }) });
          const answer = await r.json();
          document.getElementById('result').textContent = r.ok ? 'You joined the team.' : (answer.detail || answer.title);
        });
        </script>
        """;

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static IResult Page(string title, string body, int status = StatusCodes.Status200OK) => Results.Content(
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{Encode(title)}</title></head>" +
        $"<body style=\"font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem\"><h1>{Encode(title)}</h1>{body}</body></html>",
        "text/html; charset=utf-8", statusCode: status);
}
