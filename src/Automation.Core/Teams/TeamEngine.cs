using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Automation.Core.Coupons;
using Automation.Core.Ingestion;
using Automation.Core.Referrals;
using Automation.Core.Storage;

namespace Automation.Core.Teams;

/// <summary>Why a team could not be opened or joined.</summary>
public enum TeamRefusal
{
    UnknownCampaign,
    CampaignDisabled,
    CustomerNotFound,
    TeamNotFound,
    OwnTeam,
    AlreadyMember,
    Full,
    Expired,
}

/// <summary>
/// What opening or joining a team came to: the team, or a refusal with a sentence saying why. On a refusal the
/// transaction may hold writes that must not stand: the caller drops it instead of committing.
/// </summary>
public sealed record TeamResult(Team? Team, TeamRefusal? Refusal, string? Reason, IReadOnlyList<(InboundMessage Message, long CustomerId)> Events)
{
    public static TeamResult Refused(TeamRefusal refusal, string reason) => new(null, refusal, reason, []);
}

/// <summary>
/// Opens, joins and settles teams of team-split campaigns inside the caller's transaction. Each change is recorded
/// as a customer event in that same transaction (<c>Team Opened</c>, <c>Team Joined</c>, <c>Team Completed</c>,
/// <c>Team Expired</c>, and <c>Referred</c> for a new customer who joined), returned for the journey engine.
/// </summary>
public sealed class TeamEngine(TeamCatalog catalog, CouponCatalog coupons, TeamLinks links, Tiers.TierCatalog tiers, Func<long, long>? randomBelow = null)
{
    public const string TeamOpened = "Team Opened";
    public const string TeamJoined = "Team Joined";
    public const string TeamCompleted = "Team Completed";
    public const string TeamExpired = "Team Expired";

    private readonly Func<long, long> _randomBelow = randomBelow ?? (n => RandomNumberGenerator.GetInt32(checked((int)n)));

    /// <summary>The campaign of that name in rules/teams/, or null.</summary>
    public TeamCampaign? Campaign(string name) => catalog.Find(name);

    /// <summary>The share link of a team.</summary>
    public string LinkFor(long teamId) => links.UrlFor(teamId);

    /// <summary>Opens a team of the campaign for the initiator, or returns the one they have open.</summary>
    public async Task<TeamResult> OpenAsync(IJourneyTransaction tx, TeamCampaign campaign, long initiatorId, DateTimeOffset now, CancellationToken ct)
    {
        if (!campaign.Enabled) return TeamResult.Refused(TeamRefusal.CampaignDisabled, $"The team campaign '{campaign.Name}' is disabled.");
        var fresh = new NewTeam(campaign.Name, initiatorId, campaign.TeamSize, campaign.Pool, campaign.Currency, TeamTerms.Of(campaign), now, now + campaign.TimeLimit);
        var events = new List<(InboundMessage Message, long CustomerId)>();
        var (team, opened) = await tx.OpenTeamAsync(fresh, ct);
        if (!opened && team.ExpiresAt <= now)
        {
            // Their last team ran out and the settling job has not come by yet: settle it now and open a new one.
            events.AddRange(await SettleExpiredAsync(tx, team.Id, now, ct));
            (team, opened) = await tx.OpenTeamAsync(fresh, ct);
        }
        if (opened)
        {
            var openedEvent = Event(initiatorId, TeamOpened, "team-opened", team, "initiator", now);
            await DerivedEvents.StoreAsync(tx, [openedEvent], ct);
            events.Add(openedEvent);
        }
        return new TeamResult(team, null, null, events);
    }

    /// <summary>
    /// Joins the customer to the team: a place is claimed in the statement that takes it, so when places run out at
    /// the same moment the ones left over are refused as full. The member who fills the team completes it, and each
    /// member's share is recorded (and issued) in this same transaction.
    /// </summary>
    public async Task<TeamResult> JoinAsync(IJourneyTransaction tx, long teamId, long customerId, DateTimeOffset now, CancellationToken ct)
    {
        if (await tx.LoadTeamAsync(teamId, ct) is not { } team) return TeamResult.Refused(TeamRefusal.TeamNotFound, $"There is no team {teamId}.");
        if (team.InitiatorId == customerId) return TeamResult.Refused(TeamRefusal.OwnTeam, "A customer cannot join the team they opened: share the link with friends.");
        if (await tx.ClaimPlaceAsync(teamId, now, ct) is not { } members) return await WhyNoPlaceAsync(tx, teamId, customerId, now, ct);
        if (!await tx.AddMemberAsync(teamId, customerId, members - 1, now, ct))
            return TeamResult.Refused(TeamRefusal.AlreadyMember, $"The customer is a member of team {teamId} already.");

        team = team with { Members = members };
        var events = new List<(InboundMessage Message, long CustomerId)>
        {
            Event(customerId, TeamJoined, "team-joined", team, "member", now),
            Event(team.InitiatorId, TeamJoined, "team-joined", team, "initiator", now, subject: $"{teamId}:{customerId}"),
        };
        if (await ReferralAttribution.AttributeIfNewAsync(tx, customerId, team.InitiatorId, ReferralAttribution.ByTeam, now, ct) is { } referred) events.Add(referred);
        if (members == team.Size && await tx.CloseTeamAsync(teamId, TeamStatus.Completed, now, ct))
        {
            team = team with { Status = TeamStatus.Completed, SettledAt = now };
            events.AddRange(await CompleteAsync(tx, team, now, ct));
        }
        await DerivedEvents.StoreAsync(tx, events, ct);
        return new TeamResult(team, null, null, events);
    }

    /// <summary>Settles a team that expired unfilled, once: its campaign's consolation, if any, for each member. Returns the events, stored.</summary>
    public async Task<IReadOnlyList<(InboundMessage Message, long CustomerId)>> SettleExpiredAsync(IJourneyTransaction tx, long teamId, DateTimeOffset now, CancellationToken ct)
    {
        if (!await tx.CloseTeamAsync(teamId, TeamStatus.Expired, now, ct) || await tx.LoadTeamAsync(teamId, ct) is not { } team) return [];
        var events = new List<(InboundMessage Message, long CustomerId)>();
        foreach (var member in await tx.LoadMembersAsync(teamId, ct))
        {
            var properties = Properties(team, member.Position == 0 ? "initiator" : "member", now);
            if (team.Terms.ConsolationCoupon is { } consolation)
                await IssueAsync(tx, consolation, member.CustomerId, $"team:{team.Id}:{member.CustomerId}:consolation", null, now, properties, ct);
            events.Add((DerivedEvents.Create(member.CustomerId, TeamExpired, "team-expired", team.Id.ToString(CultureInfo.InvariantCulture), properties, now), member.CustomerId));
        }
        await DerivedEvents.StoreAsync(tx, events, ct);
        return events;
    }

    private async Task<List<(InboundMessage Message, long CustomerId)>> CompleteAsync(IJourneyTransaction tx, Team team, DateTimeOffset now, CancellationToken ct)
    {
        var members = await tx.LoadMembersAsync(team.Id, ct);
        var shares = TeamSplit.Shares((long)(team.Pool * 100m), members.Count, team.Terms.Split, (long)(team.Terms.Floor * 100m), _randomBelow);
        var amounts = members.Select((m, i) => (m.CustomerId, Share: shares[i] / 100m)).ToList();
        await tx.SaveSharesAsync(team.Id, amounts, ct);
        var events = new List<(InboundMessage Message, long CustomerId)>();
        foreach (var (member, (_, share)) in members.Zip(amounts))
        {
            var properties = Properties(team, member.Position == 0 ? "initiator" : "member", now);
            properties["share"] = share;
            await IssueAsync(tx, team.Terms.Coupon, member.CustomerId, $"team:{team.Id}:{member.CustomerId}", share, now, properties, ct);
            events.Add((DerivedEvents.Create(member.CustomerId, TeamCompleted, "team-completed", team.Id.ToString(CultureInfo.InvariantCulture), properties, now), member.CustomerId));
        }
        return events;
    }

    /// <summary>
    /// Issues a coupon of the campaign (worth <paramref name="amount"/> when given) and puts its code, or why there is
    /// none, into the event's properties: <c>coupon_code</c> and <c>coupon_expires_at</c>, or <c>coupon_refusal</c>.
    /// The issue key makes a repeated settlement hand back the same code.
    /// </summary>
    private async Task IssueAsync(IJourneyTransaction tx, string campaignName, long customerId, string issueKey, decimal? amount, DateTimeOffset now,
        JsonObject properties, CancellationToken ct)
    {
        var issue = coupons.Find(campaignName) is { } campaign
            ? await CouponEligibility.IssueAsync(tx, new CouponIssueRequest(campaign, customerId, issueKey, now, amount), tiers.Program, ct)
            : CouponIssue.Refused($"there is no coupon campaign '{campaignName}' in rules/coupons/");
        if (issue.Coupon is { } coupon)
        {
            properties["coupon_code"] = coupon.Code;
            properties["coupon_expires_at"] = coupon.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture);
        }
        else
        {
            properties["coupon_refusal"] = issue.Refusal;
        }
    }

    private static async Task<TeamResult> WhyNoPlaceAsync(IJourneyTransaction tx, long teamId, long customerId, DateTimeOffset now, CancellationToken ct)
    {
        // The claim decided; this only finds the words for why it failed.
        var team = (await tx.LoadTeamAsync(teamId, ct))!;
        if ((await tx.LoadMembersAsync(teamId, ct)).Any(m => m.CustomerId == customerId))
            return TeamResult.Refused(TeamRefusal.AlreadyMember, $"The customer is a member of team {teamId} already.");
        if (team.Status == TeamStatus.Expired || (team.Status == TeamStatus.Open && team.ExpiresAt <= now))
            return TeamResult.Refused(TeamRefusal.Expired, $"Team {teamId} expired at {team.ExpiresAt:u} before it filled.");
        return TeamResult.Refused(TeamRefusal.Full, $"Team {teamId} is full: all {team.Size} places are taken.");
    }

    private (InboundMessage Message, long CustomerId) Event(long customerId, string name, string prefix, Team team, string role, DateTimeOffset now, string? subject = null) =>
        (DerivedEvents.Create(customerId, name, prefix, subject ?? team.Id.ToString(CultureInfo.InvariantCulture), Properties(team, role, now), now), customerId);

    /// <summary>The properties of a team event with sample values, for checking templates; null for other events.</summary>
    public static JsonObject? SampleProperties(string eventName)
    {
        if (eventName is not (TeamOpened or TeamJoined or TeamCompleted or TeamExpired)) return null;
        var sample = new JsonObject
        {
            ["team_id"] = 1, ["campaign"] = "three-split-150", ["role"] = "initiator", ["size"] = 3, ["members"] = 2, ["places_left"] = 1,
            ["pool"] = 150, ["currency"] = "CNY", ["expires_at"] = "2026-01-02T10:00:00.0000000+00:00", ["hours_left"] = 20,
            ["link"] = "https://automation.example/t/1.sample",
        };
        if (eventName is TeamCompleted or TeamExpired)
        {
            sample["coupon_code"] = "TEAM-SAMPLE";
            sample["coupon_expires_at"] = "2026-02-01T10:00:00.0000000+00:00";
        }
        if (eventName == TeamCompleted) sample["share"] = 50;
        return sample;
    }

    /// <summary>What templates and journey conditions see of the team (<c>event.properties.…</c>).</summary>
    private JsonObject Properties(Team team, string role, DateTimeOffset now) => new()
    {
        ["team_id"] = team.Id,
        ["campaign"] = team.Campaign,
        ["role"] = role,
        ["size"] = team.Size,
        ["members"] = team.Members,
        ["places_left"] = team.PlacesLeft,
        ["pool"] = team.Pool,
        ["currency"] = team.Currency,
        ["expires_at"] = team.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
        ["hours_left"] = Math.Max(0, Math.Floor((team.ExpiresAt - now).TotalHours)),
        ["link"] = links.UrlFor(team.Id),
    };
}
