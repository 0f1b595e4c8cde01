using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Automation.Server.Cli;

/// <summary>
/// What <c>--help</c> and a parse error print. For the commands that read the server's settings, help says that the
/// other arguments are settings, where System.CommandLine would call them "additional arguments passed to the application".
/// </summary>
internal static class CommandHelp
{
    private const string Settings = """
        Server settings:
          --Key=value  any setting, read as the server reads it, over appsettings.json and environment variables:
                       e.g. --Storage:Provider=postgres --Storage:ConnectionString="Host=…", or --contentRoot DIR
        """;

    /// <summary>Words the help of 2.0 prints for the arguments a command lets through; replaced, or left as they are should they change.</summary>
    private const string DefaultAdditional = "Additional Arguments:\n  Arguments passed to the application that is being run.";

    private const string DefaultUsage = "[[--] <additional arguments>...]]";

    /// <summary>Wraps the help of <paramref name="root"/>, adds <c>help [COMMAND]</c> and lets the root alone print its help.</summary>
    public static void Add(RootCommand root)
    {
        var option = root.Options.OfType<HelpOption>().Single();
        option.Action = new SettingsHelp((HelpAction)option.Action!);

        var name = new Argument<string?>("command") { Arity = ArgumentArity.ZeroOrOne, Description = "the command whose options to print" };
        name.AcceptOnlyFromAmong([.. root.Subcommands.Select(c => c.Name)]);
        var help = new Command("help", "Print the commands, or one command's options.") { name };
        help.SetAction(result => Print(root, result.GetValue(name) is { } command ? [command] : [], result.InvocationConfiguration.Output));
        root.Subcommands.Add(help);
        // Reached only with the root's own options, since no arguments start the server; without it "Required command
        // was not provided" would join the error naming an unknown command.
        root.SetAction(result => Print(root, [], result.InvocationConfiguration.Output));
    }

    /// <summary>True, after printing each error and the help of the command they are in, when <paramref name="result"/> did not parse.</summary>
    public static bool Failed(ParseResult result, TextWriter errors)
    {
        if (result.Action is not ParseErrorAction) return false;
        foreach (var error in result.Errors) errors.WriteLine($"error: {error.Message}");
        errors.WriteLine();
        var path = new List<string>();
        for (var command = result.CommandResult; command.Parent is CommandResult parent; command = parent) path.Insert(0, command.Command.Name);
        Print((RootCommand)result.RootCommandResult.Command, path, errors);
        return true;
    }

    private static int Print(RootCommand root, IEnumerable<string> command, TextWriter output) =>
        root.Parse([.. command, "--help"]).Invoke(new InvocationConfiguration { Output = output });

    /// <summary>The default help, with the settings named for the commands that take them.</summary>
    private sealed class SettingsHelp(HelpAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            if (parseResult.CommandResult.Command.TreatUnmatchedTokensAsErrors) return help.Invoke(parseResult);
            var configuration = parseResult.InvocationConfiguration;
            var output = configuration.Output;
            var text = new StringWriter();
            configuration.Output = text;
            try
            {
                help.Invoke(parseResult);
            }
            finally
            {
                configuration.Output = output;
            }
            output.Write(text.ToString().ReplaceLineEndings("\n").Replace(DefaultUsage, "[--Key=value ...]", StringComparison.Ordinal)
                .Replace(DefaultAdditional, Settings.ReplaceLineEndings("\n"), StringComparison.Ordinal).ReplaceLineEndings());
            return 0;
        }
    }
}
