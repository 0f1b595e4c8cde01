using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Automation.Core.Analytics;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Server.Analytics;
using Automation.Storage;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation report [--from D] [--to D] [--segment S] [--within N] [--attribution-days N] [--journey J] [--json]</c>:
/// the repurchase and attribution reports of the configured database as tables, or with <c>--json</c> as
/// <c>{ "repurchase": …, "attribution": … }</c>, each the document the metrics API answers.
/// </summary>
internal static class ReportCommand
{
    private const string Usage = "Usage: automation report [--from 2026-01-01] [--to 2026-07-01] [--segment new|returning|tier|tag] [--within 90] [--attribution-days 7] [--journey NAME] [--json]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, TimeProvider clock)
    {
        var json = args.Contains("--json");
        var builder = Host.CreateApplicationBuilder([.. args.Where(a => a != "--json")]);
        builder.Services.AddSingleton(clock);
        builder.Services.AddAutomationStorage();
        var config = builder.Configuration;
        var now = clock.GetUtcNow();
        FieldError?[] checks =
        [
            ReportParameters.Window(config["from"], config["to"], now, "--", out var from, out var to),
            ReportParameters.Segment(config["segment"], "--segment", out var segment),
            ReportParameters.Days(config["within"], ReportParameters.DefaultRepurchaseDays, "--within", out var within),
            ReportParameters.Days(config["attribution-days"], ReportParameters.DefaultAttributionDays, "--attribution-days", out var attributionDays),
        ];
        if (checks.OfType<FieldError>().ToList() is { Count: > 0 } problems)
        {
            foreach (var problem in problems) errors.WriteLine($"error: {problem}");
            errors.WriteLine(Usage);
            return 2;
        }

        using var host = builder.Build();
        var store = host.Services.GetRequiredService<IAnalyticsStore>();
        RepurchaseReport repurchase;
        AttributionReport attribution;
        try
        {
            repurchase = await AnalyticsReports.RepurchaseAsync(store, new RepurchaseQuery(from, to, within, segment, ReportParameters.NoTierGroup, now), CancellationToken.None);
            attribution = await AnalyticsReports.AttributionAsync(store,
                new AttributionQuery(from, to, attributionDays, string.IsNullOrWhiteSpace(config["journey"]) ? null : config["journey"]), CancellationToken.None);
        }
        catch (DbException e) when (!TransientFailures.IsTransient(e))
        {
            // A report only reads, so it never migrates: a database without the tables is most likely a wrong path.
            errors.WriteLine($"error: the reports cannot be read ({e.Message}). Check Storage:ConnectionString, or run `automation migrate` first.");
            return 1;
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { repurchase, attribution }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            return 0;
        }
        WriteRepurchase(output, repurchase);
        output.WriteLine();
        WriteAttribution(output, attribution);
        return 0;
    }

    private static void WriteRepurchase(TextWriter output, RepurchaseReport r)
    {
        output.WriteLine($"Repurchase: anchor orders {Day(r.From)} to {Day(r.To)} (exclusive), again within {r.WithinDays} days, as of {r.AsOf.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z");
        var groups = new List<string[]> { new[] { "group", "customers", "repurchased", "rate", "still open", "intervals", "median days", "mean days" } };
        foreach (var g in new[] { r.Overall with { Name = "new (headline)" } }.Concat(r.Groups))
            groups.Add([g.Name, Count(g.Customers), Count(g.Repurchased), Percent(g.Rate), Count(g.StillOpen), Count(g.Intervals), Number(g.MedianIntervalDays), Number(g.MeanIntervalDays)]);
        WriteTable(output, groups);

        var ages = r.Cohorts.Count == 0 ? 0 : r.Cohorts.Max(c => c.Retention.Count);
        output.WriteLine();
        output.WriteLine("Cohort retention: share of each first-order month who ordered k months later");
        WriteTable(output, [["month", "customers", .. Enumerable.Range(0, ages).Select(k => k.ToString(CultureInfo.InvariantCulture))],
            .. r.Cohorts.Select(c => (string[])[c.Month, Count(c.Customers), .. Enumerable.Range(0, ages).Select(k => k < c.Retention.Count ? Percent(c.Retention[k]) : "")])]);

        output.WriteLine();
        output.WriteLine("Revenue per customer, cumulative to month k (historical LTV), and predicted first-year LTV");
        WriteTable(output, [["month", "customers", .. Enumerable.Range(0, ages).Select(k => k.ToString(CultureInfo.InvariantCulture)), "predicted"],
            .. r.Cohorts.Select(c => (string[])[c.Month, Count(c.Customers),
                .. Enumerable.Range(0, ages).Select(k => k < c.RevenuePerCustomer.Count ? Money(c.RevenuePerCustomer[k]) : ""), Money(c.PredictedLtv.Value)])]);
        var p = r.PredictedLtv;
        output.WriteLine();
        output.WriteLine($"Predicted first-year LTV of the window's new customers: {Money(p.Value)} (average order {Money(p.AverageOrderValue)}, {Number(p.RepeatOrdersPerYear)} repeat orders a year)");
        output.WriteLine($"Model: {r.LtvModel}");
    }

    private static void WriteAttribution(TextWriter output, AttributionReport a)
    {
        output.WriteLine($"Attribution: messages sent {Day(a.From)} to {Day(a.To)} (exclusive), orders within {a.WithinDays} days, last touch{(a.Journey is null ? "" : $", journey {a.Journey}")}");
        var rows = new List<string[]> { new[] { "journey", "step", "variant", "messages", "conversions", "rate", "revenue", "lift (points)", "95% CI", "relative" } };
        foreach (var step in a.Steps)
        {
            foreach (var v in step.Variants)
            {
                var lift = v.Lift is { } l
                    ? new[] { Points(l.Difference), $"{Points(l.Low)} to {Points(l.High)}", Percent(l.Relative, signed: true) }
                    : new[] { step.Holdout is null ? "no holdout" : "-", "", "" };
                rows.Add([step.Journey, step.Step, v.Variant ?? "-", Count(v.Results.Messages), Count(v.Results.Conversions), Percent(v.Results.ConversionRate), Money(v.Results.Revenue), .. lift]);
            }
            if (step.Holdout is { } h)
                rows.Add([step.Journey, step.Step, Core.Messaging.Variants.Holdout, Count(h.Messages), Count(h.Conversions), Percent(h.ConversionRate), Money(h.Revenue), "", "", ""]);
        }
        if (rows.Count == 1) output.WriteLine("(no messages sent in the window)");
        else WriteTable(output, rows);
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows.Max(r => r.Length)).Select(i => rows.Max(r => i < r.Length ? r[i].Length : 0)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0) line.Append("  ");
                // Names left, numbers right.
                line.Append(i == 0 || (i < 3 && rows[0][i] is "step" or "variant") ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
            }
            output.WriteLine(line.ToString().TrimEnd());
        }
    }

    private static string Day(DateTimeOffset t) => t.TimeOfDay == TimeSpan.Zero
        ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Number(double? x) => x is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Money(decimal? x) => x is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Points(double x) => (x * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);

    private static string Percent(double? x, bool signed = false) =>
        x is { } v ? (v * 100).ToString(signed ? "+0.0;-0.0;0.0" : "0.0", CultureInfo.InvariantCulture) + "%" : "-";
}
