using Automation.Server.Cli;

namespace Automation.Tests.Support;

/// <summary>Runs an <c>automation</c> command in-process, parsed as the executable parses it.</summary>
public static class AutomationCli
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(string[] args, string input = "", TimeProvider? clock = null)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var commands = AutomationCommand.Create(new StringReader(input), clock ?? TimeProvider.System);
        var code = await AutomationCommand.InvokeAsync(commands, args, output, errors);
        return (code, output.ToString(), errors.ToString());
    }
}
