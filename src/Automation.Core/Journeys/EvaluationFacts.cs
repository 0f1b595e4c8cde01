namespace Automation.Core.Journeys;

// What a journey expression sees. Fixed types, not dynamic objects: RulesEngine caches compiled rules per input
// type, and only these types' members are reachable from an expression. Members are read-only and side-effect free.

/// <summary><c>customer</c>: who the customer is.</summary>
public sealed partial class CustomerFacts
{
    public string Id { get; init; } = "";
    public string Email { get; init; } = "";
    public string Phone { get; init; } = "";
    public string Name { get; init; } = "";
    public string Timezone { get; init; } = "UTC";
    public string Locale { get; init; } = "";
    /// <summary>The membership tier's name (rules/tiers.json); "" when the customer holds none.</summary>
    public string Tier { get; init; } = "";

    /// <summary>The perks of that tier (rules/tiers.json), such as <c>customer.Perks.FreeShipping</c>; those of no tier when none is held.</summary>
    public PerksFacts Perks { get; init; } = PerksFacts.Of(Tiers.TierPerks.None);
    public long Points { get; init; }

    /// <summary>Whole days until the next points lapse; -1 when none are due to.</summary>
    public int PointsExpiringInDays { get; init; } = -1;

    /// <summary>How many points lapse then; 0 when none.</summary>
    public int PointsExpiring { get; init; }

    /// <summary>Coupon codes held that are neither redeemed nor expired.</summary>
    public int CouponsHeld { get; init; }

    /// <summary>Whole days until the first of those codes expires; -1 when none of them does.</summary>
    public int CouponExpiringInDays { get; init; } = -1;

    /// <summary>Whole days that code has been held: a short-lived code (cart recovery's 48 hours) needs no reminder; -1 when none.</summary>
    public int CouponExpiringHeldDays { get; init; } = -1;
    /// <summary>The customer has an email address that is not suppressed (unsubscribed or bounced).</summary>
    public bool EmailConsent { get; init; }

    /// <summary>The customer has a phone number that is not suppressed (replied STOP).</summary>
    public bool SmsConsent { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The user id of the customer who referred this one (by a team or a referral code); "" when nobody did.</summary>
    public string ReferredBy { get; init; } = "";
    public IReadOnlyDictionary<string, string> Traits { get; init; } = new Dictionary<string, string>();

    /// <summary>True when the customer carries the tag.</summary>
    public bool HasTag(string tag) => Tags.Contains(tag, StringComparer.OrdinalIgnoreCase);

    /// <summary>A trait as text, or "" when absent.</summary>
    public string Trait(string name) => Traits.TryGetValue(name, out var value) ? value : "";

    /// <summary>Days since the customer last opened an email as a reader (machine opens left out); -1 when never tracked.</summary>
    public int DaysSinceLastEmailOpen { get; init; } = -1;
}

/// <summary><c>customer.Perks</c>: the perks of the tier held (see <see cref="Tiers.TierPerks"/>).</summary>
public sealed class PerksFacts
{
    public decimal DiscountPercent { get; init; }

    /// <summary>Orders of at least this much ship free; 0 every order, -1 none.</summary>
    public decimal FreeShippingOver { get; init; } = -1;

    /// <summary>Every order ships free.</summary>
    public bool FreeShipping { get; init; }

    public int EarlyAccessHours { get; init; }
    public decimal BirthdayPointsMultiplier { get; init; } = 1m;
    public bool BirthdayGift { get; init; }
    public bool DedicatedService { get; init; }

    /// <summary>The facts of these perks.</summary>
    public static PerksFacts Of(Tiers.TierPerks perks) => new()
    {
        DiscountPercent = perks.DiscountPercent,
        FreeShippingOver = perks.FreeShippingOver ?? -1,
        FreeShipping = perks.FreeShipping,
        EarlyAccessHours = perks.EarlyAccessHours,
        BirthdayPointsMultiplier = perks.BirthdayPointsMultiplier,
        BirthdayGift = perks.BirthdayGift,
        DedicatedService = perks.DedicatedService,
    };
}

/// <summary><c>stats</c>: purchase statistics.</summary>
public sealed class StatsFacts
{
    public int OrderCount { get; init; }
    public decimal TotalSpent { get; init; }

    /// <summary>Whole days since the last order; -1 when the customer never ordered.</summary>
    public int DaysSinceLastOrder { get; init; } = -1;

    /// <summary>Mean days between orders; 0 below two orders.</summary>
    public double MeanOrderIntervalDays { get; init; }

    /// <summary>Whole days since the first order; -1 when the customer never ordered.</summary>
    public int DaysSinceFirstOrder { get; init; } = -1;

    /// <summary>Orders that used a coupon.</summary>
    public int CouponOrderCount { get; init; }

    /// <summary>Customers this one referred who have ordered.</summary>
    public int Referrals { get; init; }

    /// <summary>RFM quintiles, 1–5 each; all 0 for a customer who never ordered.</summary>
    public RfmFacts Rfm { get; init; } = new();
}

/// <summary><c>stats.Rfm</c>: <c>R</c>, <c>F</c>, <c>M</c> quintiles (5 best) and <c>Spend365</c>.</summary>
public sealed class RfmFacts
{
    public int R { get; init; }
    public int F { get; init; }
    public int M { get; init; }
    public decimal Spend365 { get; init; }
}

/// <summary><c>cart</c>: the open cart.</summary>
public sealed class CartFacts
{
    public int ItemCount { get; init; }
    public decimal Value { get; init; }

    /// <summary>Hours since the cart last changed; 0 when it is empty.</summary>
    public double HoursSinceLastChange { get; init; }

    /// <summary>The product ids and skus of the cart's lines.</summary>
    internal IReadOnlySet<string> Products { get; init; } = new HashSet<string>();

    /// <summary>True when a line of the cart is the product (its product id or sku).</summary>
    public bool Has(string product) => Products.Contains(product);
}

/// <summary><c>event</c>: the event that triggered the evaluation (empty for time-based runs).</summary>
public sealed class EventFacts
{
    public string Name { get; init; } = "";
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The product a single-product event (Product Viewed, Product Added…) names: product_id, else sku, as the catalog and
    /// customer.Viewed read it; "" when none.
    /// </summary>
    public string ProductId { get; init; } = "";

    /// <summary>A property as text, or "" when absent.</summary>
    public string Property(string name) => Properties.TryGetValue(name, out var value) ? value : "";

    /// <summary>A numeric property, or 0 when absent or not a number.</summary>
    public decimal Number(string name) =>
        decimal.TryParse(Property(name), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0m;

    public IReadOnlyDictionary<string, double> ProductNumbers { get; init; } = new Dictionary<string, double>();

    /// <summary>The largest value of a numeric property across the event's <c>products</c>, or 0 (for example <c>usage_days</c>).</summary>
    public double ProductNumber(string name) => ProductNumbers.TryGetValue(name, out var n) ? n : 0;
}

/// <summary><c>journey</c>: this customer's instance of the journey.</summary>
public sealed class JourneyFacts
{
    public double HoursSinceEntry { get; init; }
    public double DaysSinceEntry { get; init; }

    /// <summary>Hours since the last step fired; equal to <see cref="HoursSinceEntry"/> before the first.</summary>
    public double HoursSinceLastStep { get; init; }

    public IReadOnlyList<string> StepsDone { get; init; } = [];

    /// <summary>True when the named step already fired in this instance.</summary>
    public bool HasDone(string step) => StepsDone.Contains(step, StringComparer.Ordinal);
}

/// <summary><c>now</c>: the current moment in the customer's time zone.</summary>
public sealed class NowFacts
{
    public int Hour { get; init; }

    /// <summary>0 = Sunday … 6 = Saturday.</summary>
    public int Weekday { get; init; }

    public int Day { get; init; }
    public int Month { get; init; }
    public int Year { get; init; }
    public bool IsBirthday { get; init; }
}
