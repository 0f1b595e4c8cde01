using Microsoft.AspNetCore.Html;
using static Automation.Server.MarketerConsole.Charts.SvgWriter;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>One labelled bar; a null or non-finite value is shown as missing.</summary>
public sealed record Bar(string Label, double? Value);

/// <summary>A target drawn across the bars as a dashed line, such as the returning customers' share to aim at.</summary>
public sealed record ReferenceLine(string Label, double Value);

/// <summary>Vertical labelled bars from zero, each with its value written above it: intervals between orders, LTV by cohort, shares against a target.</summary>
public static class BarChart
{
    private const double Width = CanvasWidth, Height = 300, Left = 64, Right = 628, Top = 24, Bottom = 250, LabelSize = 11, LabelGap = 6;

    /// <summary>
    /// The chart of <paramref name="bars"/>, values written as <paramref name="format"/> says; the table's columns are
    /// <paramref name="category"/> and <paramref name="measure"/>, and a <paramref name="reference"/> gets a column of its own.
    /// </summary>
    public static IHtmlContent Render(ChartCaption caption, IReadOnlyList<Bar> bars, ValueFormat format, string category = "Category", string measure = "Value",
        ReferenceLine? reference = null)
    {
        var values = bars.Select(b => ChartNumbers.Finite(b.Value)).ToList();
        if (values.All(v => v is null)) return ChartDocument.Empty(caption);
        var target = ChartNumbers.Finite(reference?.Value);
        var present = values.OfType<double>().Concat(target is { } t ? [t] : []).ToList();
        var axis = AxisTicks.Covering(Math.Min(0, present.Min()), Math.Max(0, present.Max()));

        var svg = new SvgWriter();
        ValueAxis.DrawVertical(svg, axis, format, Left, Right, Top, Bottom);
        var slot = (Right - Left) / bars.Count;
        var zero = axis.Map(0, Bottom, Top);
        // Labels wider than their slot would run together: write every few, so each has the room of that many slots.
        var widest = bars.Max(b => TextWidth(ValueAxis.Shorten(b.Label, 12), LabelSize));
        var every = Math.Max(1, (int)Math.Ceiling((widest + LabelGap) / slot));
        var table = new DataTable(reference is null ? [category, measure] : [category, measure, reference.Label]);
        for (var i = 0; i < bars.Count; i++)
        {
            var centre = Left + slot * (i + 0.5);
            var text = ChartNumbers.Format(values[i], format);
            if (values[i] is { } value)
            {
                var y = axis.Map(value, Bottom, Top);
                svg.Rect(centre - slot * 0.35, Math.Min(y, zero), slot * 0.7, Math.Abs(zero - y), Palette[0], $"{bars[i].Label}: {text}");
                svg.Text(centre, Math.Min(y, zero) - 4, text, anchor: "middle", size: 11);
            }
            if (i % every == 0) svg.Text(centre, Bottom + 16, ValueAxis.Shorten(bars[i].Label, 12), anchor: "middle", size: LabelSize);
            table.Add(reference is null ? [bars[i].Label, text] : [bars[i].Label, text, ChartNumbers.Format(target, format)]);
        }
        svg.Line(Left, zero, Right, zero, Ink);
        if (target is { } line)
        {
            var y = axis.Map(line, Bottom, Top);
            svg.Line(Left, y, Right, y, Palette[1], 1.5, "6 4");
            svg.Text(Right, y - 4, $"{reference!.Label} {ChartNumbers.Format(line, format)}", anchor: "end", fill: Palette[1], size: 11);
        }
        return ChartDocument.Compose(caption, Width, Height, svg, table);
    }
}
