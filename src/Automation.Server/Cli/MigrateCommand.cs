using System.CommandLine;
using Automation.Storage;
using Automation.Storage.Migrations;

namespace Automation.Server.Cli;

/// <summary><c>automation migrate</c>: applies pending database migrations and exits.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply database migrations and exit.").ReadingSettings(folders: false);
        command.SetAction((result, cancellation) => RunAsync(ServerSettings.Arguments(result), result.InvocationConfiguration.Output, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string[] settings, TextWriter output, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddAutomationStorage();
        using var host = builder.Build();

        var migrator = host.Services.GetRequiredService<SchemaMigrator>();
        var storage = host.Services.GetRequiredService<AutomationStorage>();
        var applied = await migrator.MigrateAsync(cancellation);
        var latest = SchemaMigrator.Available(storage.Dialect.Name)[^1];
        output.WriteLine(applied.Count == 0
            ? $"The {storage.Dialect.Name} database is up to date at schema version {latest.Version}."
            : $"Applied {applied.Count} migration(s) to the {storage.Dialect.Name} database: {string.Join(", ", applied.Select(m => $"{m.Version:D4} {m.Name}"))}. Schema version is now {latest.Version}.");
        return 0;
    }
}
