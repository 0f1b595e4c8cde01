namespace Automation.Core.Analytics;

/// <summary>Journey attribution: what each step and variant converted against its holdout; see docs/analytics.md.</summary>
public sealed record AttributionReport(DateTimeOffset From, DateTimeOffset To, int WithinDays, string? Journey, IReadOnlyList<AttributionStep> Steps)
{
    /// <summary>Rates and lifts from the database's counts, with how the emails of each arm were read (<paramref name="emails"/>).</summary>
    public static AttributionReport Build(AttributionQuery query, IReadOnlyList<AttributionFigures> figures, IReadOnlyList<EmailEngagementFigures> emails)
    {
        var engagement = emails.ToDictionary(e => (e.Journey, e.Step, e.Variant), EmailEngagement.From);
        var steps = figures
            .GroupBy(f => (f.Journey, f.Step))
            .OrderBy(g => g.Key.Journey, StringComparer.Ordinal).ThenBy(g => g.Key.Step, StringComparer.Ordinal)
            .Select(g =>
            {
                var control = g.FirstOrDefault(f => f.Variant == Messaging.Variants.Holdout);
                var holdout = control is null ? null : Arm.From(control);
                var variants = g.Where(f => f.Variant != Messaging.Variants.Holdout)
                    .OrderBy(f => f.Variant ?? "", StringComparer.Ordinal)
                    .Select(f => new AttributionVariant(f.Variant, Arm.From(f), control is null ? null : Lift.Of(f, control),
                        engagement.GetValueOrDefault((f.Journey, f.Step, f.Variant))))
                    .ToList();
                return new AttributionStep(g.Key.Journey, g.Key.Step, variants, holdout);
            })
            .ToList();
        return new AttributionReport(query.From, query.To, query.WithinDays, query.Journey, steps);
    }
}

/// <summary>One journey step: its variants (null variant: the step has no A/B test) and its holdout, if any.</summary>
public sealed record AttributionStep(string Journey, string Step, IReadOnlyList<AttributionVariant> Variants, Arm? Holdout);

/// <summary>
/// A variant's results, its lift over the holdout (null when the step had no holdout in the window), and the opens and
/// clicks of its emails (null when it sent no email).
/// </summary>
public sealed record AttributionVariant(string? Variant, Arm Results, Lift? Lift, EmailEngagement? Email);

/// <summary>Messages of an arm, conversions, conversion rate and attributed revenue.</summary>
public sealed record Arm(long Messages, long Conversions, double? ConversionRate, decimal Revenue)
{
    /// <summary>The arm with its rate.</summary>
    public static Arm From(AttributionFigures f) => new(f.Messages, f.Conversions, f.Messages > 0 ? (double)f.Conversions / f.Messages : null, f.Revenue);
}

/// <summary>
/// Conversion rate of a variant minus its holdout's, with Newcombe's 95 % interval, and the relative lift
/// (difference / holdout rate; null when the holdout converted no one).
/// </summary>
public sealed record Lift(double Difference, double Low, double High, double? Relative)
{
    /// <summary>The lift of <paramref name="variant"/> over <paramref name="holdout"/>; null when either has no messages.</summary>
    public static Lift? Of(AttributionFigures variant, AttributionFigures holdout)
    {
        if (variant.Messages == 0 || holdout.Messages == 0) return null;
        var treated = (double)variant.Conversions / variant.Messages;
        var control = (double)holdout.Conversions / holdout.Messages;
        var interval = Proportions.NewcombeDifference(variant.Conversions, variant.Messages, holdout.Conversions, holdout.Messages);
        return new Lift(treated - control, interval.Low, interval.High, control > 0 ? (treated - control) / control : null);
    }
}
