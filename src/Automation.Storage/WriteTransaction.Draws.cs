using Automation.Core.Draws;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Points lucky draws inside the entry's transaction. The daily limit and the stock are claimed by conditional upserts:
// a row that is at its limit is not updated and returns nothing, whichever transaction, on whichever node, gets there first.
internal sealed partial class WriteTransaction
{
    public async Task<DrawEntry?> FindDrawEntryAsync(long customerId, string requestKey, CancellationToken cancellationToken) =>
        (await connection.QuerySingleOrDefaultAsync<DrawEntryRow>(Command(
            $"SELECT {DrawEntryRow.Columns} FROM draw_entries e WHERE e.customer_id = @customerId AND e.request_key = @requestKey",
            new { customerId, requestKey }, cancellationToken)))?.ToEntry();

    public async Task<bool> ClaimDailyEntryAsync(long customerId, string draw, string localDay, int limit, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<int>(Command("""
            INSERT INTO draw_daily_entries (customer_id, draw, local_day, entries) VALUES (@customerId, @draw, @localDay, 1)
            ON CONFLICT (customer_id, draw, local_day) DO UPDATE SET entries = draw_daily_entries.entries + 1
            WHERE draw_daily_entries.entries < @limit
            RETURNING entries
            """, new { customerId, draw, localDay, limit }, cancellationToken))).Any();

    public Task<long> StartDrawEntryAsync(DrawEntryStart start, CancellationToken cancellationToken) =>
        connection.QuerySingleAsync<long>(Command("""
            INSERT INTO draw_entries (draw, customer_id, request_key, entered_at, local_day, points_spent)
            VALUES (@Draw, @CustomerId, @RequestKey, @EnteredAt, @LocalDay, @PointsSpent)
            RETURNING id
            """, start, cancellationToken));

    // The first of a prize is an insert, which a stock of 0 must not make: the SELECT's WHERE leaves it out.
    public async Task<bool> ClaimPrizeAsync(string draw, string prize, int stock, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<int>(Command("""
            INSERT INTO draw_prizes_given (draw, prize, given) SELECT @draw, @prize, 1 WHERE @stock > 0
            ON CONFLICT (draw, prize) DO UPDATE SET given = draw_prizes_given.given + 1
            WHERE draw_prizes_given.given < @stock
            RETURNING given
            """, new { draw, prize, stock }, cancellationToken))).Any();

    public Task ReleasePrizeAsync(string draw, string prize, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command(
            "UPDATE draw_prizes_given SET given = given - 1 WHERE draw = @draw AND prize = @prize AND given > 0",
            new { draw, prize }, cancellationToken));

    public Task CompleteDrawEntryAsync(long entryId, DrawPick pick, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command("""
            UPDATE draw_entries SET prize = @Prize, prize_kind = @kind, points_won = @PointsWon, coupon_code = @CouponCode,
                random_value = @RandomValue, random_range = @RandomRange, out_of_stock = @outOfStock
            WHERE id = @entryId
            """,
            new { entryId, pick.Prize, kind = PrizeKinds.Text(pick.Kind), pick.PointsWon, pick.CouponCode, pick.RandomValue, pick.RandomRange,
                outOfStock = string.Join(',', pick.OutOfStock) },
            cancellationToken));
}
