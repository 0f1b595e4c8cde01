using System.Globalization;
using Automation.Core.Storage;

namespace Automation.Core.Points;

/// <summary>The answer to a redemption: what is left, and whether this call or an earlier one with the key redeemed.</summary>
public sealed record RedemptionResult(bool Redeemed, int Points, long Balance, bool Replayed, string? Refusal);

/// <summary>The answer to cancelling a redemption: the points given back (by this call or an earlier one), or why none were.</summary>
public sealed record RedemptionCancellation(bool Found, int Points, long Balance, bool Replayed);

/// <summary>
/// Spends points under a lock on the customer, so concurrent redemptions never take the balance below zero; a
/// repeated idempotency key returns the first result instead of spending again.
/// </summary>
public static class PointsRedemption
{
    /// <summary>Spends <paramref name="points"/> if the balance covers them (the deprecated <c>points/redeem</c> route and other spends outside a checkout).</summary>
    public static Task<RedemptionResult> RedeemAsync(IIngestTransaction tx, long customerId, int points, string idempotencyKey, string reason, DateTimeOffset now, CancellationToken ct) =>
        SpendAsync(tx, customerId, points, idempotencyKey, reason, now,
            balance => balance < points ? $"the balance is {balance} points, fewer than {points}" : null, ct);

    /// <summary>
    /// Spends a checkout quote's points if it has not expired and the checkout rules still allow all of them against
    /// the balance of now: points that lapsed since the quote, or were spent elsewhere, refuse the commit rather than
    /// shrink it. A replay of a commit made in time answers as the first did, even once the quote has expired.
    /// </summary>
    public static Task<RedemptionResult> CommitAsync(IIngestTransaction tx, long customerId, PointsQuote quote, string idempotencyKey, PointsSettings settings, DateTimeOffset now, CancellationToken ct) =>
        SpendAsync(tx, customerId, quote.Points, idempotencyKey, quote.OrderId is { } order ? $"order {order}" : "checkout", now, balance =>
        {
            if (quote.ExpiresAt < now) return $"the quote expired at {quote.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)}; ask for a new one (the balance is {balance} points)";
            var allowed = PointsCheckout.Allow(settings, quote.OrderTotal, balance, quote.Points).Points;
            return allowed >= quote.Points ? null
                : $"the balance is {balance} points and this order may use {allowed} now, fewer than the {quote.Points} quoted (points may have lapsed or been spent since)";
        }, ct);

    /// <summary>
    /// Gives back what the redemption with <paramref name="idempotencyKey"/> spent, once: the returned points last a
    /// full <see cref="PointsSettings.ExpiryMonths"/> from now, because the lots they came from are not recorded.
    /// </summary>
    public static async Task<RedemptionCancellation> CancelAsync(IIngestTransaction tx, long customerId, string idempotencyKey, PointsSettings settings, DateTimeOffset now, CancellationToken ct)
    {
        await tx.LockCustomersAsync([customerId], ct);
        var ledger = await tx.LoadPointsAsync(customerId, ct);
        var balance = PointsExpiry.Balance(ledger, now);
        if (ledger.FirstOrDefault(e => e.SourceKey == SpendKey(customerId, idempotencyKey)) is not { } spent)
            return new RedemptionCancellation(false, 0, balance, Replayed: false);
        var key = $"redeem-cancel:{customerId}:{idempotencyKey}";
        if (ledger.FirstOrDefault(e => e.SourceKey == key) is { } earlier)
            return new RedemptionCancellation(true, earlier.Points, balance, Replayed: true);
        await tx.AddPointsAsync(customerId, -spent.Points, PointsKinds.Restore, $"cancelled: {spent.Reason}", key, now,
            SaturatingCalendar.AddMonths(now, settings.ExpiryMonths), ct);
        return new RedemptionCancellation(true, -spent.Points, balance - spent.Points, Replayed: false);
    }

    private static string SpendKey(long customerId, string idempotencyKey) => $"redeem:{customerId}:{idempotencyKey}";

    private static async Task<RedemptionResult> SpendAsync(IIngestTransaction tx, long customerId, int points, string idempotencyKey, string reason, DateTimeOffset now,
        Func<long, string?> refusal, CancellationToken ct)
    {
        await tx.LockCustomersAsync([customerId], ct);
        var key = SpendKey(customerId, idempotencyKey);
        var ledger = await tx.LoadPointsAsync(customerId, ct);
        var balance = PointsExpiry.Balance(ledger, now);
        if (ledger.FirstOrDefault(e => e.SourceKey == key) is { } earlier)
            return new RedemptionResult(true, -earlier.Points, balance, Replayed: true, null);
        if (refusal(balance) is { } why)
            return new RedemptionResult(false, points, balance, Replayed: false, why);
        await tx.AddPointsAsync(customerId, -points, PointsKinds.Redeem, reason, key, now, null, ct);
        return new RedemptionResult(true, points, balance - points, Replayed: false, null);
    }
}
