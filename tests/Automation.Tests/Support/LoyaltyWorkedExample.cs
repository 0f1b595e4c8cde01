using Automation.Storage;
using Dapper;

namespace Automation.Tests.Support;

/// <summary>
/// A shop small enough to compute every loyalty figure by hand; the figures are worked out in the comments of the
/// tests that use it (LoyaltyStoreTests). Rows go in with plain SQL: the point is the report's arithmetic over a known
/// ledger, orders and tier history, each row chosen to hit one rule.
/// </summary>
public static class LoyaltyWorkedExample
{
    /// <summary>January 2026: the period of the loyalty report and the window of the repurchase report.</summary>
    public static readonly DateTimeOffset From = Day(2026, 1, 1);

    /// <inheritdoc cref="From"/>
    public static readonly DateTimeOffset To = Day(2026, 2, 1);

    /// <summary>The report's time, a month after the period.</summary>
    public static readonly DateTimeOffset AsOf = Day(2026, 3, 1);

    public const string BaseTier = "bronze";

    public static DateTimeOffset Day(int year, int month, int day) => new(year, month, day, 12, 0, 0, TimeSpan.Zero);

    public static async Task SeedAsync(AutomationStorage storage)
    {
        await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
        var ids = new Dictionary<string, long>();
        foreach (var name in new[] { "a", "b", "c", "d", "e", "f", "g" })
            ids[name] = await connection.QuerySingleAsync<long>("INSERT INTO customers (external_id, created_at, updated_at) VALUES (@name, @at, @at) RETURNING id",
                new { name, at = Day(2025, 1, 1) });

        // customer, order, completed, total, refunded, fully refunded
        (string, string, DateTimeOffset, decimal, decimal, bool)[] orders =
        [
            ("a", "a1", Day(2025, 12, 10), 100m, 0m, false),
            ("a", "a2", Day(2026, 1, 5), 80m, 0m, false),
            ("a", "a3", Day(2026, 1, 20), 50m, 10m, false),
            ("b", "b1", Day(2026, 1, 10), 200m, 0m, false),
            ("b", "b2", Day(2026, 1, 25), 60m, 60m, true),
            ("c", "c1", Day(2025, 11, 1), 30m, 30m, true),
            ("c", "c2", Day(2026, 1, 15), 70m, 0m, false),
            ("d", "d1", Day(2026, 2, 3), 90m, 0m, false),
            ("e", "e1", Day(2025, 12, 1), 40m, 0m, false),
            ("e", "e2", Day(2026, 1, 5), 40m, 0m, false),
            ("e", "e3", Day(2026, 1, 20), 40m, 0m, false),
            ("f", "f1", Day(2025, 5, 1), 40m, 0m, false),
            ("f", "f2", Day(2026, 1, 10), 40m, 0m, false),
            ("g", "g1", Day(2026, 1, 8), 40m, 0m, false),
            ("g", "g2", Day(2026, 1, 9), 40m, 0m, false),
        ];
        foreach (var (customer, order, at, total, refunded, full) in orders)
            await connection.ExecuteAsync("""
                INSERT INTO orders (order_id, customer_id, total, completed_at, refunded_amount, fully_refunded)
                VALUES (@order, @id, @total, @at, @refunded, @full)
                """, new { order, id = ids[customer], total, at, refunded, full });

        // customer, points, kind, created, expires
        (string, int, string, DateTimeOffset, DateTimeOffset?)[] ledger =
        [
            ("a", 100, "earn", Day(2025, 12, 10), Day(2026, 1, 10)),
            ("a", 80, "earn", Day(2026, 1, 5), Day(2027, 1, 5)),
            ("a", -30, "redeem", Day(2026, 1, 6), null),
            ("b", 200, "earn", Day(2026, 1, 10), Day(2027, 1, 10)),
            ("b", 60, "earn", Day(2026, 1, 25), Day(2027, 1, 25)),
            ("b", -60, "reverse", Day(2026, 1, 27), null),
            ("b", -50, "redeem", Day(2026, 2, 10), null),
            ("c", 50, "award", Day(2025, 6, 1), Day(2025, 12, 1)),
            ("c", -50, "expire", Day(2025, 12, 2), null),
            ("c", 70, "earn", Day(2026, 1, 15), Day(2027, 1, 15)),
            ("c", -20, "redeem", Day(2026, 1, 16), null),
            ("c", 20, "restore", Day(2026, 1, 17), Day(2027, 1, 17)),
            ("d", 40, "earn", Day(2025, 1, 5), Day(2026, 1, 5)),
            ("d", -40, "expire", Day(2026, 1, 6), null),
        ];
        var entry = 0;
        foreach (var (customer, points, kind, at, expires) in ledger)
            await connection.ExecuteAsync("""
                INSERT INTO points_ledger (customer_id, points, reason, source_key, created_at, kind, expires_at)
                VALUES (@id, @points, 'worked example', @key, @at, @kind, @expires)
                """, new { id = ids[customer], points, key = $"w{++entry}", at, kind, expires });

        // customer, from, to, changed; current tiers as the last change leaves them (e gold, f gold, g silver).
        (string, string, string, DateTimeOffset)[] changes =
        [
            ("e", BaseTier, "gold", Day(2026, 1, 20)),
            ("f", BaseTier, "silver", Day(2025, 6, 1)),
            ("f", "silver", "gold", Day(2025, 12, 15)),
            ("g", "", BaseTier, Day(2026, 1, 8)),
            ("g", BaseTier, "silver", Day(2026, 1, 9)),
        ];
        foreach (var (customer, from, to, at) in changes)
            await connection.ExecuteAsync("INSERT INTO tier_history (customer_id, from_tier, to_tier, reason, changed_at) VALUES (@id, @from, @to, 'order', @at)",
                new { id = ids[customer], from, to, at });
        foreach (var (customer, tier) in new[] { ("e", "gold"), ("f", "gold"), ("g", "silver") })
            await connection.ExecuteAsync("INSERT INTO customer_tiers (customer_id, tier, since) VALUES (@id, @tier, @at)", new { id = ids[customer], tier, at = Day(2026, 1, 20) });
    }
}
