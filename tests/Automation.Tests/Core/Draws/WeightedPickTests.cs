using Automation.Core.Draws;

namespace Automation.Tests.Core.Draws;

/// <summary>
/// The pick's fairness without sampling: every value of the range is mapped, so each prize must own exactly as many
/// values as its weight — probability weight / total for a uniform value — whatever the order of the prizes.
/// </summary>
public sealed class WeightedPickTests
{
    private static readonly DrawPrize[] Prizes =
    [
        new("500-points", PrizeKind.Points, 2, 20, null, 500),
        new("100-points", PrizeKind.Points, 10, 200, null, 100),
        new("voucher", PrizeKind.Coupon, 7, 50, "draw-voucher", 0),
        new("thanks", PrizeKind.Nothing, 81, null, null, 0),
    ];

    [Test]
    public void Each_prize_owns_as_many_values_as_its_weight()
    {
        var total = WeightedPick.TotalWeight(Prizes);
        total.Should().Be(100);
        var owned = Enumerable.Range(0, total).Select(v => WeightedPick.At(Prizes, v).Name).CountBy(n => n).ToDictionary();
        owned.Should().Equal(new Dictionary<string, int> { ["500-points"] = 2, ["100-points"] = 10, ["voucher"] = 7, ["thanks"] = 81 });

        var reversed = Prizes.Reverse().ToList();
        Enumerable.Range(0, total).Select(v => WeightedPick.At(reversed, v).Name).CountBy(n => n).ToDictionary().Should().Equal(owned);
    }

    [Test]
    public void Runs_follow_the_file_order_and_values_outside_the_range_are_refused()
    {
        WeightedPick.At(Prizes, 0).Name.Should().Be("500-points");
        WeightedPick.At(Prizes, 1).Name.Should().Be("500-points");
        WeightedPick.At(Prizes, 2).Name.Should().Be("100-points");
        WeightedPick.At(Prizes, 11).Name.Should().Be("100-points");
        WeightedPick.At(Prizes, 12).Name.Should().Be("voucher");
        WeightedPick.At(Prizes, 19).Name.Should().Be("thanks");
        WeightedPick.At(Prizes, 99).Name.Should().Be("thanks");
        FluentActions.Invoking(() => WeightedPick.At(Prizes, 100)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => WeightedPick.At(Prizes, -1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void The_cryptographic_source_stays_in_its_range()
    {
        var random = new CryptoDrawRandom();
        var seen = Enumerable.Range(0, 2000).Select(_ => random.Below(3)).ToHashSet();
        seen.Should().BeSubsetOf([0, 1, 2]);
        Enumerable.Range(0, 100).Select(_ => random.Below(1)).Should().OnlyContain(v => v == 0);
    }
}
