using System.Globalization;
using Automation.Core.Coupons;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Storage;

namespace Automation.Core.Draws;

/// <summary>Why an entry was refused.</summary>
public enum DrawRefusalReason
{
    NotOpen,
    NotEligible,
    NotEnoughPoints,
    DailyLimitReached,
    OutOfStock,
    KeyUsedForAnotherDraw,
}

/// <summary>An entry refused, with a sentence that says why.</summary>
public sealed record DrawRefusal(DrawRefusalReason Reason, string Detail);

/// <summary>
/// The answer to an entry: the entry (made now, or earlier with the same request key) or why there is none, and the
/// customer's balance after it.
/// </summary>
public sealed record DrawResult(DrawEntry? Entry, bool Replayed, DrawRefusal? Refusal, long Balance);

/// <summary>
/// Enters customers into draws. Everything happens in the caller's transaction under a lock on the customer: a refusal
/// must be rolled back (the daily entry and prize stock may have been claimed before it), and a result committed whole,
/// so no points are ever spent without a prize recorded, nor a prize given without its points spent.
/// </summary>
public sealed class DrawEntries(IDrawRandom random, PointsSettings points, CouponCatalog coupons, Tiers.TierCatalog tiers)
{
    public async Task<DrawResult> EnterAsync(IJourneyTransaction tx, Draw draw, long customerId, string? timezone, string requestKey, DateTimeOffset now, CancellationToken ct)
    {
        // Concurrent entries of one customer (the same key among them) take turns from here: the balance read below
        // stays true until commit, and a repeated key finds the entry the first one recorded.
        await tx.LockCustomersAsync([customerId], ct);
        var ledger = await tx.LoadPointsAsync(customerId, ct);
        var balance = PointsExpiry.Balance(ledger, now);
        if (await tx.FindDrawEntryAsync(customerId, requestKey, ct) is { } earlier)
        {
            return earlier.Start.Draw == draw.Name
                ? new DrawResult(earlier, Replayed: true, null, balance)
                : Refused(DrawRefusalReason.KeyUsedForAnotherDraw, $"the request key was used for an entry of the draw {earlier.Start.Draw}", balance);
        }

        if (!draw.IsOpenAt(now))
            return Refused(DrawRefusalReason.NotOpen, $"the draw {draw.Name} is open {Window(draw)}", balance);
        var tier = (await tx.LoadTiersAsync([customerId], ct)).GetValueOrDefault(customerId)?.Tier;
        if (!draw.Admits(tier))
            return Refused(DrawRefusalReason.NotEligible, $"the draw {draw.Name} is for the tiers {string.Join(", ", draw.EligibleTiers)}; the customer holds {tier ?? "no tier"}", balance);
        if (balance < draw.EntryCost)
            return Refused(DrawRefusalReason.NotEnoughPoints, $"an entry costs {draw.EntryCost} points; the balance is {balance}", balance);

        var day = LocalDay(timezone, now);
        if (draw.DailyLimit is { } limit && !await tx.ClaimDailyEntryAsync(customerId, draw.Name, day, limit, ct))
            return Refused(DrawRefusalReason.DailyLimitReached, $"the customer has entered the draw {draw.Name} {limit} time(s) on {day}, the daily limit", balance);

        var start = new DrawEntryStart(draw.Name, customerId, requestKey, now, day, draw.EntryCost);
        var entryId = await tx.StartDrawEntryAsync(start, ct);
        await tx.AddPointsAsync(customerId, -draw.EntryCost, PointsKinds.Redeem, $"draw {draw.Name}", $"draw:{entryId}", now, null, ct);
        if (await PickAsync(tx, draw, entryId, customerId, now, ct) is not { } pick)
            return Refused(DrawRefusalReason.OutOfStock, $"every prize of the draw {draw.Name} is out of stock", balance);
        await tx.CompleteDrawEntryAsync(entryId, pick, ct);
        return new DrawResult(new DrawEntry(entryId, start, pick), Replayed: false, null, balance - draw.EntryCost + pick.PointsWon);
    }

    /// <summary>
    /// Picks by weight among the prizes not yet found out of stock, and hands the prize over; a prize whose stock is
    /// gone (claimed in the database, so a concurrent entry on another node counts) is left out and the pick repeated.
    /// Null when every prize is out of stock.
    /// </summary>
    private async Task<DrawPick?> PickAsync(IJourneyTransaction tx, Draw draw, long entryId, long customerId, DateTimeOffset now, CancellationToken ct)
    {
        var candidates = draw.Prizes.ToList();
        var outOfStock = new List<string>();
        while (candidates.Count > 0)
        {
            var range = WeightedPick.TotalWeight(candidates);
            var value = random.Below(range);
            var prize = WeightedPick.At(candidates, value);
            if (prize.Stock is { } stock && !await tx.ClaimPrizeAsync(draw.Name, prize.Name, stock, ct))
            {
                candidates.Remove(prize);
                outOfStock.Add(prize.Name);
                continue;
            }
            switch (prize.Kind)
            {
                case PrizeKind.Points:
                    await tx.AddPointsAsync(customerId, prize.Points, PointsKinds.Award, $"draw {draw.Name}: {prize.Name}", $"draw-prize:{entryId}", now,
                        now.AddMonths(points.ExpiryMonths), ct);
                    return new DrawPick(prize.Name, prize.Kind, prize.Points, null, value, range, outOfStock);
                case PrizeKind.Nothing:
                    return new DrawPick(prize.Name, prize.Kind, 0, null, value, range, outOfStock);
                default:
                    if (await IssueAsync(tx, prize, entryId, customerId, now, ct) is { } coupon)
                        return new DrawPick(prize.Name, prize.Kind, 0, coupon.Code, value, range, outOfStock);
                    // The campaign is gone, its budget spent, or the customer not eligible for it: the prize goes back
                    // and counts as out of stock for this entry.
                    if (prize.Stock is not null) await tx.ReleasePrizeAsync(draw.Name, prize.Name, ct);
                    candidates.Remove(prize);
                    outOfStock.Add(prize.Name);
                    continue;
            }
        }
        return null;
    }

    /// <summary>
    /// Issues the coupon of a coupon prize, keyed by the entry so that it is issued once; null when the campaign is gone,
    /// the customer is not eligible for it (its <c>Eligible</c> expression), or a limit of the campaign is reached.
    /// </summary>
    private async Task<IssuedCoupon?> IssueAsync(IJourneyTransaction tx, DrawPrize prize, long entryId, long customerId, DateTimeOffset now, CancellationToken ct)
    {
        if (coupons.Find(prize.Campaign!) is not { } campaign) return null;
        return (await CouponEligibility.IssueAsync(tx, new CouponIssueRequest(campaign, customerId, $"draw:{entryId}", now), tiers.Program, ct)).Coupon;
    }

    /// <summary>The customer's calendar day at <paramref name="now"/>, in their zone (UTC when unknown).</summary>
    public static string LocalDay(string? timezone, DateTimeOffset now) =>
        TimeZoneInfo.ConvertTime(now, FactsBuilder.ZoneOf(timezone)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Window(Draw draw) => (draw.From, draw.Until) switch
    {
        ({ } from, { } until) => $"from {Text(from)} until {Text(until)}",
        ({ } from, null) => $"from {Text(from)}",
        (null, { } until) => $"until {Text(until)}",
        _ => "always",
    };

    private static string Text(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    private static DrawResult Refused(DrawRefusalReason reason, string detail, long balance) => new(null, Replayed: false, new DrawRefusal(reason, detail), balance);
}
