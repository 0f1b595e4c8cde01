namespace Automation.Core.Customers;

/// <summary>
/// The parts of a <see cref="CustomerSnapshot"/> beyond the profile, each read from storage only when asked for: an
/// audience that looks at stats alone need not read a million customers' tags, points ledgers and tiers. A part not
/// read is left empty in the snapshot.
/// </summary>
[Flags]
public enum SnapshotParts
{
    /// <summary>The profile alone: ids, contact details, zone, locale, birthday; no traits, and no record times.</summary>
    Profile = 0,
    /// <summary>
    /// The profile's traits, and when it was created and updated: the costliest columns to parse, and no fact but the
    /// traits reads them.
    /// </summary>
    Traits = 128,
    Stats = 1,
    Cart = 2,
    /// <summary>Every tag, and which of them the tag rules gave.</summary>
    Tags = 4,
    /// <summary>The points ledger: balance and what expires when.</summary>
    Points = 8,
    Rfm = 16,
    Tier = 32,
    /// <summary>The channels on which the customer's address is suppressed (consent).</summary>
    Suppressions = 64,
    /// <summary>The coupon codes held and not yet redeemed.</summary>
    Coupons = 256,
    /// <summary>Who referred the customer, and how many customers they referred have ordered.</summary>
    Referrals = 512,
    /// <summary>What the customer bought of each product and which products they viewed in the last 30 days.</summary>
    Purchases = 1024,
    All = Traits | Stats | Cart | Tags | Points | Rfm | Tier | Suppressions | Coupons | Referrals | Purchases,
}
