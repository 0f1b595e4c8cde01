using Automation.Core.Storage;

namespace Automation.Tests.Support;

// Reward writes, each with the rule of its SQL in WriteTransaction.Rewards.cs: stock and limits are conditional
// upserts, the (customer, request key) pair is unique, a status moves only from the one expected.
internal sealed partial class InMemoryTransaction
{
    public Task<RewardRedemption?> FindRewardRedemptionAsync(long customerId, string requestKey, CancellationToken cancellationToken) =>
        Done(_tables.RewardRedemptions.FirstOrDefault(r => r.Start.CustomerId == customerId && r.Start.RequestKey == requestKey));

    public Task<RewardRedemption?> LoadRewardRedemptionAsync(long id, CancellationToken cancellationToken) =>
        Done(id >= 1 && id <= _tables.RewardRedemptions.Count ? _tables.RewardRedemptions[(int)id - 1] : null);

    public Task<bool> ClaimRewardStockAsync(string item, int stock, CancellationToken cancellationToken)
    {
        var taken = _tables.RewardStock.GetValueOrDefault(item);
        if (taken >= stock) return Done(false);
        _tables = _tables with { RewardStock = _tables.RewardStock.SetItem(item, taken + 1) };
        return Done(true);
    }

    public Task<bool> ClaimRewardLimitAsync(long customerId, string item, string period, int limit, CancellationToken cancellationToken)
    {
        var key = (customerId, item, period);
        var taken = _tables.RewardLimits.GetValueOrDefault(key);
        if (taken >= limit) return Done(false);
        _tables = _tables with { RewardLimits = _tables.RewardLimits.SetItem(key, taken + 1) };
        return Done(true);
    }

    public Task ReleaseRewardAsync(long customerId, string item, string period, CancellationToken cancellationToken)
    {
        if (_tables.RewardStock.GetValueOrDefault(item) is var taken and > 0)
            _tables = _tables with { RewardStock = _tables.RewardStock.SetItem(item, taken - 1) };
        if (_tables.RewardLimits.GetValueOrDefault((customerId, item, period)) is var used and > 0)
            _tables = _tables with { RewardLimits = _tables.RewardLimits.SetItem((customerId, item, period), used - 1) };
        return Task.CompletedTask;
    }

    public Task<long> InsertRewardRedemptionAsync(RewardRedemptionStart start, CancellationToken cancellationToken)
    {
        if (_tables.RewardRedemptions.Any(r => r.Start.CustomerId == start.CustomerId && r.Start.RequestKey == start.RequestKey))
            throw new InvalidOperationException($"Unique constraint failed: reward_redemptions (customer_id, request_key) '{start.RequestKey}'.");
        var id = _tables.RewardRedemptions.Count + 1L;
        var fulfilledAt = start.Status == RewardStatuses.Fulfilled ? start.RedeemedAt : (DateTimeOffset?)null;
        _tables = _tables with { RewardRedemptions = _tables.RewardRedemptions.Add(new RewardRedemption(id, start, start.Status, null, null, fulfilledAt, null)) };
        return Done(id);
    }

    public Task SetRewardCouponAsync(long id, string couponCode, CancellationToken cancellationToken)
    {
        Update(id, r => r with { CouponCode = couponCode });
        return Task.CompletedTask;
    }

    public Task<bool> MoveRewardRedemptionAsync(long id, string fromStatus, string toStatus, string? tracking, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_tables.RewardRedemptions[(int)id - 1].Status != fromStatus) return Done(false);
        Update(id, r => toStatus == RewardStatuses.Fulfilled ? r with { Status = toStatus, Tracking = tracking, FulfilledAt = at }
            : toStatus == RewardStatuses.Cancelled ? r with { Status = toStatus, CancelledAt = at } : r with { Status = toStatus });
        return Done(true);
    }

    public Task<bool> VoidCouponAsync(string code, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_tables.CouponCodes.GetValueOrDefault(code) is not { RedeemedAt: null } row) return Done(false);
        _tables = _tables with { CouponCodes = _tables.CouponCodes.SetItem(code, row with { Coupon = row.Coupon! with { ExpiresAt = at } }) };
        return Done(true);
    }

    private void Update(long id, Func<RewardRedemption, RewardRedemption> change) =>
        _tables = _tables with { RewardRedemptions = _tables.RewardRedemptions.SetItem((int)id - 1, change(_tables.RewardRedemptions[(int)id - 1])) };
}
