using Automation.Core.Analytics;
using Automation.Core.Coupons;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// Coupon codes outside journeys: the shop's codes imported, and the coupon report's sums.
public abstract partial class AutomationStorage : ICouponStore
{
    public async Task<CouponImport> ImportCodesAsync(string campaign, IReadOnlyCollection<string> codes, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // In one order, so two imports sharing codes insert them in the same order: on PostgreSQL the later waits for
        // the earlier's commit on the first shared code and then finds them all taken, instead of each waiting for a
        // code the other holds (a deadlock).
        var distinct = codes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in distinct.Chunk(Dialect.RowsPerStatement))
        {
            var parameters = new DynamicParameters();
            var values = SqlLists.Values(chunk, code => [code, campaign, at], parameters);
            // The unique code is the claim: a code another import inserts at the same time is added by one of them only.
            added.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                $"INSERT INTO coupon_codes (code, campaign, imported_at) VALUES {values} ON CONFLICT (code) DO NOTHING RETURNING code",
                parameters, transaction, cancellationToken: cancellationToken)));
        }
        var existing = new List<ExistingCode>();
        var before = distinct.Where(c => !added.Contains(c)).ToList();
        if (before.Count > 0)
        {
            var parameters = new DynamicParameters();
            var rows = await connection.QueryAsync<ExistingCodeRow>(new CommandDefinition(
                $"SELECT code, campaign FROM coupon_codes WHERE code {Dialect.InList("codes", before, parameters)}", parameters, transaction, cancellationToken: cancellationToken));
            existing.AddRange(rows.Select(r => new ExistingCode(r.Code, r.Campaign)).OrderBy(e => e.Code, StringComparer.Ordinal));
        }
        await transaction.CommitAsync(cancellationToken);
        return new CouponImport(campaign, codes.Count, added.Count, existing);
    }

    public async Task<CouponReportFigures> LoadCouponsAsync(CouponReportQuery query, CancellationToken cancellationToken)
    {
        var window = new { from = query.From, to = query.To };
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // Codes issued in the window, and of those the ones redeemed with their orders' totals and discounts: the
        // rate is of one set of codes, so it stays within 0 to 1 whatever the window.
        var issued = await connection.QueryAsync<CampaignCountRow>(new CommandDefinition("""
            SELECT campaign,
                   SUM(CASE WHEN customer_id IS NOT NULL AND issued_at >= @from AND issued_at < @to THEN 1 ELSE 0 END) AS issued,
                   SUM(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) AS codes_left
            FROM coupon_codes GROUP BY campaign
            """, window, cancellationToken: cancellationToken));
        var redeemed = await connection.QueryAsync<RedeemedRow>(new CommandDefinition("""
            SELECT c.campaign, COUNT(*) AS redeemed, SUM(r.total) AS revenue, SUM(r.discount) AS cost
            FROM coupon_redemptions r JOIN coupon_codes c ON c.code = r.code
            WHERE r.outcome = 'redeemed' AND c.issued_at >= @from AND c.issued_at < @to
            GROUP BY c.campaign
            """, window, cancellationToken: cancellationToken));
        // Refused attempts count by the order's time: an unknown code has no campaign and no issue time.
        var refused = await connection.QueryAsync<RefusedRow>(new CommandDefinition("""
            SELECT campaign, outcome, COUNT(*) AS attempts FROM coupon_redemptions
            WHERE outcome <> 'redeemed' AND at >= @from AND at < @to
            GROUP BY campaign, outcome
            """, window, cancellationToken: cancellationToken));
        var everIssued = (await connection.QueryAsync<CampaignCountRow>(new CommandDefinition(
            "SELECT campaign, issued FROM coupon_campaign_counts", cancellationToken: cancellationToken))).ToDictionary(r => r.Campaign, r => r.Issued, StringComparer.Ordinal);

        var counts = issued.ToDictionary(r => r.Campaign, StringComparer.Ordinal);
        var redemptions = redeemed.ToDictionary(r => r.Campaign, StringComparer.Ordinal);
        var attempts = refused.Where(r => r.Campaign is not null).ToLookup(r => r.Campaign!, StringComparer.Ordinal);
        long Refused(string campaign, CouponRedemptionOutcome outcome) =>
            attempts[campaign].Where(r => r.Outcome == CouponRedemptionOutcomes.Text(outcome)).Sum(r => r.Attempts);
        var campaigns = counts.Keys.Union(everIssued.Keys).Union(attempts.Select(g => g.Key)).Order(StringComparer.Ordinal)
            .Select(name => new CouponFigures(name, counts.GetValueOrDefault(name)?.Issued ?? 0,
                redemptions.GetValueOrDefault(name)?.Redeemed ?? 0, redemptions.GetValueOrDefault(name)?.Revenue ?? 0, redemptions.GetValueOrDefault(name)?.Cost ?? 0,
                Refused(name, CouponRedemptionOutcome.Expired), Refused(name, CouponRedemptionOutcome.AlreadyRedeemed),
                counts.GetValueOrDefault(name)?.CodesLeft ?? 0, everIssued.GetValueOrDefault(name)))
            .ToList();
        return new CouponReportFigures(campaigns, refused.Where(r => r.Campaign is null).Sum(r => r.Attempts));
    }

    private sealed class ExistingCodeRow
    {
        public string Code { get; set; } = "";
        public string Campaign { get; set; } = "";
    }

    private sealed class CampaignCountRow
    {
        public string Campaign { get; set; } = "";
        public long Issued { get; set; }
        public long CodesLeft { get; set; }
    }

    private sealed class RedeemedRow
    {
        public string Campaign { get; set; } = "";
        public long Redeemed { get; set; }
        public decimal Revenue { get; set; }
        public decimal Cost { get; set; }
    }

    private sealed class RefusedRow
    {
        public string? Campaign { get; set; }
        public string Outcome { get; set; } = "";
        public long Attempts { get; set; }
    }
}
