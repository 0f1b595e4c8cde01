using Automation.Core.Storage;

namespace Automation.Core.Points;

/// <summary>The answer to a redemption: what is left, and whether this call or an earlier one with the key redeemed.</summary>
public sealed record RedemptionResult(bool Redeemed, int Points, long Balance, bool Replayed, string? Refusal);

/// <summary>
/// Spends points under a lock on the customer, so concurrent redemptions never take the balance below zero; a
/// repeated idempotency key returns the first result instead of spending again.
/// </summary>
public static class PointsRedemption
{
    public static async Task<RedemptionResult> RedeemAsync(IIngestTransaction tx, long customerId, int points, string idempotencyKey, string reason, DateTimeOffset now, CancellationToken ct)
    {
        await tx.LockCustomersAsync([customerId], ct);
        var key = $"redeem:{customerId}:{idempotencyKey}";
        var ledger = await tx.LoadPointsAsync(customerId, ct);
        var balance = PointsExpiry.Balance(ledger, now);
        if (ledger.FirstOrDefault(e => e.SourceKey == key) is { } earlier)
            return new RedemptionResult(true, -earlier.Points, balance, Replayed: true, null);
        if (balance < points)
            return new RedemptionResult(false, points, balance, Replayed: false, $"the balance is {balance} points, fewer than {points}");
        await tx.AddPointsAsync(customerId, -points, PointsKinds.Redeem, reason, key, now, null, ct);
        return new RedemptionResult(true, points, balance - points, Replayed: false, null);
    }
}
