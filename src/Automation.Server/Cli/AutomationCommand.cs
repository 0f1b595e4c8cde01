using System.CommandLine;

namespace Automation.Server.Cli;

/// <summary>
/// The <c>automation</c> command line: its sub-commands, each with typed options and <c>--help</c>. Without a command
/// the server starts instead, and its settings never go through this parser (<see cref="StartsServer"/>).
/// </summary>
internal static class AutomationCommand
{
    private const string Description = """
        Automation, a marketing automation server.

        Without a command the server starts; its settings go as --Key=value or Key=value (see README.md),
        e.g. automation --Urls=http://127.0.0.1:5080 --Storage:Provider=postgres
        From a source checkout: dotnet run --project src/Automation.Server -- [command] [options]
        """;

    /// <summary>The root command; <paramref name="input"/> and <paramref name="clock"/> are the console's and the system's outside tests.</summary>
    public static RootCommand Create(TextReader input, TimeProvider clock)
    {
        var root = new RootCommand(Description)
        {
            MigrateCommand.Create(),
            ValidateCommand.Create(),
            PublishCommand.Create(clock),
            ExportCommand.Create(),
            SimulateCommand.Create(),
            RenderCommand.Create(),
            SeedCommand.Create(),
            ReportCommand.Create(clock),
            CouponsCommand.Create(clock),
            SegmentCommand.Create(clock),
            ConsoleUserCommand.Create(input),
        };
        CommandHelp.Add(root);
        return root;
    }

    /// <summary>
    /// True when the arguments are server settings rather than a command: none, or a first one that is a setting
    /// (<c>--Urls=…</c>, <c>/Urls …</c>, <c>Urls=…</c>) and not the root's own <c>--help</c> or <c>--version</c>.
    /// </summary>
    public static bool StartsServer(string[] args, RootCommand root) => args is [] || (args[0] is var first
        && (first.StartsWith("--", StringComparison.Ordinal) || first.StartsWith('/') || first.Contains('=', StringComparison.Ordinal))
        && !root.Options.Any(o => o.Name == first || o.Aliases.Contains(first)));

    /// <summary>Runs a command; a parse error (unknown command, bad option) prints it with the usage and exits 2.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, TextWriter output, TextWriter errors)
    {
        // No @file expansion: a setting value may start with '@'.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (CommandHelp.Failed(result, errors)) return 2;
        // Exceptions go to the caller, which knows the ones with a one-line explanation (bad settings, no database).
        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });
    }
}
