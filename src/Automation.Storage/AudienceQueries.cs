using System.Text;
using Automation.Core.Journeys;
using Dapper;

namespace Automation.Storage;

/// <summary>
/// Selects the customers of an id range that due audiences may enter, from the tables their bounds name: each
/// condition is a range scan of one table (stats, tiers, the points ledger, coupon codes, customers), combined by
/// INTERSECT and UNION, less the range's recent entries by EXCEPT; an audience's conditions that must all hold on a
/// table with at most one row a customer are one scan. Scans of a million customers thus read the rows of the few
/// that may enter rather than every customer's snapshot.
/// </summary>
internal static class AudienceQueries
{
    public static async Task<IReadOnlyList<IReadOnlyList<long>>> CandidatesAsync(SqlDialect dialect, System.Data.Common.DbConnection connection, IReadOnlyList<AudienceSelection> selections,
        long firstId, long lastId, CancellationToken cancellationToken)
    {
        var p = new DynamicParameters();
        p.Add("lo", firstId);
        p.Add("hi", lastId);
        var builder = new Builder(dialect, p);
        var sql = string.Join("\nUNION ALL\n", selections.Select((s, i) => $"SELECT {i} AS audience, id FROM ({builder.Selection(s)}) AS a{i}"));
        var rows = await QueryAsync<(long Audience, long Id)>(dialect, connection, sql, p, cancellationToken);
        var candidates = selections.Select(_ => new List<long>()).ToArray();
        foreach (var (audience, id) in rows) candidates[audience].Add(id);
        return candidates;
    }

    /// <summary>
    /// Selects the customers of an id range holding an active instance that may have work now (see
    /// <see cref="WorkSelection"/>): one statement over the range's active instances, each journey's conditions a
    /// predicate on the instance (its version, entry time and steps taken) and on its customer (the sets of the bounds).
    /// </summary>
    public static async Task<IReadOnlyList<long>> WorkCandidatesAsync(SqlDialect dialect, System.Data.Common.DbConnection connection, IReadOnlyList<WorkSelection> journeys,
        long firstId, long lastId, CancellationToken cancellationToken)
    {
        if (journeys.Count == 0) return [];
        var p = new DynamicParameters();
        p.Add("lo", firstId);
        p.Add("hi", lastId);
        var builder = new Builder(dialect, p);
        var sql = $"""
            SELECT DISTINCT i.customer_id FROM journey_instances i {(journeys.Any(j => j.Steps.Count > 0) ? dialect.StepsTakenJoin : "")}
            WHERE i.status = 'active' AND i.customer_id BETWEEN @lo AND @hi AND (
            {string.Join("\nOR ", journeys.Select(builder.Work))})
            ORDER BY i.customer_id
            """;
        return [.. await QueryAsync<long>(dialect, connection, sql, p, cancellationToken)];
    }

    /// <summary>Runs a selection without just-in-time compilation (<see cref="SqlDialect.WithoutJit"/>): the compiling costs more than the query.</summary>
    private static async Task<IEnumerable<T>> QueryAsync<T>(SqlDialect dialect, System.Data.Common.DbConnection connection, string sql, DynamicParameters p,
        CancellationToken cancellationToken)
    {
        // No transaction where there is nothing to turn off: SQLite's would take the write lock (BEGIN IMMEDIATE).
        if (dialect.WithoutJit.Length == 0) return await connection.QueryAsync<T>(new CommandDefinition(sql, p, cancellationToken: cancellationToken));
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = await connection.QueryAsync<T>(new CommandDefinition(dialect.WithoutJit + sql, p, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    /// <summary>
    /// Writes each set as a query of one column <c>id</c>. Every operand of a set operation is wrapped in its own
    /// sub-select: SQLite gives INTERSECT, UNION and EXCEPT one precedence, PostgreSQL binds INTERSECT tighter.
    /// </summary>
    private sealed class Builder(SqlDialect dialect, DynamicParameters p)
    {
        private int _names;

        public string Selection(AudienceSelection selection)
        {
            var inside = selection.Zone == JourneyScheduler.AllZones
                ? Bound(selection.Bound)
                : Intersect([Bound(selection.Bound), new RowsSet("customers", "id", [$"COALESCE(timezone, 'UTC') = {Value(selection.Zone)}"])]);
            // The range's entries by (customer_id, journey, entered_at): not the journey's every entry by (journey, status).
            var entered = $"SELECT customer_id AS id FROM journey_instances WHERE customer_id BETWEEN @lo AND @hi AND {dialect.Unindexed("journey")} = {Value(selection.Journey)}"
                + (selection.EnteredAfter is { } after ? $" AND entered_at > {Value(after)}" : "");
            return Combine("EXCEPT", [Sql(inside), entered]);
        }

        /// <summary>A journey's active instances (alias <c>i</c>) that may have work: see <see cref="WorkSelection"/>.</summary>
        public string Work(WorkSelection work)
        {
            var hash = Value(work.Hash);
            var reasons = new List<string> { $"COALESCE(i.journey_hash, {hash}) <> {hash}", $"i.entered_at <= {Value(work.EnteredBy)}" };
            if (work.Exit is { } exit) reasons.Add(Predicate(exit));
            var taken = work.Steps.Select(s => Taken(s.Step)).ToList();
            reasons.AddRange(work.Steps.Select((s, i) => $"(NOT {taken[i]} AND {Predicate(s.Bound)})"));
            reasons.Add(taken.Count == 0 ? "1 = 1" : string.Join(" AND ", taken));
            return $"({dialect.Unindexed("i.journey")} = {Value(work.Journey)} AND (\n    {string.Join("\n    OR ", reasons)}))";
        }

        private string Taken(string step) => dialect.StepTaken(Value(step));

        /// <summary>A bound as a condition on an instance <c>i</c>: its entry time, or its customer in the bound's set.</summary>
        private string Predicate(AudienceBound bound) => bound switch
        {
            AudienceBound.AllOf all => "(" + string.Join(" AND ", all.Parts.Select(Predicate)) + ")",
            AudienceBound.AnyOf any => "(" + string.Join(" OR ", any.Parts.Select(Predicate)) + ")",
            AudienceBound.EnteredAtOrBefore entered => $"i.entered_at <= {Value(entered.At)}",
            AudienceBound.EveryoneBound => "1 = 1",
            _ => $"i.customer_id IN ({Sql(Bound(bound))})",
        };

        private IdSet Bound(AudienceBound bound) => bound switch
        {
            AudienceBound.AllOf all => Intersect([.. all.Parts.Select(Bound)]),
            AudienceBound.AnyOf any => new QuerySet(Combine("UNION", [.. any.Parts.Select(part => Sql(Bound(part)))])),
            AudienceBound.OrderCountAtLeast orders => Stats($"order_count >= {Value(orders.Count)}"),
            AudienceBound.LastOrderAtOrBefore last => Stats($"last_order_at <= {Value(last.At)}"),
            AudienceBound.PointsExpiringBetween points => new QuerySet(
                $"SELECT customer_id AS id FROM points_ledger WHERE customer_id BETWEEN @lo AND @hi AND points > 0 AND {Expiring(points.After, points.Before)}"),
            AudienceBound.CouponExpiringBetween coupon => new QuerySet(
                $"SELECT customer_id AS id FROM coupon_codes WHERE customer_id BETWEEN @lo AND @hi AND redeemed_at IS NULL AND {Expiring(coupon.After, coupon.Before)}"
                + (coupon.IssuedBy is { } by ? $" AND issued_at <= {Value(by)}" : "")),
            AudienceBound.BirthdayOn birthday =>
                new RowsSet("customers", "id", [$"substr(birthday, 6, 5) IN ({string.Join(", ", birthday.MonthDays.Select(d => Value(d)))})"]),
            AudienceBound.InTier => new RowsSet("customer_tiers", "customer_id", ["tier <> ''"]),
            // An audience has no instance yet: time in the journey leaves everyone in (only Predicate reads it).
            AudienceBound.EnteredAtOrBefore or AudienceBound.EveryoneBound => new RowsSet("customers", "id", []),
            _ => throw new ArgumentOutOfRangeException(nameof(bound), bound, "A bound storage cannot select by."),
        };

        private string Expiring(DateTimeOffset after, DateTimeOffset? before) =>
            $"expires_at > {Value(after)}" + (before is { } b ? $" AND expires_at < {Value(b)}" : "");

        private static RowsSet Stats(string condition) => new("customer_stats", "customer_id", [condition]);

        /// <summary>
        /// The customers in every set. A customer has at most one row in a <see cref="RowsSet"/>'s table, so the
        /// sets of one table are one scan of it with their conditions joined: a win-back audience (orders, and the
        /// last one long ago) or a birthday in a zone read each page's rows once, not once a condition.
        /// </summary>
        private IdSet Intersect(IReadOnlyList<IdSet> sets)
        {
            var merged = new List<IdSet>();
            foreach (var set in sets)
            {
                var same = set is RowsSet rows ? merged.FindIndex(m => m is RowsSet other && other.Table == rows.Table) : -1;
                if (same < 0)
                {
                    merged.Add(set);
                    continue;
                }
                var (into, from) = ((RowsSet)merged[same], (RowsSet)set);
                merged[same] = into with { Conditions = [.. into.Conditions, .. from.Conditions] };
            }
            return merged.Count == 1 ? merged[0] : new QuerySet(Combine("INTERSECT", [.. merged.Select(Sql)]));
        }

        private static string Sql(IdSet set) => set switch
        {
            QuerySet query => query.Sql,
            RowsSet rows => $"SELECT {(rows.Key == "id" ? "id" : $"{rows.Key} AS id")} FROM {rows.Table} WHERE {rows.Key} BETWEEN @lo AND @hi"
                + string.Concat(rows.Conditions.Select(c => " AND " + c)),
            _ => throw new ArgumentOutOfRangeException(nameof(set)),
        };

        private string Combine(string operation, IReadOnlyList<string> sets)
        {
            if (sets.Count == 1) return sets[0];
            var sql = new StringBuilder();
            foreach (var set in sets)
            {
                if (sql.Length > 0) sql.Append('\n').Append(operation).Append('\n');
                sql.Append("SELECT id FROM (").Append(set).Append(") AS s").Append(_names++);
            }
            return sql.ToString();
        }

        private string Value(object value)
        {
            var name = $"b{_names++}";
            p.Add(name, value);
            return "@" + name;
        }
    }

    /// <summary>Customers of the page's range, as a query of one column <c>id</c>.</summary>
    private abstract record IdSet;

    /// <summary>Any such query.</summary>
    private sealed record QuerySet(string Sql) : IdSet;

    /// <summary>The range's rows of a table holding at most one row a customer (keyed by <paramref name="Key"/>) that meet every condition.</summary>
    private sealed record RowsSet(string Table, string Key, IReadOnlyList<string> Conditions) : IdSet;
}
