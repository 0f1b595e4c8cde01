using System.CommandLine;

namespace Automation.Server.Cli;

/// <summary>
/// For the commands that read the server's settings: every argument a command does not know passes through to
/// configuration untouched (<c>--Storage:Provider=postgres</c>, <c>--contentRoot DIR</c>), on top of
/// <c>appsettings.json</c> and environment variables, as the server itself would read them.
/// </summary>
internal static class ServerSettings
{
    /// <summary><c>--rules DIR</c>; configuration keys ignore case, so a plain <c>rules</c> key would collide with the <c>Rules</c> section.</summary>
    private static readonly Option<string> Rules = new("--rules") { HelpName = "DIR", Description = "the journeys folder (setting Rules:Path)" };

    private static readonly Option<string> Templates = new("--templates") { HelpName = "DIR", Description = "the templates folder (setting Templates:Path)" };

    /// <summary>Lets the server's settings through; with <paramref name="folders"/> also <c>--rules</c> and <c>--templates</c>.</summary>
    public static Command ReadingSettings(this Command command, bool folders = true)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        if (folders)
        {
            command.Options.Add(Rules);
            command.Options.Add(Templates);
        }
        return command;
    }

    /// <summary>The arguments for <c>Host.CreateApplicationBuilder</c>: the settings given, and the folders as their keys.</summary>
    public static string[] Arguments(ParseResult result) =>
    [
        .. result.UnmatchedTokens,
        .. result.GetValue(Rules) is { } rules ? [$"--Rules:Path={rules}"] : Array.Empty<string>(),
        .. result.GetValue(Templates) is { } templates ? [$"--Templates:Path={templates}"] : Array.Empty<string>(),
    ];
}
