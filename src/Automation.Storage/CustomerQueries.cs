using System.Data.Common;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Products;
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

    /// <summary>Snapshots of these customers with the parts asked for, in id order, in one query per table whatever their number.</summary>
    public static async Task<IReadOnlyList<CustomerSnapshot>> LoadAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> ids, SnapshotParts parts,
        CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return [];
        async Task<IEnumerable<T>> Query<T>(SnapshotParts part, string sqlBeforeList, string sqlAfterList = "")
        {
            if (!parts.HasFlag(part)) return []; // the profile (no flag) is always read
            var p = new DynamicParameters();
            var sql = $"{sqlBeforeList} {dialect.InList("ids", ids, p)} {sqlAfterList}";
            return await connection.QueryAsync<T>(new CommandDefinition(sql, p, transaction, cancellationToken: cancellationToken));
        }

        var columns = parts.HasFlag(SnapshotParts.Traits) ? CustomerRow.Columns : CustomerRow.ColumnsWithoutTraits;
        // In id order whatever plan the database picks: audiences are screened and entered in that order.
        var customers = await Query<CustomerRow>(SnapshotParts.Profile, $"SELECT {columns} FROM customers WHERE id", "ORDER BY id");
        var stats = (await Query<StatsRow>(SnapshotParts.Stats, "SELECT customer_id, order_count, total_spent, first_order_at, last_order_at, mean_order_interval_days, coupon_order_count FROM customer_stats WHERE customer_id"))
            .ToDictionary(s => s.CustomerId);
        var carts = (await Query<CartRow>(SnapshotParts.Cart, "SELECT customer_id, items, currency, updated_at FROM carts WHERE customer_id")).ToDictionary(c => c.CustomerId);
        var tagRows = (await Query<(long CustomerId, string Tag, string Source)>(SnapshotParts.Tags, "SELECT customer_id, tag, source FROM customer_tags WHERE customer_id", "ORDER BY tag")).ToList();
        var tags = tagRows.ToLookup(t => t.CustomerId, t => t.Tag);
        var ruleTags = tagRows.Where(t => t.Source == TagSources.Rule).ToLookup(t => t.CustomerId, t => t.Tag);
        var ledger = (await Query<LedgerRow>(SnapshotParts.Points, "SELECT id, customer_id, points, kind, reason, source_key, created_at, expires_at FROM points_ledger WHERE customer_id", "ORDER BY created_at, id"))
            .ToLookup(l => l.CustomerId, l => new PointsEntry(l.Id, l.Points, l.Kind, l.Reason, l.SourceKey, l.CreatedAt, l.ExpiresAt));
        var coupons = (await Query<CouponRow>(SnapshotParts.Coupons, $"SELECT customer_id, {CouponRow.Columns} FROM coupon_codes WHERE redeemed_at IS NULL AND customer_id",
                "ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, code"))
            .ToLookup(c => c.CustomerId!.Value, c => c.ToCoupon());
        var rfm = (await Query<RfmRow>(SnapshotParts.Rfm, "SELECT customer_id, r, f, m, spend_365 FROM customer_rfm WHERE customer_id")).ToDictionary(r => r.CustomerId);
        var tiers = parts.HasFlag(SnapshotParts.Tier) ? await TierQueries.LoadAsync(dialect, connection, transaction, ids, cancellationToken) : new Dictionary<long, TierStanding>();
        var suppressed = (await Query<(long CustomerId, string Channel)>(SnapshotParts.Suppressions, """
            SELECT c.id, s.channel FROM customers c
            JOIN suppressions s ON (s.channel = 'email' AND s.address = c.email) OR (s.channel = 'sms' AND s.address = c.phone)
            WHERE c.id
            """)).ToLookup(s => s.CustomerId, s => s.Channel);

        var referredBy = (await Query<(long CustomerId, string? ExternalId, string? AnonymousId)>(SnapshotParts.Referrals,
            "SELECT r.referred_id, c.external_id, c.anonymous_id FROM referrals r JOIN customers c ON c.id = r.referrer_id WHERE r.referred_id"))
            .ToDictionary(r => r.CustomerId, r => r.ExternalId ?? r.AnonymousId);
        var referrals = (await Query<(long CustomerId, long Count)>(SnapshotParts.Referrals,
            "SELECT referrer_id, COUNT(*) FROM referrals WHERE first_order_id IS NOT NULL AND referrer_id", "GROUP BY referrer_id"))
            .ToDictionary(r => r.CustomerId, r => (int)r.Count);

        var purchases = parts.HasFlag(SnapshotParts.Purchases)
            ? (await ProductQueries.PurchasesAsync(dialect, connection, transaction, ids, cancellationToken)).ToLookup(r => r.CustomerId, r => r.ToPurchase())
            : Enumerable.Empty<PurchaseRow>().ToLookup(r => r.CustomerId, r => r.ToPurchase());
        var views = parts.HasFlag(SnapshotParts.Purchases)
            ? (await ProductQueries.ViewsAsync(dialect, connection, transaction, ids, cancellationToken)).ToLookup(r => r.CustomerId, r => r.ToViews())
            : Enumerable.Empty<ViewRow>().ToLookup(r => r.CustomerId, r => r.ToViews());

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
        var oneJourney = journey is null ? "" : "AND journey = @journey";
        var rows = await connection.QueryAsync<LastEntryRow>(new CommandDefinition(
            $"SELECT customer_id, journey, MAX(entered_at) AS entered_at FROM journey_instances WHERE customer_id {dialect.InList("ids", customerIds, p)} {oneJourney} GROUP BY customer_id, journey",
            p, transaction, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => (r.CustomerId, r.Journey), r => r.EnteredAt);
    }

    /// <summary>The active journey instances of these customers, with the steps each has taken.</summary>
    public static async Task<IReadOnlyList<JourneyInstance>> ActiveInstancesAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> customerIds,
        CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return [];
        var p = new DynamicParameters();
        var rows = (await connection.QueryAsync<InstanceRow>(new CommandDefinition(
            $"SELECT id, customer_id, journey, entered_at, last_step_at, trigger_event FROM journey_instances WHERE status = 'active' AND customer_id {dialect.InList("ids", customerIds, p)}",
            p, transaction, cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0) return [];

        var stepsParameters = new DynamicParameters();
        var steps = (await connection.QueryAsync<(long InstanceId, string Step)>(new CommandDefinition(
            $"SELECT instance_id, step FROM journey_steps WHERE instance_id {dialect.InList("ids", rows.Select(r => r.Id), stepsParameters)}",
            stepsParameters, transaction, cancellationToken: cancellationToken))).ToLookup(s => s.InstanceId, s => s.Step);
        return [.. rows.Select(r => new JourneyInstance(r.Id, r.CustomerId, r.Journey, r.EnteredAt, r.LastStepAt, [.. steps[r.Id]], r.TriggerEvent))];
    }
}
