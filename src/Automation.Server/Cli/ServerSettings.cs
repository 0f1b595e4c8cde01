using System.CommandLine;

namespace Automation.Server.Cli;

/// <summary>
/// For the commands that read the server's settings: every argument a command does not know passes through to
/// configuration untouched (<c>--Storage:Provider=postgres</c>, <c>--contentRoot DIR</c>), on top of
/// <c>appsettings.json</c> and environment variables, as the server itself would read them.
/// </summary>
internal static class ServerSettings
{
    /// <summary>
    /// The folder options and the settings they stand for. Configuration keys ignore case, so a plain <c>rules</c> key
    /// would collide with the <c>Rules</c> section: hence options of their own rather than settings.
    /// </summary>
    private static readonly (string Name, string Key, string Description)[] Folders =
    [
        ("--rules", "Rules:Path", "the journeys folder"),
        ("--templates", "Templates:Path", "the templates folder"),
    ];

    /// <summary>Lets the server's settings through; with <paramref name="folders"/> also <c>--rules</c> and <c>--templates</c>.</summary>
    public static Command ReadingSettings(this Command command, bool folders = true)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        if (folders)
        {
            foreach (var (name, key, description) in Folders)
                command.Options.Add(new Option<string>(name) { HelpName = "DIR", Description = $"{description} (setting {key})" });
        }
        return command;
    }

    /// <summary>The arguments for <c>Host.CreateApplicationBuilder</c>: the settings given, and the folders as their keys.</summary>
    public static string[] Arguments(ParseResult result) =>
    [
        .. result.UnmatchedTokens,
        .. from folder in Folders
           join option in result.CommandResult.Command.Options.OfType<Option<string>>() on folder.Name equals option.Name
           where result.GetValue(option) is not null
           select $"--{folder.Key}={result.GetValue(option)}",
    ];
}
