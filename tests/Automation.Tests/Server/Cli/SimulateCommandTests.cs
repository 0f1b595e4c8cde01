using Automation.Tests.Support;

namespace Automation.Tests.Server.Cli;

public sealed class SimulateCommandTests
{
    private DirectoryInfo _work = null!;

    [SetUp]
    public void CreateFiles()
    {
        _work = Directory.CreateTempSubdirectory("automation-simulate-test-");
        File.WriteAllText(Path.Combine(_work.FullName, "ann.json"), """{ "userId": "ann", "traits": { "email": "ann@example.com" } }""");
        File.WriteAllText(Path.Combine(_work.FullName, "events.json"), """
            [
              { "at": "+0h", "event": "Product Added", "properties": { "product_id": "tea", "price": 12 } },
              { "at": "+26h", "event": "Order Completed", "properties": { "order_id": "1", "total": 12 } }
            ]
            """);
        File.WriteAllText(Path.Combine(_work.FullName, "bad-events.json"), """[ { "at": "soon", "event": "Product Added" } ]""");
    }

    [TearDown]
    public void RemoveFiles() => _work.Delete(recursive: true);

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) =>
        AutomationCli.RunAsync(["simulate", "--contentRoot", ServerProcess.RepositoryRoot(), .. args]);

    [Test]
    public async Task Prints_the_timeline_of_the_real_engine()
    {
        var (code, output, errors) = await Run("--journey", "cart-recovery", "--customer", Path.Combine(_work.FullName, "ann.json"),
            "--events", Path.Combine(_work.FullName, "events.json"), "--days", "2", "--start", "2026-11-02T08:00:00Z", "--step", "PT1H");

        errors.Should().BeEmpty();
        code.Should().Be(0);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Should().Equal(
            "cart-recovery: simulated 2 day(s) from 2026-11-02 08:00Z, a tick every 01:00:00",
            "+0h enter",
            "+1h send email cart-recovery/reminder → goes out at once",
            "+24h send sms cart-recovery/coupon (a coupon of cart-recovery) → failed: the customer has no phone number",
            "+24h complete: all steps done");
    }

    [Test]
    public async Task Past_events_are_history_as_a_backfill_and_negative_offsets_print_with_one_sign()
    {
        File.WriteAllText(Path.Combine(_work.FullName, "history.json"), """
            [
              { "at": "-960h", "event": "Order Completed", "properties": { "order_id": "o0", "total": 30 } },
              { "at": "-2h", "event": "Product Added", "properties": { "product_id": "tea", "price": 12 } }
            ]
            """);
        var (code, output, errors) = await Run("--journey", "welcome-series", "--journey", "cart-recovery", "--customer", Path.Combine(_work.FullName, "ann.json"),
            "--events", Path.Combine(_work.FullName, "history.json"), "--days", "2", "--start", "2026-11-02T08:00:00Z");

        code.Should().Be(0, errors);
        // The order 40 days back is older than the 24-hour entry window: no welcome, as on the server. The cart of two
        // hours ago enters; its reminder is due in the past and fires at the first tick, then waits for quiet hours
        // (21:00-09:00 in UTC, the customer's zone) to end.
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Should().Equal(
            "-2h cart-recovery: enter",
            "+0h cart-recovery: send email cart-recovery/reminder → goes out +1h (after quiet hours)",
            "+22h cart-recovery: send sms cart-recovery/coupon (a coupon of cart-recovery) → failed: the customer has no phone number",
            "+22h cart-recovery: complete: all steps done");
    }

    [Test]
    public async Task Journeys_simulated_together_show_the_frequency_cap_between_them()
    {
        File.WriteAllText(Path.Combine(_work.FullName, "first-order.json"), """
            [ { "at": "+2h", "event": "Order Completed", "properties": { "order_id": "o1", "total": 1200 } } ]
            """);
        var (code, output, errors) = await Run("--journey", "welcome-series,tier-upgrade", "--customer", Path.Combine(_work.FullName, "ann.json"),
            "--events", Path.Combine(_work.FullName, "first-order.json"), "--days", "1", "--start", "2026-11-02T08:00:00Z");

        code.Should().Be(0, errors);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines[0].Should().StartWith("welcome-series, tier-upgrade: simulated 1 day(s)");
        lines.Should().Contain("+2h welcome-series: send email welcome-series/thank-you → goes out at once")
            .And.Contain("+2h tier-upgrade: send email tier-upgrade/congratulations → skipped: frequency cap: 1 email per day");
    }

    [Test]
    public async Task Bad_input_is_named()
    {
        (await Run("--customer", "x.json")).Err.Should().Contain("--journey is required (or --all)");
        (await Run("--journey", "nope", "--customer", "a", "--events", "b")).Err.Should().Contain("no journey 'nope' in rules");
        var bad = await Run("--journey", "cart-recovery", "--customer", Path.Combine(_work.FullName, "ann.json"), "--events", Path.Combine(_work.FullName, "bad-events.json"));
        bad.Code.Should().Be(2);
        bad.Err.Should().Contain("[0].at: 'soon' is not an offset such as +2h");
    }
}
