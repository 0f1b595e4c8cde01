using Automation.Core.Coupons;

namespace Automation.Tests.Support;

// Coupon codes, with the rules of WriteTransaction.Coupons.cs: one writer at a time here, so the claims need no locks.
internal sealed partial class InMemoryTransaction
{
    public Task<IReadOnlyList<CouponIssue>> IssueCouponsAsync(IReadOnlyList<CouponIssueRequest> requests, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<CouponIssue>>([.. requests.Select(Issue)]);

    private CouponIssue Issue(CouponIssueRequest request)
    {
        var campaign = request.Campaign;
        if (_tables.CouponCodes.Values.FirstOrDefault(c => c.IssueKey == request.IssueKey)?.Coupon is { } earlier) return CouponIssue.Issued(earlier);
        if (campaign.Validity.Closed(request.At) is { } closed) return CouponIssue.Refused(closed);
        var issued = _tables.CouponCampaignCounts.GetValueOrDefault(campaign.Name);
        if (issued >= (campaign.Budget ?? int.MaxValue)) return CouponIssue.Refused($"the campaign's budget of {campaign.Budget} codes is spent");
        var held = _tables.CouponHoldings.GetValueOrDefault((campaign.Name, request.CustomerId));
        if (held >= (campaign.PerCustomer ?? int.MaxValue))
            return CouponIssue.Refused($"the customer already holds {campaign.PerCustomer} code(s) of the campaign, its limit per customer");

        string? code;
        if (campaign.Generated is { } format)
        {
            do code = CouponCodes.Generate(format);
            while (_tables.CouponCodes.ContainsKey(code));
        }
        else
        {
            code = _tables.CouponCodes.Values.Where(c => c.Campaign == campaign.Name && c.CustomerId is null).Select(c => c.Code).Order(StringComparer.Ordinal).FirstOrDefault();
            if (code is null) return CouponIssue.Refused("the campaign has no imported codes left to issue");
        }
        var coupon = new IssuedCoupon(campaign.Name, code, request.Value, campaign.MinimumSpend, request.At, campaign.Validity.ExpiresAt(request.At));
        _tables = _tables with
        {
            CouponCodes = _tables.CouponCodes.SetItem(code, new CouponCodeRow(code, campaign.Name, request.CustomerId, request.IssueKey, coupon)),
            CouponCampaignCounts = _tables.CouponCampaignCounts.SetItem(campaign.Name, issued + 1),
            CouponHoldings = _tables.CouponHoldings.SetItem((campaign.Name, request.CustomerId), held + 1),
        };
        return CouponIssue.Issued(coupon);
    }

    public Task<CouponRedemptionOutcome> RedeemCouponAsync(CouponRedemption redemption, CancellationToken cancellationToken)
    {
        if (_tables.CouponRedemptions.TryGetValue(redemption.OrderId, out var recorded)) return Done(recorded);
        var row = _tables.CouponCodes.GetValueOrDefault(redemption.Code) is { CustomerId: not null } issued ? issued : null;
        var outcome = row switch
        {
            null => CouponRedemptionOutcome.Unknown,
            { RedeemedAt: not null } => CouponRedemptionOutcome.AlreadyRedeemed,
            { Coupon.ExpiresAt: { } expires } when expires <= redemption.At => CouponRedemptionOutcome.Expired,
            _ => CouponRedemptionOutcome.Redeemed,
        };
        var codes = outcome == CouponRedemptionOutcome.Redeemed
            ? _tables.CouponCodes.SetItem(row!.Code, row with { RedeemedAt = redemption.At, OrderId = redemption.OrderId })
            : _tables.CouponCodes;
        _tables = _tables with { CouponCodes = codes, CouponRedemptions = _tables.CouponRedemptions.SetItem(redemption.OrderId, outcome) };
        return Done(outcome);
    }
}
