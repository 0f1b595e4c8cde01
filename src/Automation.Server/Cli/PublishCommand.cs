using System.CommandLine;
using System.Data.Common;
using Automation.Core.Audit;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Server.Tools;
using Automation.Storage;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation publish [--rules DIR] [--templates DIR] [--message TEXT] [--author NAME] [--base N]</c>: the folders,
/// whole, as a new content version in the configured database, checked first as <c>automation validate</c> checks
/// them (its file:line problems, exit 1, nothing published); <c>--base</c> refuses the publish when another version
/// was published since N.
/// </summary>
internal static class PublishCommand
{
    public static Command Create(TimeProvider clock)
    {
        var message = new Option<string>("--message", "-m") { Description = "why, as the version history shows it", DefaultValueFactory = _ => "published from the command line" };
        var author = new Option<string>("--author") { Description = "who publishes (default: the user running the command)" };
        var @base = new Option<long?>("--base") { HelpName = "N", Description = "the version these files were made from: refused if another was published since" };
        var command = new Command("publish", "Publish the rules and templates folders as a new content version (validated first).") { message, author, @base }.ReadingSettings();
        command.SetAction((result, cancellation) => RunAsync(ServerSettings.Arguments(result), result.GetValue(message)!, result.GetValue(author) ?? Environment.UserName,
            result.GetValue(@base), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, clock, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string[] settings, string message, string author, long? baseVersion, TextWriter output, TextWriter errors, TimeProvider clock,
        CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        var root = builder.Environment.ContentRootPath;
        using var folders = ValidateCommand.OpenFolders(builder, errors);
        if (folders is null) return 1;
        builder.Services.AddSingleton(clock);
        builder.Services.AddAutomationStorage();
        builder.Services.AddSingleton(folders);
        builder.Services.AddSingleton<ContentPublisher>();
        using var host = builder.Build();
        try
        {
            var outcome = await host.Services.GetRequiredService<ContentPublisher>().PublishFoldersAsync(baseVersion, message, AuditActor.Cli(author), cancellation);
            switch (outcome)
            {
                case PublishOutcome.Published published:
                    output.WriteLine($"Published version {published.Version.Id} ({published.Changed.Count} file(s) changed): {message}");
                    foreach (var path in published.Changed) output.WriteLine($"  {path}");
                    return 0;
                case PublishOutcome.Unchanged unchanged:
                    output.WriteLine($"Nothing to publish: the folders are version {unchanged.Head.Id} as published.");
                    return 0;
                case PublishOutcome.Invalid invalid:
                    ValidateCommand.WriteProblems(invalid.Check, root, errors);
                    errors.WriteLine("error: nothing published; fix the problems above (automation validate lists them too)");
                    return 1;
                case PublishOutcome.Stale stale:
                    errors.WriteLine($"error: version {stale.Head} was published after version {stale.BaseVersion}; look at what changed (automation export) and publish again with --base {stale.Head}");
                    return 1;
                default:
                    throw new InvalidOperationException(outcome.ToString());
            }
        }
        catch (DbException e) when (!TransientFailures.IsTransient(e))
        {
            errors.WriteLine($"error: the database cannot be written ({e.Message}). Check Storage:ConnectionString, or run `automation migrate` first.");
            return 1;
        }
    }
}
