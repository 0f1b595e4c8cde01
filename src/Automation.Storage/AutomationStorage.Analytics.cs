using System.Globalization;
using Automation.Core.Analytics;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The repurchase and attribution reports. Counts, sums, medians and last-touch matching all run in the database,
// so a report moves a few hundred rows whatever the number of orders. Repurchase costs one correlated subquery per
// anchored customer; it reads the orders table, not the CTE: a CTE used twice is materialised without indexes
// (PostgreSQL 12+, SQLite 3.35+), which would turn each lookup into a scan of every order, where
// ix_orders_customer narrows it to one customer's rows.
public abstract partial class AutomationStorage : IAnalyticsStore
{
    // Orders that count: completed, not refunded in full; revenue net of partial refunds.
    private const string CountedOrders = """
        counted AS (
            SELECT order_id, customer_id, completed_at, total - refunded_amount AS revenue
            FROM orders WHERE completed_at IS NOT NULL AND NOT fully_refunded
        )
        """;

    // The tier a population row held when its window opened: the last change strictly before the anchor order (the
    // anchor itself may upgrade them), else the base tier. One probe of ix_tier_history_customer per anchored customer.
    private const string TierAtAnchor = """
        COALESCE((SELECT h.to_tier FROM tier_history h WHERE h.customer_id = p.customer_id AND h.changed_at < p.anchor_at
                  ORDER BY h.changed_at DESC, h.id DESC LIMIT 1), @baseTier)
        """;

    public async Task<RepurchaseFigures> LoadRepurchaseAsync(RepurchaseQuery query, CancellationToken cancellationToken)
    {
        var parameters = new { from = query.From, to = query.To, within = query.WithinDays, openSince = query.OpenSince, asOf = query.AsOf,
            baseTier = query.BaseTier, horizon = (double)RepurchaseQuery.LtvHorizonDays };
        // Everyone with an order in the window, anchored at their first order in it: new when that is their first
        // order ever. Repurchased: at least two orders from the anchor to N days after it (ties with the anchor included).
        var population = $"""
            {CountedOrders},
            firsts AS (SELECT customer_id, MIN(completed_at) AS first_at FROM counted GROUP BY customer_id),
            anchors AS (
                SELECT customer_id, MIN(completed_at) AS anchor_at FROM counted
                WHERE completed_at >= @from AND completed_at < @to GROUP BY customer_id
            ),
            population AS (
                SELECT a.customer_id, a.anchor_at,
                       CASE WHEN f.first_at = a.anchor_at THEN 'new' ELSE 'returning' END AS kind,
                       (SELECT COUNT(*) FROM orders o
                        WHERE o.customer_id = a.customer_id AND o.completed_at >= a.anchor_at AND NOT o.fully_refunded
                          AND {Dialect.DaysBetweenSql("o.completed_at", "a.anchor_at")} <= @within) AS orders_within
                FROM anchors a JOIN firsts f ON f.customer_id = a.customer_id
            ),
            gaps AS (
                SELECT customer_id, {Dialect.DaysBetweenSql("completed_at", "previous_at")} AS gap
                FROM (SELECT customer_id, completed_at,
                             LAG(completed_at) OVER (PARTITION BY customer_id ORDER BY completed_at, order_id) AS previous_at
                      FROM counted) consecutive
                WHERE previous_at >= @from AND previous_at < @to
            )
            """;
        var members = query.Segment switch
        {
            RepurchaseSegment.New => "SELECT customer_id, kind AS grp FROM population WHERE kind = 'new'",
            RepurchaseSegment.Returning => "SELECT customer_id, kind AS grp FROM population WHERE kind = 'returning'",
            RepurchaseSegment.Tier => $"SELECT customer_id, {TierAtAnchor} AS grp FROM population p",
            RepurchaseSegment.Tag => "SELECT p.customer_id, cancellationToken.tag AS grp FROM population p JOIN customer_tags cancellationToken ON cancellationToken.customer_id = p.customer_id",
            RepurchaseSegment.Member => $"SELECT customer_id, CASE WHEN {TierAtAnchor} = @baseTier THEN 'non-member' ELSE 'member' END AS grp FROM population p WHERE kind = 'returning'",
            null => "SELECT customer_id, kind AS grp FROM population",
            _ => throw new ArgumentOutOfRangeException(nameof(query)),
        };

        await using var connection = await OpenConnectionAsync(cancellationToken);
        var overall = await LoadGroupsAsync(connection, population, "SELECT customer_id, kind AS grp FROM population WHERE kind = 'new'", parameters, cancellationToken);
        var groups = await LoadGroupsAsync(connection, population, members, parameters, cancellationToken);

        // Repurchase of new customers per first-order month: the headline rate over time, summing to the overall group.
        var cohortRepurchases = await connection.QueryAsync<CohortRepurchaseRow>(new CommandDefinition($"""
            WITH {population}
            SELECT {Dialect.MonthIndexSql("anchor_at")} AS cohort, COUNT(*) AS customers,
                   SUM(CASE WHEN orders_within >= 2 THEN 1 ELSE 0 END) AS repurchased,
                   SUM(CASE WHEN anchor_at > @openSince THEN 1 ELSE 0 END) AS still_open
            FROM population WHERE kind = 'new'
            GROUP BY {Dialect.MonthIndexSql("anchor_at")} ORDER BY cohort
            """, parameters, cancellationToken: cancellationToken));

        // Cohorts are new customers of the window, followed to the report's time, orders after the window included.
        var cells = await connection.QueryAsync<CellRow>(new CommandDefinition($"""
            WITH {CountedOrders},
            firsts AS (SELECT customer_id, MIN(completed_at) AS first_at FROM counted GROUP BY customer_id),
            aged AS (
                SELECT o.customer_id, o.revenue, {Dialect.MonthIndexSql("f.first_at")} AS cohort,
                       {Dialect.MonthIndexSql("o.completed_at")} - {Dialect.MonthIndexSql("f.first_at")} AS age
                FROM counted o JOIN firsts f ON f.customer_id = o.customer_id
                WHERE f.first_at >= @from AND f.first_at < @to AND o.completed_at <= @asOf
            )
            SELECT cohort, age, COUNT(DISTINCT customer_id) AS customers, SUM(revenue) AS revenue
            FROM aged GROUP BY cohort, age ORDER BY cohort, age
            """, parameters, cancellationToken: cancellationToken));

        var exposure = Dialect.DaysBetweenSql("@asOf", "f.first_at");
        var ltv = await connection.QueryAsync<LtvRow>(new CommandDefinition($"""
            WITH {CountedOrders},
            firsts AS (SELECT customer_id, MIN(completed_at) AS first_at FROM counted GROUP BY customer_id),
            first_year AS (
                SELECT f.customer_id, {Dialect.MonthIndexSql("f.first_at")} AS cohort,
                       CASE WHEN {exposure} < @horizon THEN {exposure} ELSE @horizon END AS exposure_days,
                       COUNT(o.order_id) AS orders, SUM(o.revenue) AS revenue
                FROM firsts f JOIN counted o ON o.customer_id = f.customer_id
                    AND o.completed_at <= @asOf AND {Dialect.DaysBetweenSql("o.completed_at", "f.first_at")} < @horizon
                WHERE f.first_at >= @from AND f.first_at < @to
                GROUP BY f.customer_id, f.first_at
            )
            SELECT cohort, COUNT(*) AS customers, SUM(orders) AS orders, SUM(revenue) AS revenue, SUM(exposure_days) AS exposure_days
            FROM first_year GROUP BY cohort ORDER BY cohort
            """, parameters, cancellationToken: cancellationToken));

        return new RepurchaseFigures(
            overall.SingleOrDefault() ?? new GroupFigures("new", 0, 0, 0, 0, null, null, new long[IntervalBuckets.Count]),
            groups,
            [.. cells.Select(c => new CohortCell((int)c.Cohort, (int)c.Age, c.Customers, c.Revenue))],
            [.. ltv.Select(l => new CohortLtvFigures((int)l.Cohort, l.Customers, l.Orders, l.Revenue, l.ExposureDays))],
            [.. cohortRepurchases.Select(r => new CohortRepurchaseFigures((int)r.Cohort, r.Customers, r.Repurchased, r.StillOpen))]);
    }

    // When a message reached the customer: sent_at, or for a holdout row when it would have been sent.
    private static string Touched(string outbox) => $"CASE WHEN {outbox}.status = {MessageStatus.Holdout.Sql()} THEN {outbox}.created_at ELSE {outbox}.sent_at END";

    private static async Task<IReadOnlyList<GroupFigures>> LoadGroupsAsync(System.Data.Common.DbConnection connection, string population, string members,
        object parameters, CancellationToken cancellationToken)
    {
        // The median is the mean of the middle one or two gaps by rank: portable, where percentile_cont is PostgreSQL's.
        var rows = await connection.QueryAsync<GroupRow>(new CommandDefinition($"""
            WITH {population},
            members AS ({members}),
            rates AS (
                SELECT m.grp, COUNT(*) AS customers,
                       SUM(CASE WHEN p.orders_within >= 2 THEN 1 ELSE 0 END) AS repurchased,
                       SUM(CASE WHEN p.anchor_at > @openSince THEN 1 ELSE 0 END) AS still_open
                FROM members m JOIN population p ON p.customer_id = m.customer_id
                GROUP BY m.grp
            ),
            ranked AS (
                SELECT m.grp, g.gap,
                       ROW_NUMBER() OVER (PARTITION BY m.grp ORDER BY g.gap) AS rank_in_group,
                       COUNT(*) OVER (PARTITION BY m.grp) AS gap_count
                FROM members m JOIN gaps g ON g.customer_id = m.customer_id
            ),
            gap_stats AS (
                SELECT grp, MAX(gap_count) AS gap_count, AVG(gap) AS mean_days,
                       AVG(CASE WHEN rank_in_group IN ((gap_count + 1) / 2, (gap_count + 2) / 2) THEN gap END) AS median_days
                FROM ranked GROUP BY grp
            )
            SELECT r.grp, r.customers, r.repurchased, r.still_open, COALESCE(i.gap_count, 0) AS intervals, i.median_days, i.mean_days
            FROM rates r LEFT JOIN gap_stats i ON i.grp = r.grp
            ORDER BY r.grp
            """, parameters, cancellationToken: cancellationToken));
        var bucket = "CASE " + string.Concat(IntervalBuckets.UpperBoundsDays.Select((upper, i) => string.Create(CultureInfo.InvariantCulture, $"WHEN g.gap < {upper} THEN {i} ")))
            + string.Create(CultureInfo.InvariantCulture, $"ELSE {IntervalBuckets.UpperBoundsDays.Count} END");
        var histogram = (await connection.QueryAsync<BucketRow>(new CommandDefinition($"""
            WITH {population},
            members AS ({members})
            SELECT m.grp, {bucket} AS bucket, COUNT(*) AS gaps
            FROM members m JOIN gaps g ON g.customer_id = m.customer_id
            GROUP BY m.grp, {bucket}
            """, parameters, cancellationToken: cancellationToken))).ToLookup(b => b.Grp);
        return [.. rows.Select(r =>
        {
            var counts = new long[IntervalBuckets.Count];
            foreach (var b in histogram[r.Grp]) counts[b.Bucket] = b.Gaps;
            return new GroupFigures(r.Grp, r.Customers, r.Repurchased, r.StillOpen, r.Intervals, r.MedianDays, r.MeanDays, counts);
        })];
    }

    public async Task<IReadOnlyList<AttributionFigures>> LoadAttributionAsync(AttributionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // Touches are sent messages (at sent_at) and holdout rows (at created_at, when they would have gone out), of
        // every journey and any time: an order belongs to the customer's latest touch before it, so a later message
        // takes the order from an earlier one and no revenue is counted twice. Holdouts take part so the control is
        // measured exactly like the variants. Last touch without a lookup per order: each customer's touches and
        // orders in one time line (at equal times orders first, so a touch must come strictly before; touches by
        // id), a running count of touches numbering the runs, and each run's one touch carried to the orders after
        // it. Two window passes over one scan, whatever the planner knows about the tables.
        // Conversions are summed from the attributed touches up, joined to outbox by key: a LEFT JOIN of every touch to
        // the per-touch sums was a nested loop on SQLite (seconds at 25,000 messages).
        var journeyFilter = query.Journey is null ? "" : "AND journey = @journey";
        var rows = await connection.QueryAsync<AttributionRow>(new CommandDefinition($"""
            WITH {CountedOrders},
            touches AS (
                SELECT id, customer_id, journey, step, variant, {Touched("outbox")} AS touched_at
                FROM outbox WHERE status IN ({MessageStatus.Sent.Sql()}, {MessageStatus.Delivered.Sql()}, {MessageStatus.Holdout.Sql()})
            ),
            timeline AS (
                SELECT customer_id, touched_at AS happened_at, 1 AS kind, id AS touch_id, NULL AS revenue FROM touches
                UNION ALL
                SELECT customer_id, completed_at, 0, NULL, revenue FROM counted WHERE completed_at > @from AND completed_at <= @ordersUntil
            ),
            runs AS (
                SELECT customer_id, happened_at, kind, touch_id, revenue,
                       COUNT(touch_id) OVER (PARTITION BY customer_id ORDER BY happened_at, kind, touch_id ROWS UNBOUNDED PRECEDING) AS run
                FROM timeline
            ),
            carried AS (
                SELECT happened_at, kind, revenue,
                       MAX(touch_id) OVER (PARTITION BY customer_id, run) AS last_touch,
                       MAX(CASE WHEN kind = 1 THEN happened_at END) OVER (PARTITION BY customer_id, run) AS last_touched_at
                FROM runs
            ),
            per_touch AS (
                SELECT last_touch AS touch_id, SUM(revenue) AS revenue FROM carried
                WHERE kind = 0 AND last_touch IS NOT NULL AND {Dialect.DaysBetweenSql("happened_at", "last_touched_at")} <= @within
                GROUP BY last_touch
            ),
            sent AS (
                SELECT journey, step, variant, COUNT(*) AS messages FROM touches
                WHERE touched_at >= @from AND touched_at < @to {journeyFilter}
                GROUP BY journey, step, variant
            ),
            converted AS (
                SELECT t.journey, t.step, t.variant, COUNT(*) AS conversions, SUM(p.revenue) AS revenue
                FROM per_touch p JOIN outbox t ON t.id = p.touch_id
                WHERE {Touched("t")} >= @from AND {Touched("t")} < @to {journeyFilter}
                GROUP BY t.journey, t.step, t.variant
            )
            SELECT s.journey, s.step, s.variant, s.messages, COALESCE(c.conversions, 0) AS conversions, COALESCE(c.revenue, 0.0) AS revenue
            FROM sent s LEFT JOIN converted c
                ON c.journey = s.journey AND c.step = s.step AND (c.variant = s.variant OR (c.variant IS NULL AND s.variant IS NULL))
            ORDER BY s.journey, s.step, s.variant
            """, new { from = query.From, to = query.To, within = query.WithinDays, ordersUntil = query.OrdersUntil, journey = query.Journey },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new AttributionFigures(r.Journey, r.Step, r.Variant, r.Messages, r.Conversions, r.Revenue))];
    }

    private sealed class GroupRow
    {
        public string Grp { get; set; } = "";
        public long Customers { get; set; }
        public long Repurchased { get; set; }
        public long StillOpen { get; set; }
        public long Intervals { get; set; }
        public double? MedianDays { get; set; }
        public double? MeanDays { get; set; }
    }

    private sealed class BucketRow
    {
        public string Grp { get; set; } = "";
        public long Bucket { get; set; }
        public long Gaps { get; set; }
    }

    private sealed class CohortRepurchaseRow
    {
        public long Cohort { get; set; }
        public long Customers { get; set; }
        public long Repurchased { get; set; }
        public long StillOpen { get; set; }
    }

    private sealed class CellRow
    {
        public long Cohort { get; set; }
        public long Age { get; set; }
        public long Customers { get; set; }
        public decimal Revenue { get; set; }
    }

    private sealed class LtvRow
    {
        public long Cohort { get; set; }
        public long Customers { get; set; }
        public long Orders { get; set; }
        public decimal Revenue { get; set; }
        public double ExposureDays { get; set; }
    }

    private sealed class AttributionRow
    {
        public string Journey { get; set; } = "";
        public string Step { get; set; } = "";
        public string? Variant { get; set; }
        public long Messages { get; set; }
        public long Conversions { get; set; }
        public decimal Revenue { get; set; }
    }
}
