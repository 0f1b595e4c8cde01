using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Products;
using Automation.Core.Storage;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Dapper;

namespace Automation.Storage;

/// <summary>Reads customers with everything the API and the journey facts need, and their journey instances.</summary>
internal static class CustomerQueries
{
    private sealed class LedgerRow
    {
        public long Id { get; set; }
        public long CustomerId { get; set; }
        public int Points { get; set; }
        public string Kind { get; set; } = "";
        public string Reason { get; set; } = "";
        public string SourceKey { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset? ExpiresAt { get; set; }
    }

    private sealed class InstanceRow
    {
        public long Id { get; set; }
        public long CustomerId { get; set; }
        public string Journey { get; set; } = "";
        public DateTimeOffset EnteredAt { get; set; }
        public DateTimeOffset? LastStepAt { get; set; }
        public JsonObject? TriggerEvent { get; set; }
        public string? JourneyHash { get; set; }
        public string Steps { get; set; } = "[]";
    }

    private sealed class LastEntryRow
    {
        public long CustomerId { get; set; }
        public string Journey { get; set; } = "";
        public DateTimeOffset EnteredAt { get; set; }
    }

    private sealed class RfmRow
    {
        public long CustomerId { get; set; }
        public int R { get; set; }
        public int F { get; set; }
        public int M { get; set; }
        public decimal Spend365 { get; set; }
    }

    public static async Task<CustomerSnapshot?> FindAsync(SqlDialect dialect, DbConnection connection, string id, CancellationToken cancellationToken)
    {
        // The signed-in id wins over a device id that happens to be equal.
        var customerId = await connection.QueryFirstOrDefaultAsync<long?>(new CommandDefinition("""
            SELECT id FROM (
                SELECT id, 0 AS match_rank FROM customers WHERE external_id = @id
                UNION ALL
                SELECT id, 1 AS match_rank FROM customers WHERE anonymous_id = @id
            ) matches ORDER BY match_rank
            """, new { id }, cancellationToken: cancellationToken));
        if (customerId is null) return null;
        return (await LoadAsync(dialect, connection, null, [customerId.Value], SnapshotParts.All, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Snapshots of these customers with the parts asked for, in id order: one query per table whatever their number,
    /// all sent in one command (a round trip per table was most of what a snapshot cost on PostgreSQL).
    /// </summary>
    public static Task<IReadOnlyList<CustomerSnapshot>> LoadAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> ids, SnapshotParts parts,
        CancellationToken cancellationToken) =>
        LoadAsync(dialect, connection, transaction, ids.Distinct().ToDictionary(id => id, _ => parts), cancellationToken);

    /// <summary>
    /// Snapshots of these customers, each with the parts asked for it, in id order, in one command: each table's query
    /// takes only the customers asked for that part, so customers read for different reasons share a round trip
    /// without each reading what the others need.
    /// </summary>
    public static async Task<IReadOnlyList<CustomerSnapshot>> LoadAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction,
        IReadOnlyDictionary<long, SnapshotParts> reads, CancellationToken cancellationToken)
    {
        if (reads.Count == 0) return [];
        var p = new DynamicParameters();
        // A part asked for every customer binds the list every customer's profile binds; others bind their own.
        string In(SnapshotParts part, bool byKey = false)
        {
            var asked = reads.Where(r => r.Value.HasFlag(part)).Select(r => r.Key).ToList();
            var name = asked.Count == reads.Count ? "ids" : $"ids{(int)part}";
            return byKey ? dialect.InListByKey(name, asked, p) : dialect.InList(name, asked, p);
        }
        var parts = reads.Values.Aggregate(SnapshotParts.Profile, (union, part) => union | part);
        // The traits are a column of the profile: read for every customer when one asks for them.
        var columns = parts.HasFlag(SnapshotParts.Traits) ? CustomerRow.Columns : CustomerRow.ColumnsWithoutTraits;
        // The results are read back in this order; the profile (no flag) is always read, a part no customer asked for not at all.
        var queries = new (SnapshotParts Part, Func<string> Sql)[]
        {
            // In id order whatever plan the database picks: audiences are screened and entered in that order.
            (SnapshotParts.Profile, () => $"SELECT {columns} FROM customers WHERE id {In(SnapshotParts.Profile)} ORDER BY id"),
            (SnapshotParts.Stats, () => $"SELECT customer_id, order_count, total_spent, first_order_at, last_order_at, mean_order_interval_days, coupon_order_count FROM customer_stats WHERE customer_id {In(SnapshotParts.Stats)}"),
            (SnapshotParts.Cart, () => $"SELECT customer_id, items, currency, updated_at FROM carts WHERE customer_id {In(SnapshotParts.Cart)}"),
            (SnapshotParts.Tags, () => $"SELECT customer_id, tag, source FROM customer_tags WHERE customer_id {In(SnapshotParts.Tags)} ORDER BY tag"),
            (SnapshotParts.Points, () => $"SELECT id, customer_id, points, kind, reason, source_key, created_at, expires_at FROM points_ledger WHERE customer_id {In(SnapshotParts.Points)} ORDER BY created_at, id"),
            (SnapshotParts.Coupons, () => $"SELECT customer_id, {CouponRow.Columns} FROM coupon_codes WHERE redeemed_at IS NULL AND customer_id {In(SnapshotParts.Coupons)} ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, code"),
            (SnapshotParts.Rfm, () => $"SELECT customer_id, r, f, m, spend_365 FROM customer_rfm WHERE customer_id {In(SnapshotParts.Rfm)}"),
            (SnapshotParts.Tier, () => TierQueries.StandingsSql(In(SnapshotParts.Tier))),
            (SnapshotParts.Suppressions, () => $"""
                SELECT c.id, s.channel FROM customers c
                JOIN suppressions s ON (s.channel = 'email' AND s.address = c.email) OR (s.channel = 'sms' AND s.address = c.phone)
                WHERE c.id {In(SnapshotParts.Suppressions)}
                """),
            (SnapshotParts.Referrals, () => $"SELECT r.referred_id, c.external_id, c.anonymous_id FROM referrals r JOIN customers c ON c.id = r.referrer_id WHERE r.referred_id {In(SnapshotParts.Referrals)}"),
            (SnapshotParts.Referrals, () => $"SELECT referrer_id, COUNT(*) FROM referrals WHERE first_order_id IS NOT NULL AND referrer_id {In(SnapshotParts.Referrals)} GROUP BY referrer_id"),
            (SnapshotParts.Purchases, () => ProductQueries.PurchasesSql(In(SnapshotParts.Purchases, byKey: true))),
            (SnapshotParts.Purchases, () => ProductQueries.ViewsSql(In(SnapshotParts.Purchases, byKey: true))),
        };
        var read = queries.Select(q => q.Part == SnapshotParts.Profile || parts.HasFlag(q.Part)).ToArray();
        var sql = string.Join(";\n", queries.Where((_, i) => read[i]).Select(q => q.Sql()));
        await using var results = await BufferedRows.ExecuteAsync(connection, new CommandDefinition(sql, p, transaction, cancellationToken: cancellationToken));
        var next = 0;
        async Task<IEnumerable<T>> Read<T>() => read[next++] ? await results.ReadAsync<T>(cancellationToken) : [];

        var customers = await Read<CustomerRow>();
        var stats = (await Read<StatsRow>()).ToDictionary(s => s.CustomerId);
        var carts = (await Read<CartRow>()).ToDictionary(c => c.CustomerId);
        var tagRows = (await Read<(long CustomerId, string Tag, string Source)>()).ToList();
        var tags = tagRows.ToLookup(t => t.CustomerId, t => t.Tag);
        var ruleTags = tagRows.Where(t => t.Source == TagSources.Rule).ToLookup(t => t.CustomerId, t => t.Tag);
        var ledger = (await Read<LedgerRow>()).ToLookup(l => l.CustomerId, l => new PointsEntry(l.Id, l.Points, l.Kind, l.Reason, l.SourceKey, l.CreatedAt, l.ExpiresAt));
        var coupons = (await Read<CouponRow>()).ToLookup(c => c.CustomerId!.Value, c => c.ToCoupon());
        var rfm = (await Read<RfmRow>()).ToDictionary(r => r.CustomerId);
        var tiers = TierQueries.Standings(await Read<TierQueries.StandingRow>());
        var suppressed = (await Read<(long CustomerId, string Channel)>()).ToLookup(s => s.CustomerId, s => s.Channel);
        var referredBy = (await Read<(long CustomerId, string? ExternalId, string? AnonymousId)>()).ToDictionary(r => r.CustomerId, r => r.ExternalId ?? r.AnonymousId);
        var referrals = (await Read<(long CustomerId, long Count)>()).ToDictionary(r => r.CustomerId, r => (int)r.Count);
        var purchases = (await Read<PurchaseRow>()).ToLookup(r => r.CustomerId, r => r.ToPurchase());
        var views = (await Read<ViewRow>()).ToLookup(r => r.CustomerId, r => r.ToViews());

        return [.. customers.Select(c => new CustomerSnapshot(
            c.ToProfile(),
            stats.TryGetValue(c.Id, out var s) ? s.ToStats() : CustomerStats.None,
            carts.TryGetValue(c.Id, out var cart) ? cart.ToCart() : null)
        {
            Tags = [.. tags[c.Id]],
            RuleTags = [.. ruleTags[c.Id]],
            PointsLedger = [.. ledger[c.Id]],
            Coupons = [.. coupons[c.Id]],
            SuppressedChannels = [.. suppressed[c.Id]],
            Tier = tiers.GetValueOrDefault(c.Id),
            ReferredBy = referredBy.GetValueOrDefault(c.Id),
            Referrals = referrals.GetValueOrDefault(c.Id),
            History = purchases.Contains(c.Id) || views.Contains(c.Id) ? new PurchaseHistory([.. purchases[c.Id]], [.. views[c.Id]]) : PurchaseHistory.None,
            Rfm = rfm.TryGetValue(c.Id, out var score) ? new RfmScore(score.R, score.F, score.M, score.Spend365) : null,
        })];
    }

    /// <summary>When each of these customers last entered each journey (or only <paramref name="journey"/>).</summary>
    public static async Task<IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset>> LastEntriesAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction,
        IReadOnlyCollection<long> customerIds, string? journey, CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return new Dictionary<(long, string), DateTimeOffset>();
        var p = new DynamicParameters(new { journey });
        var sql = LastEntriesSql(dialect.InList("ids", customerIds, p), journey is null ? "" : "AND journey = @journey");
        await using var results = await BufferedRows.ExecuteAsync(connection, new CommandDefinition(sql, p, transaction, cancellationToken: cancellationToken));
        return await ReadLastEntriesAsync(results, cancellationToken);
    }

    /// <summary>The active journey instances of these customers, with the steps each has taken.</summary>
    public static async Task<IReadOnlyList<JourneyInstance>> ActiveInstancesAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> customerIds,
        CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return [];
        var p = new DynamicParameters();
        var sql = ActiveInstancesSql(dialect, dialect.InList("ids", customerIds, p));
        await using var results = await BufferedRows.ExecuteAsync(connection, new CommandDefinition(sql, p, transaction, cancellationToken: cancellationToken));
        return await ReadActiveInstancesAsync(results, cancellationToken);
    }

    /// <summary><see cref="ActiveInstancesAsync"/> and <see cref="LastEntriesAsync"/> of every journey, in one round trip.</summary>
    public static async Task<CustomerJourneys> JourneysAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> customerIds,
        CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return new CustomerJourneys([], new Dictionary<(long, string), DateTimeOffset>());
        var p = new DynamicParameters();
        var ids = dialect.InList("ids", customerIds, p);
        await using var results = await BufferedRows.ExecuteAsync(connection,
            new CommandDefinition(ActiveInstancesSql(dialect, ids) + LastEntriesSql(ids, ""), p, transaction, cancellationToken: cancellationToken));
        var active = await ReadActiveInstancesAsync(results, cancellationToken);
        return new CustomerJourneys(active, await ReadLastEntriesAsync(results, cancellationToken));
    }

    // Each with the steps it took as a JSON array: a second statement for the steps would find the instances again.
    private static string ActiveInstancesSql(SqlDialect dialect, string ids) => $"""
        SELECT id, customer_id, journey, entered_at, last_step_at, trigger_event, journey_hash,
               (SELECT {dialect.JsonArrayAggSql("step")} FROM journey_steps WHERE instance_id = journey_instances.id) AS steps
        FROM journey_instances WHERE status = 'active' AND customer_id {ids};

        """;

    private static string LastEntriesSql(string ids, string oneJourney) =>
        $"SELECT customer_id, journey, MAX(entered_at) AS entered_at FROM journey_instances WHERE customer_id {ids} {oneJourney} GROUP BY customer_id, journey;";

    private static async Task<IReadOnlyList<JourneyInstance>> ReadActiveInstancesAsync(BufferedRows results, CancellationToken cancellationToken) =>
        [.. (await results.ReadAsync<InstanceRow>(cancellationToken)).Select(r => new JourneyInstance(r.Id, r.CustomerId, r.Journey, r.EnteredAt, r.LastStepAt,
            JsonSerializer.Deserialize<string[]>(r.Steps) ?? [], r.TriggerEvent, r.JourneyHash))];

    private static async Task<IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset>> ReadLastEntriesAsync(BufferedRows results, CancellationToken cancellationToken) =>
        (await results.ReadAsync<LastEntryRow>(cancellationToken)).ToDictionary(r => (r.CustomerId, r.Journey), r => r.EnteredAt);
}
