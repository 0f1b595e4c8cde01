using System.Globalization;
using Automation.Core.Analytics;
using Microsoft.AspNetCore.Html;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>The analytics page's loyalty charts, each ready to write with <c>@</c> in a Razor page.</summary>
/// <param name="ReturningShare">Returning customers' share of orders and revenue, against the configured target.</param>
/// <param name="Points">Points earned, redeemed and expired in the period; the liability and redemption rates in the caption and table.</param>
/// <param name="RepurchaseByTier">Repurchase rate per tier held when each customer's window opened.</param>
/// <param name="RepurchaseByMembership">Repurchase rate of returning members and non-members.</param>
public sealed record LoyaltyCharts(IHtmlContent ReturningShare, IHtmlContent Points, IHtmlContent RepurchaseByTier, IHtmlContent RepurchaseByMembership)
{
    /// <summary>The charts of the loyalty report and the repurchase report grouped by tier and by membership; see docs/analytics.md.</summary>
    public static LoyaltyCharts From(LoyaltyReport loyalty, RepurchaseReport byTier, RepurchaseReport byMembership) => new(
        ReturningShareChart(loyalty), PointsChart(loyalty.Points), GroupRates(byTier, "repurchase-by-tier", "Repurchase rate by tier at the start of the window",
            "Share of the window's customers who ordered again within {0} days of their first order in it, grouped by the tier they held just before that order (not their tier today, which the repurchases themselves help earn)."),
        GroupRates(byMembership, "repurchase-by-membership", "Repurchase rate of members and non-members",
            "Returning customers only, as members (a tier above the base tier just before their first order in the window) and non-members; share who ordered again within {0} days."));

    private static IHtmlContent ReturningShareChart(LoyaltyReport l)
    {
        var r = l.Returning;
        var caption = new ChartCaption("returning-share", "Returning customers' share of sales",
            Invariant($"Share of the period's {r.Orders:N0} orders and {r.Revenue:N2} revenue that came from customers who had ordered before{(r.Target is { } t ? $"; the dashed line is the target of {ChartNumbers.Format(t, ValueFormat.Percent)}" : "")}."));
        return BarChart.Render(caption, r.Orders == 0 ? [] : [new Bar("Orders", r.OrderShare), new Bar("Revenue", r.RevenueShare)], ValueFormat.Percent,
            "Measure", "Returning share", r.Target is { } target ? new ReferenceLine("Target", target) : null);
    }

    private static IHtmlContent PointsChart(PointsLiability p)
    {
        var caption = new ChartCaption("points-liability", "Points: liability and movements",
            Invariant($"{p.Outstanding:N0} points outstanding at {p.At:yyyy-MM-dd HH:mm} UTC, worth {p.Liability:N2} at {p.PointValue} per point. In the period: redeemed / earned {ChartNumbers.Format(p.RedemptionRate, ValueFormat.Percent)}; {p.Redeemers:N0} of {p.Members:N0} members have ever redeemed ({ChartNumbers.Format(p.RedeemerShare, ValueFormat.Percent)})."));
        return BarChart.Render(caption, p.Earned == 0 && p.Redeemed == 0 && p.Expired == 0 && p.Outstanding == 0 ? [] :
            [new Bar("Outstanding", p.Outstanding), new Bar("Earned", p.Earned), new Bar("Redeemed", p.Redeemed), new Bar("Expired", p.Expired)],
            ValueFormat.Count, "Points", "Points");
    }

    private static IHtmlContent GroupRates(RepurchaseReport r, string id, string title, string description) => BarChart.Render(
        new ChartCaption(id, title, string.Format(CultureInfo.InvariantCulture, description, r.WithinDays)),
        [.. r.Groups.Select(g => new Bar(Invariant($"{g.Name} ({g.Customers:N0})"), g.Rate))], ValueFormat.Percent, "Group (customers)", "Repurchase rate");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
