using Microsoft.AspNetCore.Html;
using static Automation.Server.MarketerConsole.Charts.SvgWriter;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>One row of a forest plot: an estimate and its interval; without an estimate, <paramref name="Note"/> says why.</summary>
public sealed record IntervalRow(string Label, double? Estimate, double? Low, double? High, string? Note = null);

/// <summary>
/// A forest plot: per row a point at the estimate, a whisker from the interval's low to high end and both written as
/// text, against a zero line — the lift of each journey step and variant over its holdout.
/// </summary>
public static class IntervalPlot
{
    private const double Width = 640, Left = 180, Right = 440, Top = 16, RowHeight = 28;

    /// <summary>The plot of <paramref name="rows"/>, values written as <paramref name="format"/> says.</summary>
    public static IHtmlContent Render(ChartCaption caption, IReadOnlyList<IntervalRow> rows, ValueFormat format, string rowHeader = "Row")
    {
        var drawn = rows.Select(r => ChartNumbers.Finite(r.Estimate) is { } e && ChartNumbers.Finite(r.Low) is { } l && ChartNumbers.Finite(r.High) is { } h
            ? (Estimate: e, Low: Math.Min(l, e), High: Math.Max(h, e)) : ((double Estimate, double Low, double High)?)null).ToList();
        var present = drawn.OfType<(double Estimate, double Low, double High)>().ToList();
        if (present.Count == 0) return ChartDocument.Empty(caption);
        var axis = AxisTicks.Covering(Math.Min(0, present.Min(p => p.Low)), Math.Max(0, present.Max(p => p.High)), 4);

        var svg = new SvgWriter();
        var bottom = Top + RowHeight * rows.Count;
        ValueAxis.DrawHorizontal(svg, axis, format, Left, Right, Top, bottom);
        var table = new DataTable([rowHeader, "Estimate", "95% interval", "Note"]);
        for (var r = 0; r < rows.Count; r++)
        {
            var y = Top + RowHeight * (r + 0.5);
            svg.Text(Left - 8, y + 4, ValueAxis.Shorten(rows[r].Label, 26), anchor: "end", size: 11);
            if (drawn[r] is { } d)
            {
                var interval = $"{ChartNumbers.Format(d.Low, format)} to {ChartNumbers.Format(d.High, format)}";
                svg.Line(axis.Map(d.Low, Left, Right), y, axis.Map(d.High, Left, Right), y, Palette[0], 2);
                svg.Line(axis.Map(d.Low, Left, Right), y - 5, axis.Map(d.Low, Left, Right), y + 5, Palette[0], 2);
                svg.Line(axis.Map(d.High, Left, Right), y - 5, axis.Map(d.High, Left, Right), y + 5, Palette[0], 2);
                svg.Circle(axis.Map(d.Estimate, Left, Right), y, 4.5, Ink, $"{rows[r].Label}: {ChartNumbers.Format(d.Estimate, format)} ({interval})");
                svg.Text(Right + 8, y + 4, $"{ChartNumbers.Format(d.Estimate, format)} [{interval}]", size: 11);
                table.Add(rows[r].Label, ChartNumbers.Format(d.Estimate, format), interval, rows[r].Note ?? "");
            }
            else
            {
                svg.Text(Right + 8, y + 4, ValueAxis.Shorten(rows[r].Note ?? "no estimate", 30), size: 11);
                table.Add(rows[r].Label, "–", "–", rows[r].Note ?? "no estimate");
            }
        }
        svg.Line(axis.Map(0, Left, Right), Top, axis.Map(0, Left, Right), bottom, Ink, 1.5, "4 3");
        return ChartDocument.Compose(caption, Width, bottom + 24, svg, table);
    }
}
