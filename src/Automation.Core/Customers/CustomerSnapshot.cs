namespace Automation.Core.Customers;

/// <summary>Everything known about one customer, read in one go.</summary>
public sealed record CustomerSnapshot(CustomerProfile Profile, CustomerStats Stats, Cart? Cart)
{
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The tags rules/tags.json gave, which the rules also take away; others are manual or from journeys.</summary>
    public IReadOnlyList<string> RuleTags { get; init; } = [];

    /// <summary>The points ledger, oldest first: for the balance and what expires when.</summary>
    public IReadOnlyList<Points.PointsEntry> PointsLedger { get; init; } = [];

    /// <summary>What can be spent at <paramref name="now"/>: lapsed points are gone even before the daily job writes them off.</summary>
    public long PointsBalance(DateTimeOffset now) => Points.PointsExpiry.Balance(PointsLedger, now);

    /// <summary>Recency, frequency and monetary quintiles from the last daily computation; null before the first order.</summary>
    public RfmScore? Rfm { get; init; }

    /// <summary>The membership tier held, or null for a customer who holds none (no tiers file, or no order in the window yet).</summary>
    public Tiers.TierStanding? Tier { get; init; }

    /// <summary>The coupon codes the customer holds and has not redeemed, expired ones included, soonest expiry first.</summary>
    public IReadOnlyList<Coupons.IssuedCoupon> Coupons { get; init; } = [];

    /// <summary>The codes held that can still be used at <paramref name="now"/>, soonest expiry first.</summary>
    public IEnumerable<Coupons.IssuedCoupon> UsableCoupons(DateTimeOffset now) => Coupons.Where(c => c.ExpiresAt is not { } expires || expires > now);

    /// <summary>The user id (else anonymous id) of the customer who referred this one; null when nobody did.</summary>
    public string? ReferredBy { get; init; }

    /// <summary>How many customers this one referred have ordered.</summary>
    public int Referrals { get; init; }

    /// <summary>What the customer bought of each product, and their product views of the last 30 days.</summary>
    public Products.PurchaseHistory History { get; init; } = Products.PurchaseHistory.None;

    /// <summary>Channels on which the customer's address is suppressed (unsubscribed, bounced, replied STOP).</summary>
    public IReadOnlyList<string> SuppressedChannels { get; init; } = [];
}

/// <summary>Quintile scores among all customers who ordered: 5 is the most recent, most frequent, highest 365-day spend.</summary>
public sealed record RfmScore(int R, int F, int M, decimal Spend365);
