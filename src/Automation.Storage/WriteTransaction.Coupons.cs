using Automation.Core.Coupons;
using Dapper;

namespace Automation.Storage;

// Coupon codes: issued inside journey work (and draws, teams, referrals), redeemed inside an ingest.
internal sealed partial class WriteTransaction
{
    private const int GeneratedCodeAttempts = 8;

    public async Task<IReadOnlyList<CouponIssue>> IssueCouponsAsync(IReadOnlyList<CouponIssueRequest> requests, CancellationToken cancellationToken)
    {
        var results = new CouponIssue?[requests.Count];
        var earlier = await IssuedAsync([.. requests.Select(r => r.IssueKey)], cancellationToken);
        var alone = new List<int>();
        // Campaign by campaign in name order, as every transaction claims them: two ingest lanes issuing the same two
        // campaigns in their own orders each held one counter and waited for the other's (a deadlock, seen in CI).
        foreach (var group in Enumerable.Range(0, requests.Count).GroupBy(i => requests[i].Campaign.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var together = new List<int>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var customers = new HashSet<long>();
            foreach (var i in group)
            {
                var request = requests[i];
                if (earlier.TryGetValue(request.IssueKey, out var coupon)) results[i] = CouponIssue.Issued(coupon);
                // A key or a customer twice in one claim would be counted twice (and PostgreSQL refuses one upsert
                // touching a row twice): the repeats are issued one by one after the others.
                else if (request.Campaign.Generated is not null && keys.Add(request.IssueKey) && customers.Add(request.CustomerId)) together.Add(i);
                else alone.Add(i);
            }
            if (together.Count > 0 && !await IssueTogetherAsync(requests, together, keys.Count, results, cancellationToken)) alone.AddRange(together);
        }
        foreach (var i in alone.OrderBy(i => requests[i].Campaign.Name, StringComparer.Ordinal).ThenBy(i => i)) results[i] = await IssueCouponAsync(requests[i], cancellationToken);
        return results!;
    }

    /// <summary>
    /// Issues generated codes of one campaign to distinct customers under distinct keys in a few statements whatever
    /// their number: the budget for all of them in one claim, the customers' limits in one multi-row claim, the codes in
    /// one insert. False, with nothing claimed, when the budget cannot cover every new key of the campaign's requests
    /// (<paramref name="demand"/>, repeats included): then all are issued one by one, so the budget's last codes go in
    /// request order. When it can, every request gets its share of the budget and the order cannot matter.
    /// </summary>
    private async Task<bool> IssueTogetherAsync(IReadOnlyList<CouponIssueRequest> requests, List<int> together, int demand, CouponIssue?[] results, CancellationToken cancellationToken)
    {
        var campaign = requests[together[0]].Campaign;
        var at = requests[together[0]].At;
        if (campaign.Validity.Closed(at) is { } closed)
        {
            foreach (var i in together) results[i] = CouponIssue.Refused(closed);
            return true;
        }
        var name = campaign.Name;
        if (await connection.ExecuteScalarAsync<int?>(Command("""
                INSERT INTO coupon_campaign_counts (campaign, issued) SELECT @name, @count WHERE @demand <= @limit
                ON CONFLICT (campaign) DO UPDATE SET issued = coupon_campaign_counts.issued + @count WHERE coupon_campaign_counts.issued + @demand <= @limit
                RETURNING issued
                """, new { name, count = together.Count, demand, limit = campaign.Budget ?? int.MaxValue }, cancellationToken)) is null)
            return false;

        var unclaimed = 0;
        // The claim waited for any concurrent issue of the campaign to end: codes under these keys are visible now.
        var concurrent = await IssuedAsync([.. together.Select(i => requests[i].IssueKey)], cancellationToken);
        var claiming = new List<int>();
        foreach (var i in together)
        {
            if (concurrent.TryGetValue(requests[i].IssueKey, out var coupon)) (results[i], unclaimed) = (CouponIssue.Issued(coupon), unclaimed + 1);
            else claiming.Add(i);
        }
        var held = new HashSet<long>();
        // In customer order, so two transactions holding some of the same customers lock their rows in one order.
        foreach (var chunk in claiming.OrderBy(i => requests[i].CustomerId).Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters(new { limit = campaign.PerCustomer ?? int.MaxValue });
            var values = SqlLists.Values(chunk, i => [name, requests[i].CustomerId, 1], p);
            held.UnionWith(await connection.QueryAsync<long>(Command($"""
                INSERT INTO coupon_holdings (campaign, customer_id, issued) VALUES {values}
                ON CONFLICT (campaign, customer_id) DO UPDATE SET issued = coupon_holdings.issued + 1 WHERE coupon_holdings.issued < @limit
                RETURNING customer_id
                """, p, cancellationToken)));
        }
        var inserting = new List<(int Index, string Code, IssuedCoupon Coupon)>();
        foreach (var i in claiming)
        {
            var request = requests[i];
            if (held.Contains(request.CustomerId))
                inserting.Add((i, CouponCodes.Generate(campaign.Generated!), new IssuedCoupon(name, "", request.Value, campaign.MinimumSpend, request.At, campaign.Validity.ExpiresAt(request.At))));
            else
            {
                results[i] = CouponIssue.Refused($"the customer already holds {campaign.PerCustomer} code(s) of the campaign, its limit per customer");
                unclaimed++;
            }
        }
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in inserting.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, row => [row.Code, name, requests[row.Index].CustomerId, requests[row.Index].IssueKey, row.Coupon.Value.Kind.ToString(),
                row.Coupon.Value.Amount, row.Coupon.Value.Currency, row.Coupon.MinimumSpend, row.Coupon.IssuedAt, row.Coupon.ExpiresAt], p);
            inserted.UnionWith(await connection.QueryAsync<string>(Command($"""
                INSERT INTO coupon_codes (code, campaign, customer_id, issue_key, kind, amount, currency, minimum_spend, issued_at, expires_at)
                VALUES {values}
                ON CONFLICT DO NOTHING
                RETURNING code
                """, p, cancellationToken)));
        }
        foreach (var (i, code, coupon) in inserting)
        {
            if (inserted.Contains(code))
            {
                results[i] = CouponIssue.Issued(coupon with { Code = code });
                continue;
            }
            // Once in an age a drawn code exists already, or the key was issued meanwhile: as one issue does.
            var request = requests[i];
            if (await InsertGeneratedAsync(campaign.Generated!, coupon, request, cancellationToken) is { } drawn)
            {
                results[i] = CouponIssue.Issued(coupon with { Code = drawn });
                continue;
            }
            await ReleaseAsync(request, holding: true, cancellationToken);
            results[i] = (await IssuedAsync([request.IssueKey], cancellationToken)).TryGetValue(request.IssueKey, out var meanwhile)
                ? CouponIssue.Issued(meanwhile)
                : throw new InvalidOperationException($"Campaign {name}: the code for {request.IssueKey} was neither inserted nor found.");
        }
        if (unclaimed > 0)
            await connection.ExecuteAsync(Command("UPDATE coupon_campaign_counts SET issued = issued - @unclaimed WHERE campaign = @name", new { name, unclaimed }, cancellationToken));
        return true;
    }

    private async Task<CouponIssue> IssueCouponAsync(CouponIssueRequest request, CancellationToken cancellationToken)
    {
        if (await IssuedAsync(request.IssueKey, cancellationToken) is { } earlier) return CouponIssue.Issued(earlier);
        var campaign = request.Campaign;
        if (campaign.Validity.Closed(request.At) is { } closed) return CouponIssue.Refused(closed);

        // Each claim is a conditional upsert that answers no row when the limit is reached; on PostgreSQL it also holds
        // the counter's row until commit, so the claims of concurrent issues queue rather than overlap. A later refusal
        // gives back what was claimed before it, in the same transaction.
        if (!await ClaimAsync("coupon_campaign_counts (campaign, issued) VALUES (@campaign, 1) ON CONFLICT (campaign)", "coupon_campaign_counts",
                new { campaign = campaign.Name, limit = campaign.Budget ?? int.MaxValue }, cancellationToken))
            return CouponIssue.Refused($"the campaign's budget of {campaign.Budget} codes is spent");
        // The claim waited for any concurrent issue of the campaign to end: one with this key is visible now.
        if (await IssuedAsync(request.IssueKey, cancellationToken) is { } concurrent)
        {
            await ReleaseAsync(request, holding: false, cancellationToken);
            return CouponIssue.Issued(concurrent);
        }
        if (!await ClaimAsync("coupon_holdings (campaign, customer_id, issued) VALUES (@campaign, @customerId, 1) ON CONFLICT (campaign, customer_id)", "coupon_holdings",
                new { campaign = campaign.Name, customerId = request.CustomerId, limit = campaign.PerCustomer ?? int.MaxValue }, cancellationToken))
        {
            await ReleaseAsync(request, holding: false, cancellationToken);
            return CouponIssue.Refused($"the customer already holds {campaign.PerCustomer} code(s) of the campaign, its limit per customer");
        }

        var coupon = new IssuedCoupon(campaign.Name, "", request.Value, campaign.MinimumSpend, request.At, campaign.Validity.ExpiresAt(request.At));
        var code = campaign.Generated is { } format
            ? await InsertGeneratedAsync(format, coupon, request, cancellationToken)
            : await TakeImportedAsync(coupon, request, cancellationToken);
        if (code is null)
        {
            await ReleaseAsync(request, holding: true, cancellationToken);
            return await IssuedAsync(request.IssueKey, cancellationToken) is { } meanwhile
                ? CouponIssue.Issued(meanwhile)
                : CouponIssue.Refused("the campaign has no imported codes left to issue");
        }
        return CouponIssue.Issued(coupon with { Code = code });
    }

    private async Task<bool> ClaimAsync(string insert, string table, object parameters, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<int?>(Command($"""
            INSERT INTO {insert}
            DO UPDATE SET issued = {table}.issued + 1 WHERE {table}.issued < @limit
            RETURNING issued
            """, parameters, cancellationToken)) is not null;

    private async Task ReleaseAsync(CouponIssueRequest request, bool holding, CancellationToken cancellationToken)
    {
        var p = new { campaign = request.Campaign.Name, customerId = request.CustomerId };
        await connection.ExecuteAsync(Command("UPDATE coupon_campaign_counts SET issued = issued - 1 WHERE campaign = @campaign", p, cancellationToken));
        if (holding)
            await connection.ExecuteAsync(Command("UPDATE coupon_holdings SET issued = issued - 1 WHERE campaign = @campaign AND customer_id = @customerId", p, cancellationToken));
    }

    private async Task<string?> InsertGeneratedAsync(CouponCodeFormat format, IssuedCoupon coupon, CouponIssueRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < GeneratedCodeAttempts; attempt++)
        {
            var code = CouponCodes.Generate(format);
            // Nothing inserted: either the key was issued concurrently (the caller finds it) or, once in an age, the
            // code exists already and another is drawn.
            var inserted = await connection.ExecuteAsync(Command("""
                INSERT INTO coupon_codes (code, campaign, customer_id, issue_key, kind, amount, currency, minimum_spend, issued_at, expires_at)
                VALUES (@code, @Campaign, @customerId, @issueKey, @kind, @Amount, @Currency, @MinimumSpend, @IssuedAt, @ExpiresAt)
                ON CONFLICT DO NOTHING
                """, Parameters(code, coupon, request), cancellationToken));
            if (inserted > 0) return code;
            if (await connection.ExecuteScalarAsync<int>(Command("SELECT COUNT(*) FROM coupon_codes WHERE issue_key = @issueKey", new { issueKey = request.IssueKey }, cancellationToken)) > 0)
                return null;
        }
        throw new InvalidOperationException($"Campaign {coupon.Campaign}: {GeneratedCodeAttempts} generated codes in a row exist already; lengthen its codes.");
    }

    private Task<string?> TakeImportedAsync(IssuedCoupon coupon, CouponIssueRequest request, CancellationToken cancellationToken) =>
        // The claim lock skips codes another transaction is taking, so concurrent issues take different codes.
        connection.ExecuteScalarAsync<string?>(Command($"""
            UPDATE coupon_codes
            SET customer_id = @customerId, issue_key = @issueKey, kind = @kind, amount = @Amount, currency = @Currency,
                minimum_spend = @MinimumSpend, issued_at = @IssuedAt, expires_at = @ExpiresAt
            WHERE code = (SELECT code FROM coupon_codes WHERE campaign = @Campaign AND customer_id IS NULL ORDER BY code LIMIT 1 {dialect.ClaimLockClause})
              AND customer_id IS NULL
            RETURNING code
            """, Parameters(null, coupon, request), cancellationToken));

    private static DynamicParameters Parameters(string? code, IssuedCoupon coupon, CouponIssueRequest request)
    {
        var p = new DynamicParameters(new { code, coupon.Campaign, customerId = request.CustomerId, issueKey = request.IssueKey, kind = coupon.Value.Kind.ToString(),
            coupon.Value.Amount, coupon.Value.Currency, coupon.MinimumSpend, coupon.IssuedAt, coupon.ExpiresAt });
        return p;
    }

    private async Task<IssuedCoupon?> IssuedAsync(string issueKey, CancellationToken cancellationToken) =>
        (await IssuedAsync([issueKey], cancellationToken)).GetValueOrDefault(issueKey);

    /// <summary>The codes already issued under these keys, by key.</summary>
    private async Task<Dictionary<string, IssuedCoupon>> IssuedAsync(IReadOnlyList<string> issueKeys, CancellationToken cancellationToken)
    {
        var issued = new Dictionary<string, IssuedCoupon>(StringComparer.Ordinal);
        foreach (var chunk in issueKeys.Distinct(StringComparer.Ordinal).Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, key => [key], p);
            foreach (var row in await connection.QueryAsync<CouponRow>(Command($"SELECT {CouponRow.Columns}, issue_key FROM coupon_codes WHERE issue_key IN (VALUES {values})", p, cancellationToken)))
                issued[row.IssueKey!] = row.ToCoupon();
        }
        return issued;
    }

    public async Task<CouponRedemptionOutcome> RedeemCouponAsync(CouponRedemption redemption, CancellationToken cancellationToken)
    {
        var recorded = await connection.QuerySingleOrDefaultAsync<string>(Command("SELECT outcome FROM coupon_redemptions WHERE order_id = @OrderId", redemption, cancellationToken));
        if (recorded is not null) return CouponRedemptionOutcomes.Parse(recorded);

        // The update is the claim: of two orders naming one code at once, one redeems and the other finds it taken.
        var campaign = await connection.ExecuteScalarAsync<string?>(Command("""
            UPDATE coupon_codes SET redeemed_at = @At, order_id = @OrderId
            WHERE code = @Code AND customer_id IS NOT NULL AND redeemed_at IS NULL AND (expires_at IS NULL OR expires_at > @At)
            RETURNING campaign
            """, redemption, cancellationToken));
        var outcome = CouponRedemptionOutcome.Redeemed;
        if (campaign is null)
        {
            var code = await connection.QuerySingleOrDefaultAsync<CouponRow>(Command($"SELECT {CouponRow.Columns} FROM coupon_codes WHERE code = @Code AND customer_id IS NOT NULL",
                redemption, cancellationToken));
            campaign = code?.Campaign;
            outcome = code is null ? CouponRedemptionOutcome.Unknown
                : code.RedeemedAt is not null ? CouponRedemptionOutcome.AlreadyRedeemed
                : CouponRedemptionOutcome.Expired;
        }
        await connection.ExecuteAsync(Command("""
            INSERT INTO coupon_redemptions (order_id, code, customer_id, campaign, outcome, total, discount, currency, at)
            VALUES (@OrderId, @Code, @CustomerId, @campaign, @outcome, @Total, @Discount, @Currency, @At)
            ON CONFLICT (order_id) DO NOTHING
            """, new { redemption.OrderId, redemption.Code, redemption.CustomerId, campaign, outcome = CouponRedemptionOutcomes.Text(outcome),
                redemption.Total, redemption.Discount, redemption.Currency, redemption.At }, cancellationToken));
        return outcome;
    }
}
