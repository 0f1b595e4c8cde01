using Automation.Core.Messaging;

namespace Automation.Tests.Core.Messaging;

/// <summary>Retries back off exponentially to six hours, spread ±20 % by the jitter the settings give.</summary>
public sealed class BackoffTests
{
    [TestCase(1, 30)]
    [TestCase(2, 60)]
    [TestCase(5, 480)]
    [TestCase(30, 6 * 3600)]
    public void Each_attempt_waits_about_twice_the_last_up_to_six_hours(int attempts, int seconds)
    {
        var jitter = new Random(7);
        for (var i = 0; i < 100; i++)
            OutboxDispatcher.Backoff(attempts, jitter).TotalSeconds.Should().BeInRange(seconds * 0.8, seconds * 1.2);
    }

    [Test]
    public void The_same_seed_gives_the_same_waits_and_a_spread_of_them()
    {
        var first = Enumerable.Range(0, 20).Select(_ => OutboxDispatcher.Backoff(3, new Random(42))).Distinct().ToList();
        first.Should().ContainSingle("a seeded jitter repeats");
        var spread = new Random(42);
        Enumerable.Range(0, 50).Select(_ => OutboxDispatcher.Backoff(3, spread)).Distinct().Should().HaveCountGreaterThan(40, "retries of one outage do not arrive together");
    }
}
