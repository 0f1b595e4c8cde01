using System.Globalization;
using Automation.Core.Analytics;

namespace Automation.Server.Cli;

/// <summary>The loyalty report as <c>automation report</c> prints it: returning customers' share and the points programme.</summary>
internal static class LoyaltyTables
{
    public static void Write(TextWriter output, LoyaltyReport report)
    {
        var r = report.Returning;
        var target = r.Target is { } t ? $"target {Percent(t)} or more" : "no target set (Analytics:ReturningShareTarget)";
        output.WriteLine($"Returning customers' share: orders completed {Day(report.From)} to {Day(report.To)} (exclusive) by customers who had ordered before; {target}");
        ReportCommand.WriteTable(output, [["measure", "returning", "all", "share"],
            ["orders", Count(r.ReturningOrders), Count(r.Orders), Percent(r.OrderShare)],
            ["revenue", Money(r.ReturningRevenue), Money(r.Revenue), Percent(r.RevenueShare)]]);

        var p = report.Points;
        output.WriteLine();
        output.WriteLine($"Points: liability at {p.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z, movements in the period");
        ReportCommand.WriteTable(output, [["measure", "value"],
            ["outstanding points", Count(p.Outstanding)],
            ["value per point", p.PointValue.ToString("0.####", CultureInfo.InvariantCulture)],
            ["liability", Money(p.Liability)],
            ["earned (net of reversals)", Count(p.Earned)],
            ["redeemed (net of cancellations)", Count(p.Redeemed)],
            ["expired", Count(p.Expired)],
            ["redemption rate (redeemed / earned)", Percent(p.RedemptionRate)],
            ["members who ever redeemed", $"{Count(p.Redeemers)} of {Count(p.Members)} ({Percent(p.RedeemerShare)})"]]);
    }

    private static string Day(DateTimeOffset t) => t.ToString(t.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Money(decimal x) => x.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Percent(double? x) => x is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";
}
