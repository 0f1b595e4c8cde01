namespace Automation.Core.Teams;

/// <summary>How a full team's pool is divided among its members.</summary>
public enum SplitKind
{
    /// <summary>The same share each; cents that do not divide go one each to the first members, the initiator first.</summary>
    Equal,

    /// <summary>A random share each, none below the floor.</summary>
    Random,
}

/// <summary>What members of a team that did not fill in time get.</summary>
public enum UnfilledOutcome
{
    Nothing,

    /// <summary>Each member is issued a coupon of <see cref="TeamCampaign.ConsolationCoupon"/>.</summary>
    Consolation,
}

/// <summary>
/// A team-split coupon campaign (瓜分券), one file <c>rules/teams/&lt;name&gt;.json</c>: <see cref="TeamSize"/> people,
/// the initiator included, split <see cref="Pool"/> when the team fills within <see cref="TimeLimit"/>; each share is a
/// coupon of the <see cref="Coupon"/> campaign worth that share.
/// </summary>
public sealed record TeamCampaign(
    string Name,
    string Description,
    decimal Pool,
    string Currency,
    int TeamSize,
    TimeSpan TimeLimit,
    SplitKind Split,
    decimal Floor,
    string Coupon,
    UnfilledOutcome IfUnfilled,
    string? ConsolationCoupon,
    bool Enabled)
{
    /// <summary>The pool in cents (minor units), what the split divides exactly.</summary>
    public long PoolCents => (long)(Pool * 100m);

    /// <summary>The floor in cents.</summary>
    public long FloorCents => (long)(Floor * 100m);
}
