using Automation.Server;
using Automation.Server.Cli;
using Automation.Storage;
using Automation.Storage.Migrations;
using Microsoft.Extensions.Options;

try
{
    var commands = AutomationCommand.Create(Console.In, TimeProvider.System);
    if (!AutomationCommand.StartsServer(args, commands)) return await AutomationCommand.InvokeAsync(commands, args, Console.Out, Console.Error);
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
