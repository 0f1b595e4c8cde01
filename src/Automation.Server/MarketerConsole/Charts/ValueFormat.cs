using System.Globalization;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>How a chart writes its values for people.</summary>
public enum ValueFormat
{
    /// <summary>Whole numbers with thousands separators: <c>1,234</c>.</summary>
    Count,

    /// <summary>Up to two decimals: <c>12.5</c>.</summary>
    Number,

    /// <summary>A share 0..1 as a percentage: <c>0.452</c> is <c>45.2%</c>.</summary>
    Percent,

    /// <summary>A difference of two shares in percentage points, signed: <c>0.031</c> is <c>+3.1 pp</c>.</summary>
    PercentagePoints,
}

/// <summary>Numbers for people and for SVG attributes, always in the invariant culture.</summary>
public static class ChartNumbers
{
    /// <summary>The text of <paramref name="value"/>; an en dash for a missing or non-finite one.</summary>
    public static string Format(double? value, ValueFormat format) => value is not { } v || !double.IsFinite(v) ? "–" : format switch
    {
        ValueFormat.Count => v.ToString("#,0", CultureInfo.InvariantCulture),
        ValueFormat.Number => v.ToString("#,0.##", CultureInfo.InvariantCulture),
        ValueFormat.Percent => (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%",
        ValueFormat.PercentagePoints => (v * 100).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) + " pp",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>A coordinate for an SVG attribute, two decimals at most.</summary>
    /// <exception cref="ArgumentOutOfRangeException">NaN or infinite: a chart must drop such values before drawing.</exception>
    public static string Attribute(double value) => double.IsFinite(value)
        ? Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(value), value, "A chart coordinate must be a finite number.");

    /// <summary>The value when it is present and finite.</summary>
    public static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
