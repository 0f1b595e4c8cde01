namespace Automation.Core.Analytics;

/// <summary>A 95 % confidence interval.</summary>
public sealed record Interval(double Low, double High);

/// <summary>
/// Confidence intervals for proportions. Wilson's score interval and Newcombe's hybrid score interval for a
/// difference (method 10 of Newcombe 1998) behave at small counts and at rates near 0 or 1, where the Wald
/// interval overshoots [0, 1] and collapses to a point at 0 conversions.
/// </summary>
public static class Proportions
{
    /// <summary>The two-sided 95 % normal quantile.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>Wilson's score interval for <paramref name="successes"/> out of <paramref name="trials"/> (trials above 0).</summary>
    public static Interval Wilson(long successes, long trials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        double n = trials, p = successes / n, z2 = Z95 * Z95;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = Z95 / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>Newcombe's hybrid score interval for p1 − p2, built from the two Wilson intervals.</summary>
    public static Interval NewcombeDifference(long successes1, long trials1, long successes2, long trials2)
    {
        var p1 = (double)successes1 / trials1;
        var p2 = (double)successes2 / trials2;
        var w1 = Wilson(successes1, trials1);
        var w2 = Wilson(successes2, trials2);
        var difference = p1 - p2;
        var below = Math.Sqrt(Square(p1 - w1.Low) + Square(w2.High - p2));
        var above = Math.Sqrt(Square(w1.High - p1) + Square(p2 - w2.Low));
        return new Interval(difference - below, difference + above);
    }

    private static double Square(double x) => x * x;
}
