using Automation.Core.Analytics;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Server.Analytics;
using Automation.Server.Apis;
using Automation.Server.MarketerConsole.Charts;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>One journey: status and errors, and per step how many instances fired it, its messages per variant and status, and their conversions.</summary>
internal sealed class JourneyModel(JourneyCatalog catalog, IJourneyQueries store, IAnalyticsStore analytics, ReportCache reports, TimeProvider clock,
    IHostEnvironment environment) : PageModel
{
    /// <summary>Days of sends the conversions are counted over.</summary>
    public const int AttributionWindowDays = 30;

    /// <summary>One row of the step table: a step, or one variant of a send step.</summary>
    public sealed record StepRow(string Step, string Action, long Reached, string? Variant, IReadOnlyDictionary<string, long> Messages, AttributionVariant? Attribution);

    public JourneysApi.JourneyResponse Journey { get; private set; } = null!;
    public IReadOnlyList<StepRow> Steps { get; private set; } = [];
    public CachedReport<AttributionReport>? Attribution { get; private set; }

    /// <summary>Entered, then each step reached, in the file's order.</summary>
    public IHtmlContent? Funnel { get; private set; }

    /// <summary>Per send step with messages in the attribution window: messages and conversions of each variant and the holdout.</summary>
    public IReadOnlyList<IHtmlContent> Conversions { get; private set; } = [];

    private static FunnelSeries Stages(string? variant, Arm arm) =>
        new(variant, [new FunnelStage("Messages", arm.Messages), new FunnelStage("Converted", arm.Conversions)]);

    public async Task<IActionResult> OnGetAsync(string name, CancellationToken ct)
    {
        var set = catalog.Current;
        if (JourneysApi.Describe(set, await store.CountsAsync(ct), environment.ContentRootPath).FirstOrDefault(j => j.Name == name) is not { } journey)
            return NotFound();
        Journey = journey;
        var running = set.Entries.First(e => e.Name == name).Running;
        if (running is null) return Page();

        var funnel = await store.FunnelAsync(name, ct);
        Attribution = await reports.GetAsync($"attribution:{name}", async token =>
        {
            var to = clock.GetUtcNow();
            return await AnalyticsReports.AttributionAsync(analytics,
                new AttributionQuery(to.AddDays(-AttributionWindowDays), to, ReportParameters.DefaultAttributionDays, name), token);
        });
        var rows = new List<StepRow>();
        foreach (var step in running.Steps)
        {
            var reached = funnel.InstancesPerStep.GetValueOrDefault(step.Name);
            var variants = funnel.Messages.Where(m => m.Step == step.Name).GroupBy(m => m.Variant).OrderBy(g => g.Key ?? "", StringComparer.Ordinal).ToList();
            var attribution = Attribution.Report.Steps.FirstOrDefault(s => s.Step == step.Name);
            if (variants.Count == 0)
            {
                rows.Add(new StepRow(step.Name, step.Action.Name, reached, null, new Dictionary<string, long>(), null));
                continue;
            }
            foreach (var variant in variants)
            {
                rows.Add(new StepRow(step.Name, step.Action.Name, reached, variant.Key, variant.ToDictionary(m => m.Status.Text(), m => m.Count, StringComparer.Ordinal),
                    attribution?.Variants.FirstOrDefault(v => v.Variant == variant.Key)));
            }
        }
        Steps = rows;
        var counts = journey.Counts;
        Funnel = FunnelChart.Render(new ChartCaption("journey-funnel", "Funnel", "Instances that entered the journey, then those that fired each step, in the order of the file."),
            [new FunnelSeries(null, [new FunnelStage("Entered", (long)counts.Active + counts.Completed + counts.Exited),
                .. running.Steps.Select(s => new FunnelStage(s.Name, funnel.InstancesPerStep.GetValueOrDefault(s.Name)))])]);
        Conversions = [.. Attribution.Report.Steps.Select((step, i) => FunnelChart.Render(
            new ChartCaption($"step-{i}-conversions", $"{step.Step}: messages and conversions",
                $"Messages of step {step.Step} sent in the last {AttributionWindowDays} days and the orders they converted, per variant and for the holdout."),
            [.. step.Variants.Select(v => Stages(v.Variant, v.Results)), .. step.Holdout is { } holdout ? [Stages(Core.Messaging.Variants.Holdout, holdout)] : Array.Empty<FunnelSeries>()]))];
        return Page();
    }
}
