using Microsoft.AspNetCore.Html;
using static Automation.Server.MarketerConsole.Charts.SvgWriter;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>A value at one point of the x axis, with an optional confidence interval; null or non-finite values are gaps.</summary>
public sealed record LinePoint(double? Value, double? Low = null, double? High = null);

/// <summary>A named line with one point per x label.</summary>
public sealed record LineSeries(string Name, IReadOnlyList<LinePoint> Points);

/// <summary>
/// One or more series over ordered x labels (months), each point marked and its value written, an interval drawn as
/// a shaded band. Series differ by colour, dash and legend, not colour alone.
/// </summary>
public static class LineChart
{
    private const double Width = 640, Height = 320, Left = 64, Right = 620, Top = 40, Bottom = 270;
    private static readonly string?[] Dashes = [null, "6 4", "2 3", "8 3 2 3"];

    /// <summary>The chart of <paramref name="series"/> over <paramref name="xLabels"/>; every series has one point per label.</summary>
    public static IHtmlContent Render(ChartCaption caption, IReadOnlyList<string> xLabels, IReadOnlyList<LineSeries> series, ValueFormat format, string xHeader = "Period")
    {
        foreach (var s in series)
            if (s.Points.Count != xLabels.Count) throw new ArgumentException($"Series '{s.Name}' has {s.Points.Count} points for {xLabels.Count} x labels.", nameof(series));
        var lines = series.Select(s => s.Points.Select(p => ChartNumbers.Finite(p.Value) is { } v
            ? (Value: v, Band: ChartNumbers.Finite(p.Low) is { } low && ChartNumbers.Finite(p.High) is { } high ? (low, high) : ((double, double)?)null)
            : ((double Value, (double Low, double High)? Band)?)null).ToList()).ToList();
        var present = lines.SelectMany(l => l).OfType<(double Value, (double Low, double High)? Band)>().ToList();
        if (present.Count == 0) return ChartDocument.Empty(caption);
        var axis = AxisTicks.Covering(
            present.Min(p => Math.Min(p.Value, p.Band?.Low ?? p.Value)),
            present.Max(p => Math.Max(p.Value, p.Band?.High ?? p.Value)));

        var svg = new SvgWriter();
        ValueAxis.DrawVertical(svg, axis, format, Left, Right, Top, Bottom);
        var step = xLabels.Count > 1 ? (Right - Left) / (xLabels.Count - 1) : 0;
        double X(int i) => xLabels.Count > 1 ? Left + step * i : (Left + Right) / 2;
        double Y(double v) => axis.Map(v, Bottom, Top);
        var every = (int)Math.Ceiling(xLabels.Count / 8.0);
        for (var i = 0; i < xLabels.Count; i += every) svg.Text(X(i), Bottom + 16, xLabels[i], anchor: "middle", size: 11);

        for (var s = 0; s < series.Count; s++)
        {
            var colour = Palette[s % Palette.Count];
            var dash = Dashes[s % Dashes.Length];
            var line = lines[s];
            foreach (var run in Runs(line.Select(p => p?.Band is not null)))
                svg.Polygon([.. run.Select(i => (X(i), Y(line[i]!.Value.Band!.Value.High))), .. run.AsEnumerable().Reverse().Select(i => (X(i), Y(line[i]!.Value.Band!.Value.Low)))], colour, 0.15);
            foreach (var run in Runs(line.Select(p => p is not null)))
                svg.Polyline(run.Select(i => (X(i), Y(line[i]!.Value.Value))), colour, 2, dash);
            for (var i = 0; i < line.Count; i++)
            {
                if (line[i] is not { } point) continue;
                var text = ChartNumbers.Format(point.Value, format);
                svg.Circle(X(i), Y(point.Value), 3.5, colour, $"{series[s].Name}, {xLabels[i]}: {text}");
                if (series.Count == 1 || i % every == 0) svg.Text(X(i), Y(point.Value) - 8, text, anchor: "middle", fill: colour, size: 10);
            }
            svg.Line(Left + s * 150, 16, Left + s * 150 + 24, 16, colour, 2, dash);
            svg.Text(Left + s * 150 + 30, 20, ValueAxis.Shorten(series[s].Name, 18), size: 12);
        }

        var hasBand = series.Select((_, s) => lines[s].Any(p => p?.Band is not null)).ToList();
        var table = new DataTable([xHeader, .. series.SelectMany((s, k) => hasBand[k] ? new[] { s.Name, $"{s.Name}: 95% interval" } : [s.Name])]);
        for (var i = 0; i < xLabels.Count; i++)
            table.Add([xLabels[i], .. lines.SelectMany((l, k) => hasBand[k]
                ? new[] { ChartNumbers.Format(l[i]?.Value, format), l[i]?.Band is { } b ? $"{ChartNumbers.Format(b.Low, format)} to {ChartNumbers.Format(b.High, format)}" : "–" }
                : [ChartNumbers.Format(l[i]?.Value, format)])]);
        return ChartDocument.Compose(caption, Width, Height, svg, table);
    }

    // Indexes of consecutive points that are drawn together: a gap breaks the line and the band.
    private static List<List<int>> Runs(IEnumerable<bool> present)
    {
        var runs = new List<List<int>>();
        var index = 0;
        var inRun = false;
        foreach (var p in present)
        {
            if (p && !inRun) runs.Add([]);
            if (p) runs[^1].Add(index);
            inRun = p;
            index++;
        }
        return runs;
    }
}
