using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The rewards catalog inside the redemption's transaction. Stock and per-customer limits are claimed by conditional
// upserts: a row at its limit is not updated and returns nothing, whichever transaction, on whichever node, gets there first.
internal sealed partial class WriteTransaction
{
    public async Task<RewardRedemption?> FindRewardRedemptionAsync(long customerId, string requestKey, CancellationToken cancellationToken) =>
        (await connection.QuerySingleOrDefaultAsync<RewardRedemptionRow>(Command(
            $"SELECT {RewardRedemptionRow.Columns} FROM reward_redemptions r WHERE r.customer_id = @customerId AND r.request_key = @requestKey",
            new { customerId, requestKey }, cancellationToken)))?.ToRedemption();

    public async Task<RewardRedemption?> LoadRewardRedemptionAsync(long id, CancellationToken cancellationToken) =>
        (await connection.QuerySingleOrDefaultAsync<RewardRedemptionRow>(Command(
            $"SELECT {RewardRedemptionRow.Columns} FROM reward_redemptions r WHERE r.id = @id", new { id }, cancellationToken)))?.ToRedemption();

    // The first unit is an insert, which a stock of 0 must not make: the SELECT's WHERE leaves it out.
    public async Task<bool> ClaimRewardStockAsync(string item, int stock, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<int>(Command("""
            INSERT INTO reward_stock (item, taken) SELECT @item, 1 WHERE @stock > 0
            ON CONFLICT (item) DO UPDATE SET taken = reward_stock.taken + 1
            WHERE reward_stock.taken < @stock
            RETURNING taken
            """, new { item, stock }, cancellationToken))).Any();

    public async Task<bool> ClaimRewardLimitAsync(long customerId, string item, string period, int limit, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<int>(Command("""
            INSERT INTO reward_limits (customer_id, item, period, taken) SELECT @customerId, @item, @period, 1 WHERE @limit > 0
            ON CONFLICT (customer_id, item, period) DO UPDATE SET taken = reward_limits.taken + 1
            WHERE reward_limits.taken < @limit
            RETURNING taken
            """, new { customerId, item, period, limit }, cancellationToken))).Any();

    public async Task ReleaseRewardAsync(long customerId, string item, string period, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(Command("UPDATE reward_stock SET taken = taken - 1 WHERE item = @item AND taken > 0", new { item }, cancellationToken));
        await connection.ExecuteAsync(Command(
            "UPDATE reward_limits SET taken = taken - 1 WHERE customer_id = @customerId AND item = @item AND period = @period AND taken > 0",
            new { customerId, item, period }, cancellationToken));
    }

    public Task<long> InsertRewardRedemptionAsync(RewardRedemptionStart start, CancellationToken cancellationToken) =>
        connection.QuerySingleAsync<long>(Command("""
            INSERT INTO reward_redemptions (customer_id, item, kind, request_key, points, value, period, charity, status, redeemed_at, fulfilled_at)
            VALUES (@CustomerId, @Item, @Kind, @RequestKey, @Points, @Value, @Period, @Charity, @Status, @RedeemedAt, @fulfilledAt)
            RETURNING id
            """, new
            {
                start.CustomerId, start.Item, start.Kind, start.RequestKey, start.Points, start.Value, start.Period, start.Charity, start.Status, start.RedeemedAt,
                fulfilledAt = start.Status == RewardStatuses.Fulfilled ? start.RedeemedAt : (DateTimeOffset?)null,
            }, cancellationToken));

    public Task SetRewardCouponAsync(long id, string couponCode, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command("UPDATE reward_redemptions SET coupon_code = @couponCode WHERE id = @id", new { id, couponCode }, cancellationToken));

    public async Task<bool> MoveRewardRedemptionAsync(long id, string fromStatus, string toStatus, string? tracking, DateTimeOffset at, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(Command("""
            UPDATE reward_redemptions SET status = @toStatus,
                tracking = CASE WHEN @toStatus = 'fulfilled' THEN @tracking ELSE tracking END,
                fulfilled_at = CASE WHEN @toStatus = 'fulfilled' THEN @at ELSE fulfilled_at END,
                cancelled_at = CASE WHEN @toStatus = 'cancelled' THEN @at ELSE cancelled_at END
            WHERE id = @id AND status = @fromStatus
            """, new { id, fromStatus, toStatus, tracking, at }, cancellationToken)) == 1;

    public async Task<bool> VoidCouponAsync(string code, DateTimeOffset at, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(Command(
            "UPDATE coupon_codes SET expires_at = @at WHERE code = @code AND redeemed_at IS NULL", new { code, at }, cancellationToken)) == 1;
}
