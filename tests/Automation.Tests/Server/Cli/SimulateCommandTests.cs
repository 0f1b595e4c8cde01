using Automation.Server.Cli;
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

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = await SimulateCommand.RunAsync(["--contentRoot", ServerProcess.RepositoryRoot(), .. args], output, errors);
        return (code, output.ToString(), errors.ToString());
    }

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
            "+1h send email cart-recovery/reminder",
            "+24h send sms cart-recovery/coupon (coupon CART10)",
            "+24h complete: all steps done");
    }

    [Test]
    public async Task Bad_input_is_named()
    {
        (await Run("--customer", "x.json")).Err.Should().Contain("--journey is required");
        (await Run("--journey", "nope", "--customer", "a", "--events", "b")).Err.Should().Contain("no journey 'nope' in rules");
        var bad = await Run("--journey", "cart-recovery", "--customer", Path.Combine(_work.FullName, "ann.json"), "--events", Path.Combine(_work.FullName, "bad-events.json"));
        bad.Code.Should().Be(2);
        bad.Err.Should().Contain("[0].at: 'soon' is not an offset such as +2h");
    }
}
