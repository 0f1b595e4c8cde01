using System.Text.RegularExpressions;
using Automation.Tests.Support;

namespace Automation.Tests.Server.Cli;

/// <summary>The commands README.md shows run as written from a clone, on the example files it ships.</summary>
public sealed partial class ReadmeCommandTests
{
    private const string Prefix = "dotnet run --project src/Automation.Server -- ";

    /// <summary>The README's tool lines for one command, as argument lists (comments cut, quotes kept out).</summary>
    private static IEnumerable<string[]> Lines(string command)
    {
        var readme = File.ReadAllText(Path.Combine(ServerProcess.RepositoryRoot(), "README.md"));
        foreach (var line in readme.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(Prefix + command + " ", StringComparison.Ordinal)))
        {
            var text = line[Prefix.Length..];
            var comment = text.IndexOf("  #", StringComparison.Ordinal);
            if (comment >= 0) text = text[..comment];
            yield return [.. Words().Matches(text).Select(m => m.Value.Replace("\"", "", StringComparison.Ordinal)).Skip(1)];
        }
    }

    [GeneratedRegex("""(?:[^\s"]|"[^"]*")+""")]
    private static partial Regex Words();

    [Test]
    public async Task The_simulate_example_runs_on_the_shipped_files()
    {
        var args = Lines("simulate").Should().ContainSingle().Subject;
        var (code, output, errors) = await AutomationCli.RunAsync(["simulate", "--contentRoot", ServerProcess.RepositoryRoot(), .. args]);
        code.Should().Be(0, errors);
        output.Should().Contain("enter").And.Contain("send email cart-recovery/reminder").And.Contain("exit: Order Completed");
    }

    [Test]
    public async Task The_render_example_runs_on_the_shipped_files()
    {
        var args = Lines("render").Should().ContainSingle().Subject;
        var (code, output, errors) = await AutomationCli.RunAsync(["render", "--contentRoot", ServerProcess.RepositoryRoot(), .. args]);
        code.Should().Be(0, errors);
        output.Should().Contain("Green tea");
    }
}
