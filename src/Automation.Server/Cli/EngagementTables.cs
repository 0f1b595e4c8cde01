using System.Globalization;
using Automation.Core.Analytics;
using Automation.Server.Analytics;

namespace Automation.Server.Cli;

/// <summary>
/// The attribution report's email engagement as <c>automation report</c> prints it: per step and variant that sent
/// email, delivered, and unique opens and clicks by readers with their rates, or "tracking off".
/// </summary>
internal static class EngagementTables
{
    public static void Write(TextWriter output, AttributionReport report)
    {
        List<string[]> rows = [["journey", "step", "variant", "delivered", "opened", "open rate", "clicked", "click rate", "click-to-open"]];
        foreach (var step in report.Steps)
        {
            foreach (var v in step.Variants)
            {
                if (v.Email is not { } e) continue;
                rows.Add([step.Journey, step.Step, v.Variant ?? "-", Count(e.Sent), Count(e.UniqueOpens), EngagementText.OpenRate(e, Percent),
                    Count(e.UniqueClicks), EngagementText.ClickRate(e, Percent), EngagementText.ClickToOpenRate(e, Percent)]);
            }
        }
        if (rows.Count == 1) return;
        output.WriteLine();
        output.WriteLine("Email engagement: the same emails' unique opens and clicks by readers (machine opens and clicks left out)");
        ReportCommand.WriteTable(output, rows);
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(double? x) => x is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";
}
