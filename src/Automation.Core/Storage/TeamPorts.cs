using Automation.Core.Teams;

namespace Automation.Core.Storage;

/// <summary>
/// Teams of team-split campaigns, inside the caller's transaction. Places are claimed by the statement that takes
/// them and membership is a unique key, so concurrent joins never overfill a team nor join anyone twice.
/// </summary>
public interface ITeamWrites
{
    /// <summary>Opens the team unless the initiator has one of the campaign open; returns the open team and whether it is new.</summary>
    Task<(Team Team, bool Opened)> OpenTeamAsync(NewTeam team, CancellationToken cancellationToken);

    /// <summary>The team, or null.</summary>
    Task<Team?> LoadTeamAsync(long teamId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a place in an open team that has one and has not expired at <paramref name="now"/>, in one statement;
    /// returns the member count with this place, or null when there was none to take.
    /// </summary>
    Task<int?> ClaimPlaceAsync(long teamId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Adds a member at a position; false (nothing added) when the customer is a member already.</summary>
    Task<bool> AddMemberAsync(long teamId, long customerId, int position, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The members, initiator first.</summary>
    Task<IReadOnlyList<TeamMember>> LoadMembersAsync(long teamId, CancellationToken cancellationToken);

    /// <summary>
    /// Closes a team that is still open, as completed or (when expired at <paramref name="now"/>) expired; false when
    /// it was closed already, by this node or another.
    /// </summary>
    Task<bool> CloseTeamAsync(long teamId, TeamStatus status, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records each member's share of the pool.</summary>
    Task SaveSharesAsync(long teamId, IReadOnlyList<(long CustomerId, decimal Share)> shares, CancellationToken cancellationToken);

    /// <summary>Open teams expired at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<long>> ExpiredTeamsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// Referral attribution and rewards, inside the caller's transaction. One row per referred customer: the first
/// attribution wins, and the reward is claimed by the statement that marks it paid.
/// </summary>
public interface IReferralWrites
{
    /// <summary>Attributes a customer to the one who referred them, unless attributed before; true when recorded now.</summary>
    Task<bool> AttributeAsync(long referredId, long referrerId, string source, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Notes, for each referred customer among these whose first order is not noted yet, their earliest order here as
    /// the first; returns the customers noted now. One read whatever the number of orders when none is referred.
    /// </summary>
    Task<IReadOnlyCollection<long>> RecordFirstOrdersAsync(IReadOnlyList<(long CustomerId, string OrderId, DateTimeOffset OrderedAt)> orders, CancellationToken cancellationToken);

    /// <summary>Unsettled referrals whose first order was placed at or before <paramref name="orderedBy"/>, oldest first.</summary>
    Task<IReadOnlyList<DueReferral>> DueReferralsAsync(DateTimeOffset orderedBy, int limit, CancellationToken cancellationToken);

    /// <summary>The customers who referred these customers.</summary>
    Task<IReadOnlyCollection<long>> ReferrersOfAsync(IReadOnlyCollection<long> referredIds, CancellationToken cancellationToken);

    /// <summary>Marks the referral settled with its outcome, unless settled already; true when settled now.</summary>
    Task<bool> SettleReferralAsync(long referredId, string outcome, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Events the server records itself (derived events), stored beside the ingested ones.</summary>
public interface IEventWrites
{
    /// <summary>Inserts events, skipping message ids already stored; returns the message ids inserted.</summary>
    Task<IReadOnlySet<string>> InsertEventsAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken);
}

/// <summary>Teams as the API and the share page show them, read outside any transaction.</summary>
public interface ITeamQueries
{
    /// <summary>The team with its members' ids and names, or null.</summary>
    Task<TeamView?> FindTeamAsync(long teamId, CancellationToken cancellationToken);
}

/// <summary>A referred customer's first order, due for the referrer's reward.</summary>
/// <param name="Refunded">The order was refunded in full, or by its total: it earns nothing.</param>
public sealed record DueReferral(long ReferredId, long ReferrerId, string OrderId, DateTimeOffset OrderedAt, bool Refunded);
