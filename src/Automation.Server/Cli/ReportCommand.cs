using System.CommandLine;
using System.CommandLine.Parsing;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Automation.Core.Analytics;
using Automation.Core.Draws;
using Automation.Core.Ingestion;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Analytics;
using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Storage;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation report [--from D] [--to D] [--segment S] [--within N] [--attribution-days N] [--journey J] [--json]</c>:
/// the repurchase, loyalty, attribution, coupon and draw reports of the configured database as tables, or with <c>--json</c> as
/// <c>{ "repurchase": …, "loyalty": …, "attribution": …, "coupons": …, "draws": […] }</c>, each the document the metrics and draws APIs answer.
/// </summary>
internal static class ReportCommand
{
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The options as given: text, checked by the same <see cref="ReportParameters"/> as the metrics API's query.</summary>
    private sealed record Request(string? From, string? To, string? Segment, string? Within, string? AttributionDays, string? Journey, bool Json)
    {
        /// <summary>What is wrong with the options; when nothing, the queries they ask for.</summary>
        public FieldError[] Check(DateTimeOffset now, out RepurchaseQuery repurchase, out LoyaltyQuery loyalty, out AttributionQuery attribution, out CouponReportQuery coupons)
        {
            FieldError?[] checks =
            [
                ReportParameters.Window(From, To, now, "--", out var from, out var to),
                ReportParameters.Segment(Segment, "--segment", out var segment),
                ReportParameters.Days(Within, ReportParameters.DefaultRepurchaseDays, "--within", out var within),
                ReportParameters.Days(AttributionDays, ReportParameters.DefaultAttributionDays, "--attribution-days", out var attributionDays),
            ];
            // The base tier comes from rules/tiers.json, read when the command runs.
            repurchase = new RepurchaseQuery(from, to, within, segment, ReportParameters.NoTierGroup, now);
            loyalty = new LoyaltyQuery(from, to, now);
            attribution = new AttributionQuery(from, to, attributionDays, string.IsNullOrWhiteSpace(Journey) ? null : Journey);
            coupons = new CouponReportQuery(from, to);
            return [.. checks.OfType<FieldError>()];
        }
    }

    public static Command Create(TimeProvider clock)
    {
        Option<string> Text(string name, string helpName, string description) => new(name) { HelpName = helpName, Description = description };
        var from = Text("--from", "DATE", "the first day of the window, such as 2026-01-01 (default: a year before --to)");
        var to = Text("--to", "DATE", "the end of the window, exclusive (default: now)");
        var segment = Text("--segment", "new|returning|tier|tag|member", "how to group the repurchase report's customers");
        var within = Text("--within", "DAYS", $"a repurchase counts within this many days (default {ReportParameters.DefaultRepurchaseDays})");
        var attributionDays = Text("--attribution-days", "DAYS", $"an order counts for a message within this many days (default {ReportParameters.DefaultAttributionDays})");
        var journey = Text("--journey", "NAME", "attribution for one journey only");
        var json = new Option<bool>("--json") { Description = "print { \"repurchase\": …, \"loyalty\": …, \"attribution\": …, \"coupons\": …, \"draws\": […] }, each the document the metrics and draws APIs answer" };
        var command = new Command("report", "Print the repurchase, cohort, LTV, loyalty, attribution, coupon and lucky-draw reports of the configured database.")
        {
            from, to, segment, within, attributionDays, journey, json,
        }.ReadingSettings(folders: false);
        Request Read(SymbolResult r) => new(r.GetValue(from), r.GetValue(to), r.GetValue(segment), r.GetValue(within), r.GetValue(attributionDays), r.GetValue(journey), r.GetValue(json));
        command.Validators.Add(result =>
        {
            foreach (var problem in Read(result).Check(clock.GetUtcNow(), out _, out _, out _, out _)) result.AddError(problem.ToString());
        });
        command.SetAction((result, cancellation) => RunAsync(ServerSettings.Arguments(result), Read(result.CommandResult),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, clock, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string[] settings, Request request, TextWriter output, TextWriter errors, TimeProvider clock, CancellationToken cancellation)
    {
        request.Check(clock.GetUtcNow(), out var repurchaseQuery, out var loyaltyQuery, out var attributionQuery, out var couponQuery);
        var builder = Host.CreateApplicationBuilder(settings);
        using var files = JourneyFiles.From(builder.Configuration, builder.Environment.ContentRootPath, new QuartzCronSchedule());
        var campaigns = files.Coupons;
        var tiers = new TierCatalog();
        tiers.Reload(files.RulesFolder, JourneyFiles.TiersName);
        repurchaseQuery = repurchaseQuery with { BaseTier = ReportParameters.BaseTier(tiers) };
        var points = builder.Configuration.GetSection(PointsSettingsValidator.Section).Get<PointsSettings>() ?? new PointsSettings();
        var targets = builder.Configuration.GetSection(AnalyticsSettings.Section).Get<AnalyticsSettings>() ?? new AnalyticsSettings();
        if (AnalyticsSettingsValidator.Problem(targets) is { } badTarget)
        {
            errors.WriteLine($"error: {badTarget}");
            return 1;
        }
        builder.Services.AddSingleton(clock);
        builder.Services.AddAutomationStorage();

        using var host = builder.Build();
        var store = host.Services.GetRequiredService<IAnalyticsStore>();
        RepurchaseReport repurchase;
        LoyaltyReport loyalty;
        AttributionReport attribution;
        CouponReport coupons;
        IReadOnlyList<DrawReport> draws;
        try
        {
            repurchase = await AnalyticsReports.RepurchaseAsync(store, repurchaseQuery, cancellation);
            loyalty = await AnalyticsReports.LoyaltyAsync(store, loyaltyQuery, points.Value, targets.ReturningShareTarget, cancellation);
            attribution = await AnalyticsReports.AttributionAsync(store, attributionQuery, cancellation);
            coupons = await AnalyticsReports.CouponsAsync(store, couponQuery, campaigns, cancellation);
            draws = await DrawsAsync(files, host.Services.GetRequiredService<IDrawQueries>(), clock, cancellation);
        }
        catch (DbException e) when (!TransientFailures.IsTransient(e))
        {
            // A report only reads, so it never migrates: a database without the tables is most likely a wrong path.
            errors.WriteLine($"error: the reports cannot be read ({e.Message}). Check Storage:ConnectionString, or run `automation migrate` first.");
            return 1;
        }

        if (request.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { repurchase, loyalty, attribution, coupons, draws }, Indented));
            return 0;
        }
        WriteRepurchase(output, repurchase);
        output.WriteLine();
        LoyaltyTables.Write(output, loyalty);
        output.WriteLine();
        WriteAttribution(output, attribution);
        output.WriteLine();
        WriteCoupons(output, coupons);
        output.WriteLine();
        WriteDraws(output, draws);
        return 0;
    }

    /// <summary>Every draw of the rules folder that reads well (a command keeps no last good version) and every draw with entries recorded.</summary>
    private static async Task<IReadOnlyList<DrawReport>> DrawsAsync(JourneyFiles folders, IDrawQueries queries, TimeProvider clock, CancellationToken cancellation)
    {
        var catalog = new DrawCatalog();
        catalog.Reload(folders.RulesFolder, JourneyFiles.DrawsName, DrawReadContext.Unchecked);
        return DrawReport.Build(catalog.Draws, await queries.DrawTalliesAsync(null, cancellation), clock.GetUtcNow());
    }

    private static void WriteDraws(TextWriter output, IReadOnlyList<DrawReport> draws)
    {
        output.WriteLine("Lucky draws: entries, points spent and won, and prizes given against stock");
        if (draws.Count == 0)
        {
            output.WriteLine("(no draws in rules/draws/ and no entries recorded)");
            return;
        }
        WriteTable(output, [["draw", "open", "entry cost", "entries", "points spent", "points won"],
            .. draws.Select(d => (string[])[d.Draw, d.Open switch { true => "yes", false => "no", null => "file gone" }, d.EntryCost is { } c ? Count(c) : "-",
                Count(d.Entries), Count(d.PointsSpent), Count(d.PointsWon)])]);
        output.WriteLine();
        WriteTable(output, [["draw", "prize", "kind", "weight", "stock", "given", "left"],
            .. draws.SelectMany(d => d.Prizes.Select(p => (string[])[d.Draw, p.Prize, p.Kind ?? "(removed)", p.Weight is { } w ? Count(w) : "-",
                p.Stock is { } s ? Count(s) : "unlimited", Count(p.Given), p.Left is { } l ? Count(l) : "-"]))]);
    }

    private static void WriteRepurchase(TextWriter output, RepurchaseReport r)
    {
        output.WriteLine($"Repurchase: anchor orders {Day(r.From)} to {Day(r.To)} (exclusive), again within {r.WithinDays} days, as of {r.AsOf.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z");
        List<string[]> groups = [["group", "customers", "repurchased", "rate", "still open", "intervals", "median days", "mean days"]];
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
        WriteTable(output, [["month", "customers", .. Enumerable.Range(0, ages).Select(k => k.ToString(CultureInfo.InvariantCulture)), "months seen", "naive", "weight", "predicted"],
            .. r.Cohorts.Select(c => (string[])[c.Month, Count(c.Customers),
                .. Enumerable.Range(0, ages).Select(k => k < c.RevenuePerCustomer.Count ? Money(c.RevenuePerCustomer[k]) : ""),
                Number(c.PredictedLtv.MonthsObserved), Money(c.PredictedLtv.NaiveValue), Number(c.PredictedLtv.Weight), Money(c.PredictedLtv.Value)])]);
        var p = r.PredictedLtv;
        output.WriteLine();
        output.WriteLine($"Predicted first-year LTV of the window's new customers: {Money(p.Value)} (average order {Money(p.AverageOrderValue)}, {Number(p.RepeatOrdersPerYear)} repeat orders a year)");
        output.WriteLine($"Shrunk toward {(r.LtvPrior.Value is { } prior ? $"{Money(prior)} per customer, the first year of {r.LtvPrior.FullCohorts} full cohort(s) ({Count(r.LtvPrior.Customers)} customers, spread {Money(r.LtvPrior.Low)} to {Money(r.LtvPrior.High)})" : "nothing: no full-year cohort in the window, so the naive projections stand")}");
        output.WriteLine($"Model: {r.LtvModel}");
    }

    private static void WriteAttribution(TextWriter output, AttributionReport a)
    {
        output.WriteLine($"Attribution: messages sent {Day(a.From)} to {Day(a.To)} (exclusive), orders within {a.WithinDays} days, last touch{(a.Journey is null ? "" : $", journey {a.Journey}")}");
        List<string[]> rows = [["journey", "step", "variant", "messages", "conversions", "rate", "revenue", "lift (points)", "95% CI", "relative"]];
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
        EngagementTables.Write(output, a);
    }

    private static void WriteCoupons(TextWriter output, CouponReport c)
    {
        output.WriteLine($"Coupons: codes issued {Day(c.From)} to {Day(c.To)} (exclusive) and the orders that redeemed them; refused orders placed in the window");
        List<string[]> rows = [["campaign", "issued", "redeemed", "rate", "95% CI", "revenue", "cost", "codes left", "budget left", "expired", "already redeemed"]];
        foreach (var line in c.Campaigns)
        {
            rows.Add([line.InForce ? line.Campaign : $"{line.Campaign} (file gone)", Count(line.Issued), Count(line.Redeemed), Percent(line.RedemptionRate),
                line.RedemptionInterval is { } i ? $"{Percent(i.Low)} to {Percent(i.High)}" : "-", Money(line.Revenue), Money(line.Cost),
                line.CodesLeft is { } left ? Count(left) : "-", line.BudgetLeft is { } budget ? Count(budget) : "-", Count(line.Expired), Count(line.AlreadyRedeemed)]);
        }
        if (rows.Count == 1) output.WriteLine("(no coupon campaigns)");
        else WriteTable(output, rows);
        output.WriteLine($"Orders naming a code no campaign issued: {Count(c.UnknownCodes)}");
    }

    internal static void WriteTable(TextWriter output, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows.Max(r => r.Length)).Select(i => rows.Max(r => i < r.Length ? r[i].Length : 0)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0) line.Append("  ");
                // Names left, numbers right.
                line.Append(i == 0 || (i < 3 && rows[0][i] is "step" or "variant" or "prize" or "kind" or "open") ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
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
