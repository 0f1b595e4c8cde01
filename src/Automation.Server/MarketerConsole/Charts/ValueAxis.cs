using static Automation.Server.MarketerConsole.Charts.SvgWriter;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>Grid lines with their values, for the charts that plot values against a linear axis.</summary>
public static class ValueAxis
{
    /// <summary>A vertical axis: a grid line and a label at the left of <paramref name="left"/> for each tick, <paramref name="bottom"/> at the lowest.</summary>
    public static void DrawVertical(SvgWriter svg, AxisTicks axis, ValueFormat format, double left, double right, double top, double bottom)
    {
        foreach (var tick in axis.Ticks)
        {
            var y = axis.Map(tick, bottom, top);
            svg.Line(left, y, right, y, Grid);
            svg.Text(left - 6, y + 4, ChartNumbers.Format(tick, format), anchor: "end", size: 11);
        }
    }

    /// <summary>A horizontal axis: a grid line and a label under <paramref name="bottom"/> for each tick.</summary>
    public static void DrawHorizontal(SvgWriter svg, AxisTicks axis, ValueFormat format, double left, double right, double top, double bottom)
    {
        foreach (var tick in axis.Ticks)
        {
            var x = axis.Map(tick, left, right);
            svg.Line(x, top, x, bottom, Grid);
            svg.Text(x, bottom + 14, ChartNumbers.Format(tick, format), anchor: "middle", size: 11);
        }
    }

    /// <summary><paramref name="label"/> cut to <paramref name="length"/> characters with an ellipsis, so long names keep to their column (the table has them in full).</summary>
    public static string Shorten(string label, int length) => label.Length <= length ? label : label[..(length - 1)] + "…";
}
