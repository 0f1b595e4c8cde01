namespace Automation.Server.MarketerConsole.Charts;

/// <summary>
/// A linear scale over "nice" tick values (steps of 1, 2 or 5 × 10ⁿ) that cover the data, mapped onto a pixel range.
/// </summary>
public sealed class AxisTicks
{
    private AxisTicks(IReadOnlyList<double> ticks) => Ticks = ticks;

    /// <summary>The tick values, ascending; the first and last are the ends of the axis.</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>Lowest value on the axis.</summary>
    public double Min => Ticks[0];

    /// <summary>Highest value on the axis.</summary>
    public double Max => Ticks[^1];

    /// <summary>About <paramref name="target"/> intervals covering <paramref name="low"/>..<paramref name="high"/> (finite numbers).</summary>
    public static AxisTicks Covering(double low, double high, int target = 5)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high)) throw new ArgumentOutOfRangeException(nameof(low), "Axis ends must be finite.");
        if (high < low) (low, high) = (high, low);
        if (high == low) (low, high) = low == 0 ? (0, 1) : (Math.Min(0, low), Math.Max(0, high));
        var step = NiceStep((high - low) / target);
        var first = Math.Floor(low / step + 1e-9);
        var last = Math.Ceiling(high / step - 1e-9);
        // Multiplying the index by the step, rather than adding steps, keeps 0.1 × 3 from drifting to 0.30000000000000004 at each tick.
        return new AxisTicks([.. Enumerable.Range(0, (int)(last - first) + 1).Select(i => Math.Round((first + i) * step, 12))]);
    }

    /// <summary>Where <paramref name="value"/> falls between <paramref name="start"/> (at <see cref="Min"/>) and <paramref name="end"/> (at <see cref="Max"/>).</summary>
    public double Map(double value, double start, double end) => start + (value - Min) / (Max - Min) * (end - start);

    private static double NiceStep(double rough)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }
}
