using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Core.Ingestion;

/// <summary>
/// The orders and deliveries of an ingest group between two refunds, applied with a handful of statements whatever
/// their number, yet as recording them one by one in message order would: each order's tier is decided on the window
/// with the orders before it (and itself), its points at the tier it leaves the customer in and the band its month
/// reaches up to its own time; an order id sent again counts once and earns once.
/// </summary>
internal static class OrderRun
{
    /// <summary>Applies the run; returns the Tier Changed events its orders made, already stored.</summary>
    public static async Task<List<(InboundMessage Message, long CustomerId)>> ApplyAsync(IIngestTransaction tx, IReadOnlyList<(InboundMessage Message, long CustomerId)> run,
        TierProgram? program, PointsSettings points, DateTimeOffset now, CancellationToken ct)
    {
        var orders = run.Where(r => r.Message.Commerce is OrderCompleted)
            .Select(r => new RecordedOrder(r.CustomerId, (OrderCompleted)r.Message.Commerce!, r.Message.Timestamp)).ToList();
        var deliveries = run.Where(r => r.Message.Commerce is OrderDelivered)
            .Select(r => new RecordedDelivery(r.CustomerId, (OrderDelivered)r.Message.Commerce!, r.Message.Timestamp)).ToList();
        var changes = new List<(InboundMessage Message, long CustomerId)>();
        if (orders.Count > 0)
        {
            var saved = new Dictionary<long, TierStanding>();
            var history = new List<(long CustomerId, TierChange Change)>();
            var grants = new List<PointsGrant>();
            if (program is null)
                grants.AddRange(orders.Select(o => PointsEarning.ForOrder(o.CustomerId, o.Order, o.CompletedAt, points, null, default, null)).OfType<PointsGrant>());
            else
                await DecideAsync(tx, orders, program, points, now, (saved, history, changes, grants), ct);

            await tx.RecordOrdersAsync(orders, ct);
            // Each redemption claims its code in its own statement: a code is used once, whichever order comes first.
            foreach (var o in orders)
                if (o.Order.Coupon is { } code)
                    await tx.RedeemCouponAsync(new Coupons.CouponRedemption(o.Order.OrderId, o.CustomerId, code, o.Order.Total, o.Order.Discount, o.Order.Currency, o.CompletedAt), ct);
            await TierEngine.StoreAsync(tx, saved, history, changes, ct);
            if (grants.Count > 0) await tx.AddPointsAsync(grants, ct);
        }
        if (deliveries.Count > 0) await tx.RecordDeliveriesAsync(deliveries, ct);
        return changes;
    }

    private static async Task DecideAsync(IIngestTransaction tx, List<RecordedOrder> orders, TierProgram program, PointsSettings points, DateTimeOffset now,
        (Dictionary<long, TierStanding> Saved, List<(long, TierChange)> History, List<(InboundMessage, long)> Events, List<PointsGrant> Grants) decided, CancellationToken ct)
    {
        var banded = program.Bands.Count > 0;
        var windows = orders.Select(o => TierEngine.WindowOf(program, o.CustomerId, o.CompletedAt, now)).ToList();
        var months = banded ? orders.Select(o => PointsEarning.MonthOf(o.CustomerId, o.CompletedAt)).ToList() : [];
        var timeline = await OrderTimeline.LoadAsync(tx, orders, [.. windows, .. months], ct);
        var standings = (await tx.LoadTiersAsync(orders.Select(o => o.CustomerId).ToHashSet(), ct)).ToDictionary();

        for (var i = 0; i < orders.Count; i++)
        {
            var o = orders[i];
            timeline.Record(o);
            var (tier, upgrade) = TierEngine.AfterOrder(program, o.CustomerId, standings.GetValueOrDefault(o.CustomerId), timeline.Totals(windows[i]), o.CompletedAt, now);
            if (upgrade is not null)
            {
                standings[o.CustomerId] = decided.Saved[o.CustomerId] = upgrade.Standing;
                decided.History.Add((o.CustomerId, upgrade.Change));
                decided.Events.Add(upgrade.Event);
            }
            var month = banded ? timeline.Totals(months[i]) : default;
            if (PointsEarning.ForOrder(o.CustomerId, o.Order, o.CompletedAt, points, program, month, tier) is { } grant) decided.Grants.Add(grant);
        }
    }
}
