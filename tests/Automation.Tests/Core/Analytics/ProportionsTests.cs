using Automation.Core.Analytics;

namespace Automation.Tests.Core.Analytics;

public sealed class ProportionsTests
{
    // Newcombe (1998), "Interval estimation for the difference between independent proportions", Statistics in
    // Medicine 17:873–890, example (a): 56/70 − 48/80. Method 10 (score, hybrid): 0.0524 to 0.3339.
    [Test]
    public void Newcombe_difference_matches_the_papers_example()
    {
        var interval = Proportions.NewcombeDifference(56, 70, 48, 80);
        interval.Low.Should().BeApproximately(0.0524, 0.00005);
        interval.High.Should().BeApproximately(0.3339, 0.00005);
    }

    // Same paper, example (d): 0/10 − 0/20, where the Wald interval degenerates to 0..0. Method 10: −0.1611 to 0.2775.
    [Test]
    public void Newcombe_difference_is_informative_at_zero_conversions()
    {
        var interval = Proportions.NewcombeDifference(0, 10, 0, 20);
        interval.Low.Should().BeApproximately(-0.1611, 0.00005);
        interval.High.Should().BeApproximately(0.2775, 0.00005);
    }

    // Newcombe (1998), "Two-sided confidence intervals for the single proportion", example 81/263: Wilson 0.2553 to 0.3662.
    [Test]
    public void Wilson_matches_the_textbook_example_and_stays_within_zero_and_one()
    {
        var interval = Proportions.Wilson(81, 263);
        interval.Low.Should().BeApproximately(0.2553, 0.00005);
        interval.High.Should().BeApproximately(0.3662, 0.00005);
        Proportions.Wilson(0, 5).Low.Should().Be(0);
        Proportions.Wilson(5, 5).High.Should().Be(1);
    }

    [Test]
    public void Impossible_counts_are_refused()
    {
        FluentActions.Invoking(() => Proportions.Wilson(3, 2)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Proportions.Wilson(0, 0)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
