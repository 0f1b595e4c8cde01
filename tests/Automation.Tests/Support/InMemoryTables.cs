using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tags;
using Automation.Core.Teams;
using Automation.Core.Tiers;

namespace Automation.Tests.Support;

/// <summary>
/// The tables of <see cref="InMemoryStorage"/> as one immutable value: a transaction starts from the committed value,
/// replaces what it writes, and commits by publishing its value, so a dropped transaction leaves nothing behind. The
/// reads shared by transactions and by the store's outside-a-transaction reads are here, once, with the SQL's rules.
/// </summary>
internal sealed record InMemoryTables
{
    public static InMemoryTables Empty { get; } = new();

    // Rows are never deleted from these tables, so a row's id is its position: ids grow as SQL identities do.
    public ImmutableList<CustomerProfile> Customers { get; init; } = [];
    public ImmutableList<EventRow> Events { get; init; } = [];
    public ImmutableList<InstanceRow> Instances { get; init; } = [];
    public ImmutableList<OutboxRow> Outbox { get; init; } = [];
    public ImmutableList<LedgerRow> Points { get; init; } = [];
    public ImmutableList<TierChangeRow> TierHistory { get; init; } = [];
    public ImmutableList<DrawEntry> DrawEntries { get; init; } = [];

    public ImmutableDictionary<string, OrderRow> Orders { get; init; } = ImmutableDictionary.Create<string, OrderRow>(StringComparer.Ordinal);
    public ImmutableDictionary<long, CustomerStats> Stats { get; init; } = ImmutableDictionary<long, CustomerStats>.Empty;
    public ImmutableDictionary<long, Cart> Carts { get; init; } = ImmutableDictionary<long, Cart>.Empty;
    public ImmutableDictionary<(long CustomerId, string Tag), TagRow> Tags { get; init; } = ImmutableDictionary<(long, string), TagRow>.Empty;
    public ImmutableDictionary<string, CouponCodeRow> CouponCodes { get; init; } = ImmutableDictionary.Create<string, CouponCodeRow>(StringComparer.Ordinal);
    public ImmutableDictionary<string, int> CouponCampaignCounts { get; init; } = ImmutableDictionary.Create<string, int>(StringComparer.Ordinal);
    public ImmutableDictionary<(string Campaign, long CustomerId), int> CouponHoldings { get; init; } = ImmutableDictionary<(string, long), int>.Empty;
    public ImmutableDictionary<string, Automation.Core.Coupons.CouponRedemptionOutcome> CouponRedemptions { get; init; } = ImmutableDictionary.Create<string, Automation.Core.Coupons.CouponRedemptionOutcome>(StringComparer.Ordinal);
    public ImmutableDictionary<(long InstanceId, string Step), StepRow> Steps { get; init; } = ImmutableDictionary<(long, string), StepRow>.Empty;
    public ImmutableDictionary<(string Journey, string Timezone), DateTimeOffset> ScheduleChecks { get; init; } = ImmutableDictionary<(string, string), DateTimeOffset>.Empty;
    public ImmutableDictionary<long, TierStanding> Tiers { get; init; } = ImmutableDictionary<long, TierStanding>.Empty;
    public ImmutableDictionary<long, RfmScore> Rfm { get; init; } = ImmutableDictionary<long, RfmScore>.Empty;
    public ImmutableDictionary<(string Draw, string Prize), int> DrawPrizesGiven { get; init; } = ImmutableDictionary<(string, string), int>.Empty;
    public ImmutableDictionary<(long CustomerId, string Draw, string LocalDay), int> DrawDailyEntries { get; init; } = ImmutableDictionary<(long, string, string), int>.Empty;

    // Redemptions are never deleted: a redemption's id is its position + 1.
    public ImmutableList<RewardRedemption> RewardRedemptions { get; init; } = [];
    public ImmutableDictionary<string, int> RewardStock { get; init; } = ImmutableDictionary.Create<string, int>(StringComparer.Ordinal);
    public ImmutableDictionary<(long CustomerId, string Item, string Period), int> RewardLimits { get; init; } = ImmutableDictionary<(long, string, string), int>.Empty;

    // Teams are never deleted either: a team's id is its position.
    public ImmutableList<Team> Teams { get; init; } = [];
    public ImmutableDictionary<(long TeamId, long CustomerId), TeamMember> TeamMembers { get; init; } = ImmutableDictionary<(long, long), TeamMember>.Empty;
    public ImmutableDictionary<long, ReferralRow> Referrals { get; init; } = ImmutableDictionary<long, ReferralRow>.Empty;

    // Pre-sale announcements by (sale, customer), and the waves gone through.
    public ImmutableDictionary<(string Sale, long CustomerId), string> PresaleAnnouncements { get; init; } = ImmutableDictionary<(string, long), string>.Empty;
    public ImmutableHashSet<(string Sale, string Wave, DateTimeOffset OpensAt)> PresaleWaves { get; init; } = [];
    // The catalog, purchase history, views and reminders (migration 0018).
    public ImmutableDictionary<string, Automation.Core.Products.Product> Products { get; init; } = ImmutableDictionary.Create<string, Automation.Core.Products.Product>(StringComparer.Ordinal);
    public ImmutableDictionary<(long CustomerId, string ProductId), Automation.Core.Products.ProductPurchase> Purchases { get; init; } = ImmutableDictionary<(long, string), Automation.Core.Products.ProductPurchase>.Empty;
    public ImmutableDictionary<(long CustomerId, string ProductId, DateOnly Day), Automation.Core.Products.ProductViews> Views { get; init; } = ImmutableDictionary<(long, string, DateOnly), Automation.Core.Products.ProductViews>.Empty;
    public ImmutableDictionary<(long CustomerId, string ProductId), Automation.Core.Products.ReplenishmentDue> Replenishments { get; init; } = ImmutableDictionary<(long, string), Automation.Core.Products.ReplenishmentDue>.Empty;
    // The audit log (migration 0030): an entry's id is its position.
    public ImmutableList<Automation.Core.Audit.AuditEntry> Audit { get; init; } = [];

    /// <summary>A customer's purchases with the categories the catalog gives each product, as the SQL joins them.</summary>
    public IEnumerable<Automation.Core.Products.ProductPurchase> PurchasesOf(long customerId) =>
        Purchases.Where(p => p.Key.CustomerId == customerId).OrderBy(p => p.Key.ProductId, StringComparer.Ordinal).Select(p => p.Value with
        {
            Categories = Products.GetValueOrDefault(p.Key.ProductId) is { } product ? [.. product.Category is null ? [] : new[] { product.Category }, .. product.Categories] : [],
        });

    public CustomerProfile? Customer(long id) => id >= 1 && id <= Customers.Count ? Customers[(int)id - 1] : null;

    /// <summary>Orders that count towards stats and tiers, as the SQL filters them: completed, not refunded in full nor by their total.</summary>
    public IEnumerable<OrderRow> CountedOrders(long customerId) => Orders.Values.Where(o =>
        o.CustomerId == customerId && o.CompletedAt is not null && !o.FullyRefunded && (o.RefundedAmount == 0 || o.RefundedAmount < o.Total));

    public IReadOnlyList<CustomerSnapshot> Snapshots(IReadOnlyCollection<long> customerIds, SnapshotParts parts) =>
        Snapshots(customerIds.Distinct().ToDictionary(id => id, _ => parts));

    public IReadOnlyList<CustomerSnapshot> Snapshots(IReadOnlyDictionary<long, SnapshotParts> reads) =>
        [.. Customers.Where(c => reads.ContainsKey(c.Id)).Select(c => Snapshot(c, reads[c.Id]))];

    private CustomerSnapshot Snapshot(CustomerProfile customer, SnapshotParts parts)
    {
        // Without the traits part the SQL reads traits and record times as NULL: they keep their defaults.
        var profile = parts.HasFlag(SnapshotParts.Traits)
            ? customer with { Traits = JsonCopy.Of(customer.Traits) }
            : customer with { Traits = [], TraitsUpdatedAt = null, CreatedAt = default, UpdatedAt = default };
        var tags = parts.HasFlag(SnapshotParts.Tags)
            ? Tags.Values.Where(t => t.CustomerId == customer.Id).OrderBy(t => t.Tag, StringComparer.Ordinal).ToList()
            : [];
        return new CustomerSnapshot(
            profile,
            parts.HasFlag(SnapshotParts.Stats) ? Stats.GetValueOrDefault(customer.Id, CustomerStats.None) : CustomerStats.None,
            parts.HasFlag(SnapshotParts.Cart) ? Carts.GetValueOrDefault(customer.Id) : null)
        {
            Tags = [.. tags.Select(t => t.Tag)],
            RuleTags = [.. tags.Where(t => t.Source == TagSources.Rule).Select(t => t.Tag)],
            PointsLedger = parts.HasFlag(SnapshotParts.Points) ? Ledger(customer.Id) : [],
            Coupons = parts.HasFlag(SnapshotParts.Coupons)
                ? [.. CouponCodes.Values.Where(c => c.CustomerId == customer.Id && c.RedeemedAt is null).Select(c => c.Coupon!)
                    .OrderBy(c => c.ExpiresAt is null).ThenBy(c => c.ExpiresAt).ThenBy(c => c.Code, StringComparer.Ordinal)]
                : [],
            Tier = parts.HasFlag(SnapshotParts.Tier) ? Tiers.GetValueOrDefault(customer.Id) : null,
            Rfm = parts.HasFlag(SnapshotParts.Rfm) ? Rfm.GetValueOrDefault(customer.Id) : null,
            ReferredBy = parts.HasFlag(SnapshotParts.Referrals) && Referrals.TryGetValue(customer.Id, out var referral)
                ? Customer(referral.ReferrerId) is { } referrer ? referrer.ExternalId ?? referrer.AnonymousId : null
                : null,
            Referrals = parts.HasFlag(SnapshotParts.Referrals) ? Referrals.Values.Count(r => r.ReferrerId == customer.Id && r.FirstOrderId is not null) : 0,
            History = parts.HasFlag(SnapshotParts.Purchases)
                ? new Automation.Core.Products.PurchaseHistory([.. PurchasesOf(customer.Id)],
                    [.. Views.Where(v => v.Key.CustomerId == customer.Id).OrderBy(v => v.Key.Day).ThenBy(v => v.Key.ProductId, StringComparer.Ordinal).Select(v => v.Value)])
                : Automation.Core.Products.PurchaseHistory.None,
            // Suppressions are written by the dispatcher's outbox store, which this store does not implement: none.
            SuppressedChannels = [],
        };
    }

    public IReadOnlyList<PointsEntry> Ledger(long customerId) =>
        [.. Points.Where(p => p.CustomerId == customerId).Select(p => p.Entry).OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)];

    public IReadOnlyList<JourneyInstance> ActiveInstances(IReadOnlyCollection<long> customerIds)
    {
        var wanted = customerIds.ToHashSet();
        return [.. Instances.Where(i => i.Status == InstanceRow.Active && wanted.Contains(i.CustomerId)).Select(i => new JourneyInstance(
            i.Id, i.CustomerId, i.Journey, i.EnteredAt, i.LastStepAt,
            [.. Steps.Values.Where(s => s.InstanceId == i.Id).Select(s => s.Step)], JsonCopy.OrNull(i.TriggerEvent), i.JourneyHash))];
    }

    public IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset> LastEntries(IReadOnlyCollection<long> customerIds, string? journey)
    {
        var wanted = customerIds.ToHashSet();
        return Instances.Where(i => wanted.Contains(i.CustomerId) && (journey is null || i.Journey == journey))
            .GroupBy(i => (i.CustomerId, i.Journey))
            .ToDictionary(g => g.Key, g => g.Max(i => i.EnteredAt));
    }

    public IReadOnlyDictionary<long, OrderTotals> OrderTotals(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until)
    {
        var totals = new Dictionary<long, OrderTotals>();
        foreach (var id in customerIds.Distinct())
        {
            var orders = CountedOrders(id).Where(o => o.CompletedAt >= from && o.CompletedAt <= until).ToList();
            if (orders.Count > 0) totals[id] = new OrderTotals(orders.Sum(o => o.Total - o.RefundedAmount), orders.Count);
        }
        return totals;
    }
}

/// <summary>An event row: its record and its id, which orders events stored at the same time.</summary>
internal sealed record EventRow(long Id, EventRecord Record);

/// <summary>
/// One row per order id. A refund or delivery may arrive before the order itself: the row then exists with no
/// completion until 'Order Completed' fills it in.
/// </summary>
internal sealed record OrderRow(string OrderId, long CustomerId)
{
    public decimal Total { get; init; }
    public string? Coupon { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public decimal RefundedAmount { get; init; }
    public bool FullyRefunded { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
}

/// <summary>A referral, one per referred customer.</summary>
internal sealed record ReferralRow(long ReferredId, long ReferrerId, string Source, DateTimeOffset AttributedAt)
{
    public string? FirstOrderId { get; init; }
    public DateTimeOffset? FirstOrderAt { get; init; }
    public DateTimeOffset? RewardedAt { get; init; }
    public string? Outcome { get; init; }
}

internal sealed record TagRow(long CustomerId, string Tag, string Source, DateTimeOffset AddedAt);

internal sealed record LedgerRow(long CustomerId, PointsEntry Entry);

internal sealed record TierChangeRow(long Id, long CustomerId, TierChange Change);

internal sealed record StepRow(long InstanceId, string Step, string Action, DateTimeOffset FiredAt, string? Outcome = null);

/// <summary>A journey instance; <see cref="EntryKey"/> is unique per customer and journey, and one instance per customer and journey is active.</summary>
internal sealed record InstanceRow(long Id, long CustomerId, string Journey, string EntryKey, DateTimeOffset EnteredAt, JsonObject? TriggerEvent, string? JourneyHash = null)
{
    public const string Active = "active";
    public string Status { get; init; } = Active;
    public string? EndReason { get; init; }
    public DateTimeOffset? LastStepAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
}

/// <summary>A queued message; the idempotency key is unique.</summary>
internal sealed record OutboxRow(long Id, OutboxMessage Message, MessageStatus Status, DateTimeOffset CreatedAt);

/// <summary>Copies of JSON values: a node belongs to one parent, and SQL hands out a fresh one on every read.</summary>
internal static class JsonCopy
{
    public static JsonObject Of(JsonObject json) => json.DeepClone().AsObject();

    public static JsonObject? OrNull(JsonObject? json) => json is null ? null : Of(json);
}

/// <summary>A row of coupon_codes: an imported code waits with no customer; <see cref="Coupon"/> is set once issued.</summary>
internal sealed record CouponCodeRow(string Code, string Campaign, long? CustomerId, string? IssueKey, Automation.Core.Coupons.IssuedCoupon? Coupon,
    DateTimeOffset? RedeemedAt = null, string? OrderId = null);
