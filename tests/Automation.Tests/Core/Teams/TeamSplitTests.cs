using Automation.Core.Teams;

namespace Automation.Tests.Core.Teams;

public sealed class TeamSplitTests
{
    [Test]
    public void Three_split_150_equally_get_50_each_and_cents_that_do_not_divide_go_to_the_first_members()
    {
        TeamSplit.Shares(15_000, 3, SplitKind.Equal, 0, _ => 0).Should().Equal(5_000, 5_000, 5_000);
        TeamSplit.Shares(10_000, 3, SplitKind.Equal, 0, _ => 0).Should().Equal(3_334, 3_333, 3_333);
    }

    [Test]
    public void A_random_split_respects_the_floor_and_sums_to_the_pool_whatever_the_draws([Range(0, 199)] int seed)
    {
        var random = new Random(seed);
        var shares = TeamSplit.Shares(50_000, 5, SplitKind.Random, 5_000, n => random.NextInt64(n));
        shares.Should().HaveCount(5);
        shares.Sum().Should().Be(50_000);
        shares.Should().OnlyContain(s => s >= 5_000);
    }

    [Test]
    public void The_extreme_draws_give_one_member_everything_above_the_floor()
    {
        // Every cut at 0, or every cut at the top: the whole spread lands on the last or the first member.
        TeamSplit.Shares(50_000, 5, SplitKind.Random, 5_000, _ => 0).Should().Equal(5_000, 5_000, 5_000, 5_000, 30_000);
        TeamSplit.Shares(50_000, 5, SplitKind.Random, 5_000, n => n - 1).Should().Equal(30_000, 5_000, 5_000, 5_000, 5_000);
        // A floor that takes the whole pool leaves nothing to draw.
        TeamSplit.Shares(500, 5, SplitKind.Random, 100, n => n - 1).Should().Equal(100, 100, 100, 100, 100);
    }

    [Test]
    public void Draws_are_asked_within_the_spread_and_a_source_outside_it_is_refused()
    {
        var asked = new List<long>();
        TeamSplit.Shares(1_000, 3, SplitKind.Random, 100, n => { asked.Add(n); return n / 2; });
        asked.Should().Equal(701, 701);
        var act = () => TeamSplit.Shares(1_000, 3, SplitKind.Random, 100, n => n);
        act.Should().Throw<InvalidOperationException>();
        var tooHigh = () => TeamSplit.Shares(1_000, 3, SplitKind.Random, 400, _ => 0);
        tooHigh.Should().Throw<ArgumentException>();
    }
}
