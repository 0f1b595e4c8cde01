using System.Text.Json.Nodes;
using Automation.Core.Analytics;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Storage;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Support;

/// <summary>
/// A seeded shop history for the analytics reports: a few hundred customers ordering in repeat cycles over 18
/// months, refunds in full and in part, refunds of orders that never completed, tiers, tags, and journey messages
/// in two A/B arms and a holdout. Orders and refunds go through the real ingestion service; tiers, tags, journey
/// instances and outbox rows are inserted with plain SQL because producing them through journeys would take the
/// scheduler and dispatcher over a simulated year and a half. The expected figures are computed here with LINQ over
/// the in-memory history, never from the database.
/// </summary>
public sealed class AnalyticsDataset
{
    public static readonly DateTimeOffset HistoryStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset HistoryEnd = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset AsOf = new(2026, 7, 20, 12, 0, 0, TimeSpan.Zero);
    /// <summary>The tier every customer holds before their first recorded change.</summary>
    public const string BaseTier = "bronze";

    public sealed record Order(string OrderId, string Customer, DateTimeOffset? CompletedAt, decimal Total, decimal Refunded, bool FullyRefunded)
    {
        public bool Counts => CompletedAt is not null && !FullyRefunded;
        public decimal Revenue => Total - Refunded;
    }

    public sealed record Message(int Sequence, string Customer, string Journey, string Step, string? Variant, string Status, DateTimeOffset CreatedAt, DateTimeOffset? SentAt)
    {
        public DateTimeOffset? TouchedAt => Status == "holdout" ? CreatedAt : Status is "sent" or "delivered" ? SentAt : null;
    }

    public List<string> Customers { get; } = [];
    public List<Order> Orders { get; } = [];
    public List<Message> Messages { get; } = [];
    public Dictionary<string, string> Tiers { get; } = [];

    /// <summary>How each tiered customer reached their current tier: bronze → silver, and on to gold for gold customers.</summary>
    public List<(string Customer, string From, string To, DateTimeOffset At)> TierChanges { get; } = [];
    public List<(string Customer, string Tag)> Tags { get; } = [];

    public static AnalyticsDataset Generate(int seed = 20260101, int customers = 300)
    {
        var random = new Random(seed);
        var data = new AnalyticsDataset();
        var span = (HistoryEnd - HistoryStart).TotalSeconds;
        DateTimeOffset At(double seconds) => HistoryStart.AddSeconds(Math.Floor(seconds));
        var orderNumber = 0;
        for (var i = 0; i < customers; i++)
        {
            var customer = $"c{i:D3}";
            data.Customers.Add(customer);
            // Loyal customers come back often and quickly; others rarely.
            var loyalty = random.NextDouble();
            var t = At(random.NextDouble() * (span - 86400 * 10));
            while (t < HistoryEnd)
            {
                var total = Math.Round((decimal)(10 + random.NextDouble() * 190), 2);
                var roll = random.NextDouble();
                var refunded = roll < 0.07 ? total : roll < 0.15 ? Math.Round(total * (decimal)(0.1 + random.NextDouble() * 0.5), 2) : 0m;
                data.Orders.Add(new Order($"o{++orderNumber:D5}", customer, t, total, refunded, roll < 0.07));
                if (random.NextDouble() > 0.25 + loyalty * 0.6) break;
                t = t.AddSeconds(Math.Floor((3 + random.NextDouble() * (20 + (1 - loyalty) * 200)) * 86400));
            }
            var tierRoll = random.NextDouble();
            if (tierRoll < 0.2) data.Tiers[customer] = "gold";
            else if (tierRoll < 0.5) data.Tiers[customer] = "silver";
            if (random.NextDouble() < 0.3) data.Tags.Add((customer, "vip"));
            if (random.NextDouble() < 0.5) data.Tags.Add((customer, "newsletter"));
        }
        // Tier changes from their own generator, so the orders and messages stay what they were before tiers had a history.
        var tierRandom = new Random(seed + 1);
        foreach (var (customer, tier) in data.Tiers.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var silverAt = At(tierRandom.NextDouble() * span);
            data.TierChanges.Add((customer, BaseTier, "silver", silverAt));
            if (tier == "gold") data.TierChanges.Add((customer, "silver", "gold", silverAt.AddSeconds(Math.Floor(tierRandom.NextDouble() * (HistoryEnd - silverAt).TotalSeconds))));
        }
        // Refunds that arrived for orders that never completed: rows with completed_at NULL.
        for (var i = 0; i < 12; i++)
            data.Orders.Add(new Order($"p{i:D3}", data.Customers[random.Next(data.Customers.Count)], null, 0, Math.Round((decimal)(5 + random.NextDouble() * 50), 2), false));

        // Messages: one arm per customer and journey, as Variants assigns; many land a few days before an order.
        var sequence = 0;
        foreach (var customer in data.Customers)
        {
            var winBackArm = random.NextDouble() switch { < 0.2 => "holdout", < 0.6 => "A", _ => "B" };
            var ordersOf = data.Orders.Where(o => o.Customer == customer && o.CompletedAt is not null).ToList();
            var times = new List<DateTimeOffset>();
            foreach (var order in ordersOf.Where(_ => random.NextDouble() < 0.45))
                times.Add(order.CompletedAt!.Value.AddSeconds(-Math.Floor((0.05 + random.NextDouble() * 12) * 86400)));
            for (var k = random.Next(0, 4); k > 0; k--) times.Add(At(random.NextDouble() * span));
            foreach (var created in times.OrderBy(x => x))
            {
                var welcome = random.NextDouble() < 0.3;
                var journey = welcome ? "welcome-series" : "win-back";
                var step = welcome ? "thank-you" : random.NextDouble() < 0.5 ? "miss-you" : "bigger-coupon";
                var variant = welcome ? null : winBackArm;
                var status = variant == "holdout" ? "holdout" : random.NextDouble() switch { < 0.5 => "sent", < 0.85 => "delivered", < 0.95 => "failed", _ => "queued" };
                DateTimeOffset? sentAt = status is "sent" or "delivered" or "failed" ? created.AddSeconds(random.Next(1, 7200)) : null;
                data.Messages.Add(new Message(++sequence, customer, journey, step, variant, status, created, sentAt));
            }
        }
        return data;
    }

    /// <summary>Stores the history: orders and refunds through ingestion, the rest with SQL.</summary>
    public async Task LoadAsync(AutomationStorage storage)
    {
        var clock = new FakeTimeProvider(AsOf);
        var ingestion = TestIngestion.Service(storage, TestIngestion.Engine(new JourneyCatalog()), clock);
        var completed = Orders.Where(o => o.CompletedAt is not null).Select(o => Segment.Order(o.Customer, o.OrderId, o.Total, o.CompletedAt!.Value));
        var refunds = Orders.Where(o => o.Refunded > 0).Select(o => o.FullyRefunded
            ? Segment.Track(o.Customer, CommerceEvents.OrderRefunded, new { order_id = o.OrderId }, (o.CompletedAt ?? HistoryEnd).AddDays(2))
            : Segment.Track(o.Customer, CommerceEvents.OrderRefunded, new { order_id = o.OrderId, total = o.Refunded }, (o.CompletedAt ?? HistoryEnd).AddDays(2)));
        foreach (var chunk in completed.Chunk(500).Concat(refunds.Chunk(500)))
            await ingestion.IngestAsync(Segment.Read(clock, chunk), CancellationToken.None);

        await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
        var ids = (await connection.QueryAsync<(long Id, string ExternalId)>("SELECT id, external_id FROM customers WHERE external_id IS NOT NULL"))
            .ToDictionary(r => r.ExternalId, r => r.Id);
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var (customer, tier) in Tiers)
            await connection.ExecuteAsync("INSERT INTO customer_tiers (customer_id, tier, since) VALUES (@id, @tier, @since)",
                new { id = ids[customer], tier, since = HistoryStart }, transaction);
        foreach (var (customer, from, to, at) in TierChanges)
            await connection.ExecuteAsync("INSERT INTO tier_history (customer_id, from_tier, to_tier, reason, changed_at) VALUES (@id, @from, @to, 'review', @at)",
                new { id = ids[customer], from, to, at }, transaction);
        foreach (var (customer, tag) in Tags)
            await connection.ExecuteAsync("INSERT INTO customer_tags (customer_id, tag, source, added_at) VALUES (@id, @tag, 'manual', @at)",
                new { id = ids[customer], tag, at = HistoryStart }, transaction);
        var instances = new Dictionary<(string, string), long>();
        foreach (var m in Messages.OrderBy(m => m.Sequence))
        {
            if (!instances.TryGetValue((m.Customer, m.Journey), out var instance))
            {
                instance = await connection.QuerySingleAsync<long>("""
                    INSERT INTO journey_instances (customer_id, journey, entry_key, status, entered_at) VALUES (@id, @journey, 'entry', 'active', @at)
                    RETURNING id
                    """, new { id = ids[m.Customer], journey = m.Journey, at = HistoryStart }, transaction);
                instances[(m.Customer, m.Journey)] = instance;
            }
            await connection.ExecuteAsync("""
                INSERT INTO outbox (idempotency_key, customer_id, journey, instance_id, step, channel, template, context, status, created_at, due_at, sent_at, variant)
                VALUES (@key, @id, @journey, @instance, @step, 'email', @template, @context, @status, @created, @created, @sent, @variant)
                """, new { key = $"m{m.Sequence}", id = ids[m.Customer], journey = m.Journey, instance, step = m.Step, template = $"{m.Journey}/{m.Step}",
                    context = new JsonObject(), status = m.Status, created = m.CreatedAt, sent = m.SentAt, variant = m.Variant }, transaction);
        }
        await transaction.CommitAsync();
    }

    // ---- Expected figures, straight from the definitions in docs/analytics.md ----

    private List<Order> Counted(string customer) => [.. Orders.Where(o => o.Customer == customer && o.Counts).OrderBy(o => o.CompletedAt)];

    private sealed record Anchored(string Customer, DateTimeOffset Anchor, bool IsNew, bool Repurchased);

    private List<Anchored> Population(RepurchaseQuery q) => [.. Customers.Select(c =>
    {
        var orders = Counted(c);
        var inWindow = orders.Where(o => o.CompletedAt >= q.From && o.CompletedAt < q.To).ToList();
        if (inWindow.Count == 0) return null;
        var anchor = inWindow[0].CompletedAt!.Value;
        var repeats = orders.Count(o => o.CompletedAt >= anchor && (o.CompletedAt!.Value - anchor).TotalDays <= q.WithinDays);
        return new Anchored(c, anchor, orders[0].CompletedAt == anchor, repeats >= 2);
    }).OfType<Anchored>()];

    private GroupFigures Group(string name, IReadOnlyCollection<Anchored> members, RepurchaseQuery q)
    {
        var gaps = members.SelectMany(m =>
        {
            var orders = Counted(m.Customer);
            return orders.Zip(orders.Skip(1))
                .Where(p => p.First.CompletedAt >= q.From && p.First.CompletedAt < q.To)
                .Select(p => (p.Second.CompletedAt!.Value - p.First.CompletedAt!.Value).TotalDays);
        }).Order().ToList();
        double? median = gaps.Count == 0 ? null : gaps.Count % 2 == 1 ? gaps[gaps.Count / 2] : (gaps[gaps.Count / 2 - 1] + gaps[gaps.Count / 2]) / 2;
        return new GroupFigures(name, members.Count, members.Count(m => m.Repurchased), StillOpen(members, q),
            gaps.Count, median, gaps.Count == 0 ? null : gaps.Average(), Histogram(gaps));
    }

    private static int StillOpen(IEnumerable<Anchored> members, RepurchaseQuery q) => members.Count(m => m.Anchor > q.AsOf.AddDays(-q.WithinDays));

    // Bucket edges as docs/analytics.md lists them: [0, 7), [7, 14), [14, 30), [30, 60), [60, 90), [90, 180), [180, 365), 365+.
    private static long[] Histogram(IEnumerable<double> gaps)
    {
        int[] edges = [7, 14, 30, 60, 90, 180, 365];
        var counts = new long[edges.Length + 1];
        foreach (var gap in gaps) counts[edges.Count(edge => gap >= edge)]++;
        return counts;
    }

    public IReadOnlyList<CohortRepurchaseFigures> ExpectedCohortRepurchases(RepurchaseQuery q) => [.. Population(q)
        .Where(p => p.IsNew)
        .GroupBy(p => Month(p.Anchor))
        .OrderBy(g => g.Key)
        .Select(g => new CohortRepurchaseFigures(g.Key, g.Count(), g.Count(m => m.Repurchased), StillOpen(g, q)))];

    public GroupFigures ExpectedOverall(RepurchaseQuery q) => Group("new", [.. Population(q).Where(p => p.IsNew)], q);

    // The tier held going into the anchor order: the last change strictly before it, else the base tier.
    private string TierAt(string customer, DateTimeOffset anchor) =>
        TierChanges.Where(c => c.Customer == customer && c.At < anchor).OrderBy(c => c.At).Select(c => c.To).LastOrDefault() ?? BaseTier;

    public IReadOnlyList<GroupFigures> ExpectedGroups(RepurchaseQuery q)
    {
        var population = Population(q);
        IEnumerable<(string Group, Anchored Member)> members = q.Segment switch
        {
            RepurchaseSegment.New => population.Where(p => p.IsNew).Select(p => ("new", p)),
            RepurchaseSegment.Returning => population.Where(p => !p.IsNew).Select(p => ("returning", p)),
            RepurchaseSegment.Tier => population.Select(p => (TierAt(p.Customer, p.Anchor), p)),
            RepurchaseSegment.Member => population.Where(p => !p.IsNew).Select(p => (TierAt(p.Customer, p.Anchor) == BaseTier ? "non-member" : "member", p)),
            RepurchaseSegment.Tag => population.SelectMany(p => Tags.Where(t => t.Customer == p.Customer).Select(t => (t.Tag, p))),
            _ => population.Select(p => (p.IsNew ? "new" : "returning", p)),
        };
        return [.. members.GroupBy(m => m.Group).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Group(g.Key, [.. g.Select(m => m.Member)], q))];
    }

    public IReadOnlyList<CohortCell> ExpectedCells(RepurchaseQuery q) => [.. Customers
        .Select(c => Counted(c))
        .Where(orders => orders.Count > 0 && orders[0].CompletedAt >= q.From && orders[0].CompletedAt < q.To)
        .SelectMany(orders => orders.Where(o => o.CompletedAt <= q.AsOf).Select(o => (
            Cohort: Month(orders[0].CompletedAt!.Value),
            Age: Month(o.CompletedAt!.Value) - Month(orders[0].CompletedAt!.Value), o)))
        .GroupBy(x => (x.Cohort, x.Age))
        .OrderBy(g => g.Key)
        .Select(g => new CohortCell(g.Key.Cohort, g.Key.Age, g.Select(x => x.o.Customer).Distinct().Count(), g.Sum(x => x.o.Revenue)))];

    public IReadOnlyList<CohortLtvFigures> ExpectedLtv(RepurchaseQuery q) => [.. Customers
        .Select(c => Counted(c))
        .Where(orders => orders.Count > 0 && orders[0].CompletedAt >= q.From && orders[0].CompletedAt < q.To)
        .Select(orders =>
        {
            var first = orders[0].CompletedAt!.Value;
            var year = orders.Where(o => o.CompletedAt <= q.AsOf && (o.CompletedAt!.Value - first).TotalDays < 365).ToList();
            return (Cohort: Month(first), Orders: year.Count, Revenue: year.Sum(o => o.Revenue), Exposure: Math.Min(365, (q.AsOf - first).TotalDays));
        })
        .GroupBy(x => x.Cohort)
        .OrderBy(g => g.Key)
        .Select(g => new CohortLtvFigures(g.Key, g.Count(), g.Sum(x => x.Orders), g.Sum(x => x.Revenue), g.Sum(x => x.Exposure)))];

    // Written out rather than borrowed from RepurchaseReport, so the expectation does not share code with the report.
    private static int Month(DateTimeOffset t) => t.UtcDateTime.Year * 12 + t.UtcDateTime.Month - 1;

    public IReadOnlyList<AttributionFigures> ExpectedAttribution(AttributionQuery q)
    {
        var touches = Messages.Where(m => m.TouchedAt is not null).ToList();
        var attributed = Orders.Where(o => o.Counts && o.CompletedAt > q.From && o.CompletedAt <= q.OrdersUntil)
            .Select(o => (Order: o, Touch: touches
                .Where(t => t.Customer == o.Customer && t.TouchedAt < o.CompletedAt)
                .OrderByDescending(t => t.TouchedAt).ThenByDescending(t => t.Sequence)
                .FirstOrDefault()))
            .Where(x => x.Touch is not null && (x.Order.CompletedAt!.Value - x.Touch.TouchedAt!.Value).TotalDays <= q.WithinDays)
            .ToLookup(x => x.Touch!.Sequence, x => x.Order);
        return [.. touches
            .Where(t => t.TouchedAt >= q.From && t.TouchedAt < q.To && (q.Journey is null || t.Journey == q.Journey))
            .GroupBy(t => (t.Journey, t.Step, t.Variant))
            .OrderBy(g => g.Key.Journey, StringComparer.Ordinal).ThenBy(g => g.Key.Step, StringComparer.Ordinal).ThenBy(g => g.Key.Variant ?? "", StringComparer.Ordinal)
            .Select(g => new AttributionFigures(g.Key.Journey, g.Key.Step, g.Key.Variant, g.Count(),
                g.Count(t => attributed[t.Sequence].Any()), g.Sum(t => attributed[t.Sequence].Sum(o => o.Revenue))))];
    }
}
