using Automation.Server;
using Automation.Server.Cli;
using Automation.Storage;
using Automation.Storage.Migrations;
using Microsoft.Extensions.Options;

try
{
    if (args is ["migrate", .. var migrateArgs]) return await MigrateCommand.RunAsync(migrateArgs);
    if (args is ["validate", .. var validateArgs]) return ValidateCommand.Run(validateArgs, Console.Out, Console.Error);
    if (args is ["render", .. var renderArgs]) return RenderCommand.Run(renderArgs, Console.Out, Console.Error);
    if (args is ["simulate", .. var simulateArgs]) return await SimulateCommand.RunAsync(simulateArgs, Console.Out, Console.Error);
    if (args is ["seed", .. var seedArgs]) return await SeedCommand.RunAsync(seedArgs, Console.Out, Console.Error);
    if (args is ["console-user", .. var userArgs]) return ConsoleUserCommand.Run(userArgs, Console.In, Console.Out, Console.Error);
    if (args is ["report", .. var reportArgs]) return await ReportCommand.RunAsync(reportArgs, Console.Out, Console.Error, TimeProvider.System);
    if (CommandLine.IsCommand(args) || args is ["--help" or "-h" or "-?", ..]) return CommandLine.Help(args[0], Console.Out, Console.Error);
    var app = AutomationServer.Build(args);
    AutomationServer.ValidateSettings(app.Services);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    foreach (var failure in e.Failures) Console.Error.WriteLine($"error: {failure}");
    return 2;
}
catch (SchemaTooNewException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (Exception e) when (TransientFailures.IsTransient(e))
{
    Console.Error.WriteLine($"error: the database cannot be reached ({e.Message}). Check Storage:Provider and Storage:ConnectionString.");
    return 1;
}

/// <summary>The entry point; public so integration tests can host it.</summary>
public partial class Program;
