namespace Automation.Server.Cli;

/// <summary>
/// Tells a sub-command (<c>automation validate</c>) from the server's own settings (<c>--urls …</c>,
/// <c>Storage:Provider=postgres</c>), and prints what there is to run.
/// </summary>
internal static class CommandLine
{
    /// <summary>The sub-commands, each with what it does, as <see cref="Usage"/> lists them.</summary>
    public static readonly IReadOnlyList<(string Name, string Purpose)> Commands =
    [
        ("migrate", "apply database migrations and exit"),
        ("validate", "check every journey, tag, tier and template file: file:line: reason"),
        ("simulate", "replay a journey for one customer on a virtual clock"),
        ("render", "render a template for a customer"),
        ("seed", "generate shoppers into a database of their own, for demos and benchmarks"),
        ("report", "repurchase, cohorts, LTV and attribution"),
        ("console-user", "make a console user's password hash (password on standard input)"),
        ("help", "print this"),
    ];

    /// <summary>What there is to run, and how from a source checkout.</summary>
    public static string Usage => $"""
        usage: automation [COMMAND] [OPTIONS]   (from a source checkout: dotnet run --project src/Automation.Server -- [COMMAND] [OPTIONS])

        Without a command the server starts; settings go as --Key=value or Key=value (see README.md).

        commands:
        {string.Join(Environment.NewLine, Commands.Select(c => $"  {c.Name,-14}{c.Purpose}"))}
        """;

    /// <summary>True when the first argument names a command, not a setting: no dashes and no '='.</summary>
    public static bool IsCommand(string[] args) =>
        args is [var first, ..] && !first.StartsWith('-') && !first.StartsWith('/') && !first.Contains('=', StringComparison.Ordinal);

    /// <summary>Prints the usage for <c>help</c> (exit 0) or an unknown command (exit 2) instead of starting the server.</summary>
    public static int Help(string command, TextWriter output, TextWriter errors)
    {
        if (command is "help" or "--help" or "-h" or "-?")
        {
            output.WriteLine(Usage);
            return 0;
        }
        errors.WriteLine($"error: '{command}' is not a command.");
        errors.WriteLine(Usage);
        return 2;
    }
}
