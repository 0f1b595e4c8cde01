using Microsoft.AspNetCore.Html;
using static Automation.Server.MarketerConsole.Charts.SvgWriter;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>One stage of a funnel (entered, sent, converted…) and how many reached it.</summary>
public sealed record FunnelStage(string Label, long Count);

/// <summary>The stages of one variant in order; <paramref name="Name"/> null when the step has no A/B test.</summary>
public sealed record FunnelSeries(string? Name, IReadOnlyList<FunnelStage> Stages);

/// <summary>
/// Per variant, a centred bar per stage whose width is its count against the largest count of the chart, with the
/// count and the share kept from the variant's first stage written beside it.
/// </summary>
public static class FunnelChart
{
    private const double Width = 640, Left = 110, Right = 430, BarHeight = 22, HeaderHeight = 22;

    /// <summary>The funnel of each of <paramref name="series"/>, one under the other.</summary>
    public static IHtmlContent Render(ChartCaption caption, IReadOnlyList<FunnelSeries> series)
    {
        foreach (var stage in series.SelectMany(s => s.Stages))
            if (stage.Count < 0) throw new ArgumentOutOfRangeException(nameof(series), stage.Count, $"Funnel stage '{stage.Label}' has a negative count.");
        var max = series.SelectMany(s => s.Stages).Select(s => s.Count).DefaultIfEmpty(0).Max();
        if (max == 0) return ChartDocument.Empty(caption);

        var svg = new SvgWriter();
        var table = new DataTable(["Variant", "Stage", "Count", "Share of first stage"]);
        var y = 8.0;
        for (var s = 0; s < series.Count; s++)
        {
            var name = series[s].Name ?? "All";
            if (series.Count > 1 || series[s].Name is not null)
            {
                svg.Text(8, y + 15, ValueAxis.Shorten(name, 40), bold: true);
                y += HeaderHeight;
            }
            var first = series[s].Stages is [var head, ..] ? head.Count : 0;
            foreach (var stage in series[s].Stages)
            {
                var width = (Right - Left) * stage.Count / max;
                var share = first > 0 ? ChartNumbers.Format((double)stage.Count / first, ValueFormat.Percent) : "–";
                var counts = $"{ChartNumbers.Format(stage.Count, ValueFormat.Count)} ({share})";
                svg.Text(Left - 8, y + 15, ValueAxis.Shorten(stage.Label, 14), anchor: "end", size: 11);
                svg.Rect((Left + Right - width) / 2, y + 1, width, BarHeight - 2, Palette[s % Palette.Count], $"{name}, {stage.Label}: {counts}");
                svg.Text(Right + 8, y + 15, counts, size: 11);
                table.Add(name, stage.Label, ChartNumbers.Format(stage.Count, ValueFormat.Count), share);
                y += BarHeight;
            }
            y += 8;
        }
        return ChartDocument.Compose(caption, Width, y, svg, table);
    }
}
