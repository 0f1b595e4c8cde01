using System.CommandLine;
using System.Data.Common;
using Automation.Core.Storage;
using Automation.Server.Hosting;
using Automation.Storage;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation export DIR [--version N]</c>: writes a published content version (the one published now by default)
/// into DIR as <c>rules/</c> and <c>templates/</c>, byte for byte, so it can be reviewed and committed like any folder.
/// The folder is built beside DIR and renamed into place once whole: an export that fails leaves DIR as it was.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("DIR") { Description = "the folder to write rules/ and templates/ into (replaced)" };
        var version = new Option<long?>("--version") { HelpName = "N", Description = "the version to write (default: the one published now)" };
        var command = new Command("export", "Write a published content version's rules and templates into a folder, byte for byte.") { target, version }.ReadingSettings(folders: false);
        command.SetAction((result, cancellation) => RunAsync(ServerSettings.Arguments(result), result.GetValue(target)!, result.GetValue(version),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string[] settings, string target, long? versionId, TextWriter output, TextWriter errors, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddAutomationStorage();
        using var host = builder.Build();
        var store = host.Services.GetRequiredService<IContentVersionStore>();
        try
        {
            var version = versionId is { } id ? await store.FindVersionAsync(id, cancellation) : await store.HeadAsync(cancellation);
            if (version is null)
            {
                errors.WriteLine(versionId is { } missing ? $"error: there is no content version {missing}" : "error: no content version is published yet (automation publish makes one)");
                return 1;
            }
            var content = await ContentSet.ReadAsync(version, store, cancellation);
            var full = Path.GetFullPath(target);
            var parent = Path.GetDirectoryName(full)!;
            Directory.CreateDirectory(parent);
            var partial = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
            foreach (var (path, bytes) in content.Files)
            {
                var file = Path.Combine(partial, path.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllBytesAsync(file, bytes, cancellation);
            }
            Directory.CreateDirectory(partial);
            Replace(full, partial);
            output.WriteLine($"Version {version.Id} ({version.Files.Count} file(s), {version.Author}: {version.Message}) written to {target}.");
            return 0;
        }
        catch (DbException e) when (!TransientFailures.IsTransient(e))
        {
            errors.WriteLine($"error: the versions cannot be read ({e.Message}). Check Storage:ConnectionString, or run `automation migrate` first.");
            return 1;
        }
    }

    /// <summary>Puts the complete folder in place of the target: the old one moved aside first, deleted once the new one is there.</summary>
    private static void Replace(string target, string complete)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(complete, target);
            return;
        }
        var aside = $"{complete}.old";
        Directory.Move(target, aside);
        Directory.Move(complete, target);
        Directory.Delete(aside, recursive: true);
    }
}
